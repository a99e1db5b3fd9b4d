"""The same one-time key with different words (Back, edit, Send) is not a retry: the second concern is never
dropped while the page says "sent" (issue 10, section 7)."""

import uuid

from safekeep.accounts import services as accounts
from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern


def _page_key(client, child):
    page = client.get(f"/concerns/new/?child={child.pk}").content.decode()
    return page.split('name="key" value="')[1].split('"')[0]


def test_back_edit_and_send_keeps_the_new_words_and_records_them_on_the_next_send(client, world, adopted,
                                                                                  signed_in):
    staff = world.personas[Role.STAFF]
    signed_in(staff)
    here = world.children["here"]
    key = _page_key(client, here)
    form = {"key": key, "establishment": world.establishments["here"].pk, "child": [here.pk],
            f"role-{here.pk}": "harmed", "occurred_date": "2026-11-20", "occurred_time": "13:15",
            "narrative": "Crying by the gate", "intent": "send"}
    assert client.post("/concerns/new/", form).status_code == 302
    # The browser's Back shows the page as it was sent, with its key: the recorder adds what they forgot.
    edited = form | {"narrative": "Crying by the gate. Later he said an older boy took his phone."}
    page = client.post("/concerns/new/", edited)
    text = page.content.decode()
    assert page.status_code == 200
    assert "It has not been sent yet" in text and "record it as a new concern" in text
    assert "Later he said an older boy took his phone." in text  # the words are still on screen
    assert Concern.objects.filter(recorded_by=staff).count() == 1
    new_key = text.split('name="key" value="')[1].split('"')[0]
    assert new_key != key
    sent = client.post("/concerns/new/", edited | {"key": new_key})
    assert sent.status_code == 302
    assert sorted(Concern.objects.filter(recorded_by=staff).values_list("narrative", flat=True)) == [
        "Crying by the gate", "Crying by the gate. Later he said an older boy took his phone."]


def test_the_api_refuses_the_same_key_with_a_different_concern_and_keeps_the_first(client, world, adopted):
    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="phone", mfa_passed=True)
    key = str(uuid.uuid4())
    body = {"establishment": world.establishments["here"].pk,
            "children": [{"child": world.children["here"].pk, "role": "harmed", "categories": []}],
            "occurred_at": "2026-11-20T13:15:00Z", "narrative": "Saw him crying."}

    def send(**changes):
        return client.post("/api/v1/concerns/", body | changes, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)

    first = send()
    assert first.status_code == 201
    assert send().json()["id"] == first.json()["id"]  # a retry of the same concern is still a retry
    for changes in ({"narrative": "Saw him crying. He had a bruise."}, {"immediate_risk": True},
                    {"children": [{"child": world.children["here"].pk, "role": "witness", "categories": []}]}):
        refused = send(**changes)
        assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
        assert "already sent with this one-time key" in refused.json()["errors"]["idempotency_key"][0]
    assert Concern.objects.get(idempotency_key=key).narrative == "Saw him crying."
