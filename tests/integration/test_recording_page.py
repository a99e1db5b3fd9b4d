from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern

WORDS = "  i said NO and he\nkept on  "


def _post(client, **fields):
    return client.post("/concerns/new/", fields)


def test_staff_record_a_two_child_concern_on_one_page_without_javascript(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    page = client.get(f"/concerns/new/?child={here.pk}").content.decode()
    assert "Child Here" in page
    key = page.split('name="key" value="')[1].split('"')[0]
    base = {"key": key, "establishment": world.establishments["here"].pk, "child": [here.pk],
            f"role-{here.pk}": "harmed", "narrative": "Crying by the gate", "childs_words": WORDS}
    found = _post(client, **base, intent="find", find_q="here").content.decode()
    assert "Crying by the gate" in found  # nothing typed is lost between steps
    missing = _post(client, **base, intent="send").content.decode()
    assert "Your concern has not been sent yet" in missing and "Enter the date it happened" in missing
    assert "Crying by the gate" in missing and "i said NO and he" in missing
    sent = _post(client, **base, occurred_date="2026-11-20", occurred_time="13:15", intent="send")
    assert sent.status_code == 302
    concern = Concern.objects.get(idempotency_key=key)
    assert concern.childs_words == WORDS
    again = _post(client, **base, occurred_date="2026-11-20", occurred_time="13:15", intent="send")
    assert again.status_code == 302 and Concern.objects.filter(idempotency_key=key).count() == 1  # double click


def test_a_child_the_recorder_cannot_see_is_never_added(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    page = _post(client, key="k1", establishment=world.establishments["here"].pk,
                 intent=f"add:{world.children['elsewhere'].pk}").content.decode()
    assert "Child Elsewhere" not in page


def test_wording_is_suggested_once_never_blocks_and_never_touches_the_childs_words(client, world, adopted,
                                                                                  signed_in):
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    base = {"key": "lang-1", "establishment": world.establishments["here"].pk, "child": [here.pk],
            f"role-{here.pk}": "harmed", "occurred_date": "2026-11-20", "intent": "send",
            "narrative": "She keeps putting herself at risk.", "childs_words": "the perpetrator said it was fine"}
    first = _post(client, **base).content.decode()
    assert "A suggestion about wording" in first and "putting herself at risk" in first
    assert "Instead of “the perpetrator" not in first and "Instead of “perpetrator" not in first
    assert not Concern.objects.filter(idempotency_key="lang-1").exists()
    second = _post(client, **base, language_seen="1")
    assert second.status_code == 302
    concern = Concern.objects.get(idempotency_key="lang-1")
    assert concern.language_prompts_shown == 1 and concern.narrative == "She keeps putting herself at risk."
    clean = _post(client, **(base | {"key": "lang-2", "narrative": "He was crying by the gate."}))
    assert clean.status_code == 302  # nothing to suggest: sent at once
