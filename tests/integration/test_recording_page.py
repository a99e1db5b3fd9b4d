from datetime import datetime

from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern
from safekeep.core.clock import LONDON

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


def test_enter_in_any_field_finds_a_child_and_never_removes_one(client, world, adopted, signed_in):
    """The first button in the form is the one Enter presses: it must be Find, never "Remove" (no JavaScript)."""
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    page = client.get(f"/concerns/new/?child={here.pk}").content.decode()
    form = page[page.index('<form method="post" action="/concerns/new/"'):]
    first_button = form[form.index("<button"):form.index("</button>")]
    assert 'value="find"' in first_button and "remove" not in first_button
    # What that button sends (Enter in the "where" box, the search box empty) keeps the child and their role.
    kept = _post(client, key="enter-1", establishment=world.establishments["here"].pk, child=[here.pk],
                 **{f"role-{here.pk}": "harmed"}, location="By the gate", find_q="", intent="find").content.decode()
    assert f'name="child" value="{here.pk}"' in kept and 'value="harmed" checked' in kept
    assert 'value="By the gate"' in kept


def test_a_concern_from_earlier_today_with_no_time_is_sent_before_noon(client, world, adopted, signed_in,
                                                                        time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=LONDON), tick=False)
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    base = {"establishment": world.establishments["here"].pk, "child": [here.pk], f"role-{here.pk}": "harmed",
            "narrative": "Crying by the gate", "occurred_date": "2026-12-01", "intent": "send"}
    sent = _post(client, **base, key="today-1")
    assert sent.status_code == 302  # not refused as "in the future"
    concern = Concern.objects.get(idempotency_key="today-1")
    assert concern.occurred_at == datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)  # no later than it was written down
    assert concern.occurred_approximately  # the record says "About": the time is not known
    _post(client, **(base | {"key": "earlier-1", "occurred_date": "2026-11-30"}))
    assert Concern.objects.get(idempotency_key="earlier-1").occurred_at == datetime(2026, 11, 30, 12, 0,
                                                                                    tzinfo=LONDON)
    time_machine.move_to(datetime(2026, 12, 1, 9, 10, tzinfo=LONDON), tick=False)
    again = _post(client, **base, key="today-1")  # a retry of a send whose answer was lost, 10 minutes on
    assert again.headers["Location"] == f"/concerns/{concern.pk}/?sent=1"  # the same concern, said sent
    later = _post(client, **base, key="later-1", occurred_time="10:30").content.decode()
    assert "it cannot be in the future" in later and 'href="#occurred_date"' in later  # a time given is kept to


def test_finding_and_adding_a_child_by_htmx_answers_with_only_the_childrens_part(client, world, adopted,
                                                                                  signed_in):
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    base = {"key": "part-1", "establishment": world.establishments["here"].pk, "narrative": "Words typed"}
    found = client.post("/concerns/new/", base | {"intent": "find", "find_q": "here"},
                        headers={"HX-Request": "true"}).content.decode()
    assert found.lstrip().startswith('<div id="children-part">') and "<h1" not in found
    assert f'value="add:{here.pk}"' in found and "Add Child Here" in found and "1 child matches" in found
    added = client.post("/concerns/new/", base | {"intent": f"add:{here.pk}"},
                        headers={"HX-Request": "true"}).content.decode()
    assert f'name="child" value="{here.pk}"' in added and "Child Here added" in added
    sent = client.post("/concerns/new/", base | {"intent": "send", "child": [here.pk], f"role-{here.pk}": "harmed",
                                                 "occurred_date": "2026-11-20"}, headers={"HX-Request": "true"})
    concern = Concern.objects.get(idempotency_key="part-1")
    assert sent.headers["HX-Redirect"] == f"/concerns/{concern.pk}/?sent=1"  # the browser then opens it once
    assert "Your concern has been sent to the" in client.get(sent.headers["HX-Redirect"]).content.decode()


def test_a_send_naming_a_child_the_recorder_may_not_choose_is_refused_with_every_word_kept(client, world, adopted,
                                                                                          signed_in):
    from safekeep.audit.models import AuditEvent

    signed_in(world.personas[Role.STAFF])
    here, elsewhere = world.children["here"], world.children["elsewhere"]
    page = _post(client, key="hidden-1", establishment=world.establishments["here"].pk, child=[here.pk, elsewhere.pk],
                 **{f"role-{here.pk}": "harmed", f"role-{elsewhere.pk}": "harmed"}, narrative="Crying by the gate",
                 occurred_date="2026-11-20", intent="send")
    assert page.status_code == 200
    text = page.content.decode()
    assert "A child you chose can no longer be chosen here" in text and "Crying by the gate" in text
    assert "Child Elsewhere" not in text and "Child Here" in text
    assert not Concern.objects.filter(idempotency_key="hidden-1").exists()
    assert AuditEvent.objects.filter(action="concern.create", outcome="denied", object_id=str(elsewhere.pk)).exists()


def test_only_the_recorder_is_told_on_the_concerns_page_that_it_was_sent(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    here = world.children["here"]
    sent = _post(client, key="told-1", establishment=world.establishments["here"].pk, child=[here.pk],
                 **{f"role-{here.pk}": "harmed"}, narrative="Crying by the gate", occurred_date="2026-11-20",
                 intent="send")
    assert "Your concern has been sent to the" in client.get(sent["Location"]).content.decode()
    dsl_page = signed_in(world.personas[Role.DSL]).get(sent["Location"])
    assert dsl_page.status_code == 200 and "Your concern has been sent" not in dsl_page.content.decode()
