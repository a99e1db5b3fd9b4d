"""RFC 9457 problem details for every API error, and denials written to the audit log."""

from django.core.exceptions import ValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from safekeep.audit.services import audit_denial
from safekeep.authz.access import NotVisible

PROBLEM = "application/problem+json"


def problem_exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, NotVisible) and request is not None:
        audit_denial(request._request if hasattr(request, "_request") else request, exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, ValidationError):
        # A rule a service enforces: the same plain words the HTML form shows, per field.
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body = {
        "type": "about:blank",
        "title": _title(response.status_code),
        "status": response.status_code,
    }
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        body["detail"] = str(detail["detail"])
    elif isinstance(detail, (dict, list)):
        body["detail"] = "The request has problems; see errors."
        body["errors"] = detail
    return Response(body, status=response.status_code, headers=dict(response.items()), content_type=PROBLEM)


def _title(code: int) -> str:
    return {
        status.HTTP_400_BAD_REQUEST: "Bad request",
        status.HTTP_401_UNAUTHORIZED: "Not signed in",
        status.HTTP_403_FORBIDDEN: "Not allowed",
        status.HTTP_404_NOT_FOUND: "Not found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "Method not allowed",
        status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests",
    }.get(code, "Error")
