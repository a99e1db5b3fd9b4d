from datetime import UTC, datetime

from django.db import transaction

from safekeep.authz.roles import Role
from safekeep.concerns import services
from safekeep.concerns.models import Concern


def _concern(world, key, **flags):
    with transaction.atomic():
        concern, _ = services.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), narrative=f"Narrative {key}",
            idempotency_key=key, **flags)
    return concern


def test_the_inbox_puts_unread_urgent_concerns_first(client, world, adopted, signed_in):
    calm = _concern(world, "calm")
    urgent = _concern(world, "urgent", immediate_risk=True)
    read = _concern(world, "read")
    Concern.objects.filter(pk=read.pk).update(read_by_dsl_at=datetime(2026, 11, 21, tzinfo=UTC))
    signed_in(world.personas[Role.DSL])
    page = client.get("/concerns/").content.decode()
    order = [page.index(f"/concerns/{c.pk}/") for c in (urgent, calm, read)]
    assert order == sorted(order)
    assert "Immediate risk" in page and "Not read yet" in page


def test_staff_see_only_what_they_recorded(client, world, adopted, signed_in):
    mine = _concern(world, "mine")
    signed_in(world.personas[Role.STAFF])
    page = client.get("/concerns/").content.decode()
    assert f"/concerns/{mine.pk}/" in page and f"/concerns/{world.concerns['here'].pk}/" not in page


def test_the_chronology_shows_the_concern_and_its_actions_and_filters_and_prints(client, world, adopted, signed_in):
    _concern(world, "c1", disclosure=True)
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    page = client.get(f"/chronology/{child.pk}/").content.decode()
    assert "Concern recorded by" in page and "Required:" not in page  # the steps Safekeep tracked: on request
    assert "Required:" in client.get(f"/chronology/{child.pk}/?tracked=1").content.decode()
    only_concerns = client.get(f"/chronology/{child.pk}/?kind=concern").content.decode()
    assert "Concern recorded by" in only_concerns and "Required:" not in only_concerns
    printed = client.get(f"/chronology/{child.pk}/?print=1").content.decode()
    assert "Confidential: safeguarding record" in printed and "govuk-service-navigation" not in printed


def test_the_recorder_adds_an_addendum_and_the_original_stays(client, world, adopted, signed_in):
    concern = _concern(world, "add")
    signed_in(world.personas[Role.STAFF])
    empty = client.post(f"/concerns/{concern.pk}/addenda/", {"text": "  "}).content.decode()
    assert "Write what you want to add" in empty
    client.post(f"/concerns/{concern.pk}/addenda/", {"text": "It was Tuesday, not Monday."})
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "It was Tuesday, not Monday." in page and "Narrative add" in page
    signed_in(world.personas[Role.DSL])
    chronology = client.get(f"/chronology/{world.children['here'].pk}/").content.decode()
    assert "Addendum by" in chronology
    colleague = world.personas[Role.STAFF].__class__.objects.get(pk=world.people["here"].pk)
    signed_in(colleague)  # another member of staff: cannot add to a concern they did not record
    assert client.post(f"/concerns/{concern.pk}/addenda/", {"text": "x"}).status_code == 404


def test_the_dsl_triages_each_child_and_a_new_category_starts_its_clocks(client, world, adopted, signed_in):
    from safekeep.actions.models import Action
    from safekeep.concerns.models import Triage

    concern = _concern(world, "triage")
    involved = concern.children_involved.get()
    signed_in(world.personas[Role.DSL])
    url = f"/concerns/{concern.pk}/children/{involved.pk}/triage/"
    refused = client.post(url, {"risk": "high", "categories": ["cce"], "outcome": "childrens_services"})
    page = refused.content.decode()
    assert "Say why you chose this level of risk" in page and "Say why the categories changed" in page
    assert not Triage.objects.exists()
    client.post(url, {"risk": "high", "rationale": "Older youths seen collecting him", "categories": ["cce"],
                      "categories_reason": "Pattern of missing episodes", "outcome": "childrens_services"})
    decision = Triage.objects.get()
    assert (decision.risk, decision.categories, decision.outcome) == ("high", ["cce"], "childrens_services")
    assert Action.objects.filter(concern_id=concern.pk, rule_id="ce-exploitation-referral").exists()
    concern.refresh_from_db()
    assert concern.read_by_dsl_at is not None
    client.post(url, {"risk": "medium", "rationale": "Safety plan working", "categories": ["cce"],
                      "outcome": "monitor"})
    assert Triage.objects.count() == 2  # a new decision, the first kept
    chronology = client.get(f"/chronology/{world.children['here'].pk}/").content.decode()
    assert "Triage by" in chronology and "Categories changed: Pattern of missing episodes" in chronology


def test_the_inbox_flags_a_child_with_many_recent_concerns_and_children_named_together(client, world, adopted,
                                                                                     signed_in):
    from safekeep.children.models import Child, Enrolment

    friend = Child.objects.create(organisation=world.organisations["one"], first_name="Kit", last_name="Friend",
                                  date_of_birth=datetime(2012, 1, 1).date())
    Enrolment.objects.create(child=friend, establishment=world.establishments["here"], mis_id="KF")
    for n in range(3):
        with transaction.atomic():
            services.concern_submit(
                actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                children=[{"child": world.children["here"], "role": "harmed", "categories": []}]
                + ([{"child": friend, "role": "alleged_responsible", "categories": []}] if n < 2 else []),
                occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), narrative="x", idempotency_key=f"p{n}")
    signed_in(world.personas[Role.DSL])
    page = client.get("/concerns/").content.decode()
    assert "Child Here: 4 concerns in the last 30 days" in page  # three new, and the world's own
    assert "Child Here and Kit Friend named together in 2 concerns" in page
    signed_in(world.personas[Role.STAFF])
    assert "Patterns to look at" not in client.get("/concerns/").content.decode()


def test_the_api_covers_inbox_addenda_triage_and_chronology(client, world, adopted):
    from safekeep.accounts import services as accounts

    concern = _concern(world, "api")
    _, staff_key = accounts.api_token_create(actor=world.personas[Role.STAFF], name="s", mfa_passed=True)
    _, dsl_key = accounts.api_token_create(actor=world.personas[Role.DSL], name="d", mfa_passed=True)
    staff, dsl = {"HTTP_AUTHORIZATION": f"Bearer {staff_key}"}, {"HTTP_AUTHORIZATION": f"Bearer {dsl_key}"}
    assert client.post(f"/api/v1/concerns/{concern.pk}/addenda/", {"text": "Also saw a bruise"},
                       content_type="application/json", **staff).status_code == 201
    inbox = client.get("/api/v1/concerns/inbox/", **dsl).json()
    assert inbox[0]["id"] == concern.pk and inbox[0]["read_by_dsl_at"] is None
    child = world.children["here"].pk
    refused = client.post(f"/api/v1/concerns/{concern.pk}/children/{child}/triage/",
                          {"risk": "high", "rationale": "", "outcome": "monitor"}, content_type="application/json",
                          **dsl)
    assert refused.status_code == 400
    assert client.post(f"/api/v1/concerns/{concern.pk}/children/{child}/triage/",
                       {"risk": "low", "rationale": "One-off, parents aware", "outcome": "monitor"},
                       content_type="application/json", **dsl).status_code == 201
    assert client.post(f"/api/v1/concerns/{concern.pk}/children/{child}/triage/",
                       {"risk": "low", "rationale": "x", "outcome": "monitor"}, content_type="application/json",
                       **staff).status_code == 404
    entries = client.get(f"/api/v1/children/{child}/chronology/", **dsl).json()
    kinds = [e["kind"] for e in entries["results"]]
    assert {"concern.recorded", "concern.addendum", "concern.triaged"} <= set(kinds)
