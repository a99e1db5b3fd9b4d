import re

from safekeep.authz.roles import Role
from tests.world import PASSWORD


def test_a_forgotten_password_email_arrives_by_smtp_with_no_case_content_and_works(client, world, smtp_server):
    staff = world.personas[Role.STAFF]
    client.post("/accounts/password/reset/", {"email": staff.email})
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == staff.email
    body = message.get_body(preferencelist=("plain",)).get_content()
    # Nothing about children, establishments or roles: only a link to sign in.
    for sensitive in ("Child", "Establishment here", "safeguarding lead", world.children["here"].last_name):
        assert sensitive not in body and sensitive not in message["Subject"]
    assert message["Subject"] == "Safekeep: set a new password"
    path = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", body).group(1)
    form_page = client.get(path, follow=True)
    new_password = "a different long password 7"
    client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    client.logout()
    response = client.post("/accounts/login/", {"login": staff.email, "password": new_password})
    assert response.status_code == 302
    client.logout()
    old = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert old.status_code == 200 and "not correct" in old.content.decode()
