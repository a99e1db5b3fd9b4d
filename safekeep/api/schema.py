"""Tell drf-spectacular how Safekeep's API authenticates, so the OpenAPI file documents it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "safekeep.api.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token (sk_...), made on 'Your sign-in and security' after "
                               "two-factor authentication. It acts with exactly its owner's access."}


class MFASessionScheme(OpenApiAuthenticationExtension):
    target_class = "safekeep.api.authentication.MFASessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "A browser session that has passed two-factor authentication."}
