"""CE 10.1: an exploitation concern tells the group (chair of governors, regional director, group head of
safeguarding and the group's safeguarding mailbox) at once, by email with no case content."""

import uuid
from datetime import UTC, datetime

from safekeep.authz.roles import Role
from safekeep.concerns import services


def test_an_exploitation_concern_tells_the_group_with_no_content(world, adopted, smtp_server,
                                                                  django_capture_on_commit_callbacks):
    organisation = world.organisations["one"]
    organisation.safeguarding_email = "safeguarding@group.example.org"
    organisation.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                children=[{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
                                occurred_at=datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
                                narrative="Seen getting into a car with older men.", idempotency_key=uuid.uuid4().hex)
    told = {m["To"] for m in smtp_server.messages}
    for role in (Role.GOVERNOR, Role.REGIONAL_DIRECTOR, Role.GROUP_HEAD):
        assert world.personas[role].email in told, role
    assert "safeguarding@group.example.org" in told
    assert world.people["elsewhere"].email not in told  # another organisation hears nothing
    for message in smtp_server.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        for secret in ("getting into", "older men", "Child", "exploitation", "cce"):
            assert secret not in body and secret not in message["Subject"]
