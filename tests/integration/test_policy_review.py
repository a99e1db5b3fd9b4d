"""The annual review of the child-on-child abuse policy (CoC 1.4, 5.5, 14.2-14.3), through its services: opened
in the pack's window, refused to those who do not lead it, questionnaires capped by the pack, answers counted
with small numbers hidden, the plan's items real actions, closed by adopting the revised pack, audited."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from django.test import Client as client_class

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.governance import selectors, services
from safekeep.governance.models import PolicyReview, VoiceAnswer
from safekeep.packs import services as packs
from safekeep.policy.packs import SHIPPED
from tests.integration.test_audit import _refuse_audit_inserts

PACK = SHIPPED / "child-on-child-abuse.yaml"
# The shipped pack's review date is 1 September 2026, and a review may be opened 60 days before it.
IN_WINDOW = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)
TOO_EARLY = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def here(adopted, world):
    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=adopted["child-on-child-abuse"],
                     organisation=world.organisations["one"])
    return world.establishments["here"]


def _open(world, time_machine, when=IN_WINDOW, role=Role.DSL):
    time_machine.move_to(when)
    return services.policy_review_open(actor=world.personas[role], establishment=world.establishments["here"])


def _revised(world, text=None, version="2026-09-r1"):
    group_head = world.personas[Role.GROUP_HEAD]
    text = (text or PACK.read_text()).replace('version: "2025-09-r7"', f'version: "{version}"')
    return packs.pack_load(actor=group_head, organisation=world.organisations["one"],
                           file_name="child-on-child-abuse.yaml", text=text)


def test_the_review_opens_in_the_packs_window_and_not_before(world, here, time_machine):
    time_machine.move_to(TOO_EARLY)
    with pytest.raises(ValidationError, match="can be opened from 3 July 2026, 60 days before its review date"):
        services.policy_review_open(actor=world.personas[Role.DSL], establishment=here)
    review = _open(world, time_machine)
    assert review.pack == "child-on-child-abuse" and review.reviewed_version.version == "2025-09-r7"
    with pytest.raises(ValidationError, match="already open"):
        services.policy_review_open(actor=world.personas[Role.HEAD], establishment=here)


def test_only_the_head_and_the_dsl_lead_it(world, here, time_machine):
    time_machine.move_to(IN_WINDOW)
    for role in (Role.STAFF, Role.GOVERNOR):
        with pytest.raises(NotVisible):
            services.policy_review_open(actor=world.personas[role], establishment=here)
    assert not PolicyReview.objects.exists()
    review = _open(world, time_machine, role=Role.HEAD)
    with pytest.raises(NotVisible):
        services.voice_link_create(actor=world.personas[Role.GOVERNOR], review=review, audience="pupils")


def test_the_governor_reads_the_review_but_not_its_answers(world, here, time_machine):
    review = _open(world, time_machine)
    services.policy_review_answer(actor=world.personas[Role.DSL], review=review,
                                  answers={"online": "Two cases began in a group chat."}, summary="Teach online safety")
    assert selectors.policy_reviews_visible_to(world.personas[Role.GOVERNOR]).get() == review
    assert not selectors.policy_reviews_visible_to(world.personas[Role.STAFF]).exists()
    assert review.answers.get().text == "Two cases began in a group chat."


def test_a_link_takes_answers_up_to_the_packs_cap_then_closes(world, here, time_machine):
    text = PACK.read_text().replace("answers_per_link: 2000", "answers_per_link: 3")
    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=_revised(world, text, "cap-3"),
                     organisation=world.organisations["one"])
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="pupils")
    for _ in range(3):
        services.voice_answer_record(link=link, choices={"feel_safe": "Mostly"})
    with pytest.raises(services.VoiceClosed):
        services.voice_answer_record(link=link, choices={"feel_safe": "Always"})
    link.refresh_from_db()
    assert link.answers == 3 and VoiceAnswer.objects.count() == 3
    assert services.voice_questionnaire(link) is None


def test_an_answer_outside_the_questionnaire_is_refused_and_a_closed_link_takes_none(world, here, time_machine):
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="pupils")
    with pytest.raises(ValidationError, match="at least one question"):
        services.voice_answer_record(link=link, choices={})
    with pytest.raises(ValidationError, match="Choose from the answers given"):
        services.voice_answer_record(link=link, choices={"feel_safe": "Whatever"})
    services.voice_link_close(actor=world.personas[Role.DSL], link=link)
    with pytest.raises(services.VoiceClosed):
        services.voice_answer_record(link=link, choices={"feel_safe": "Mostly"})
    assert not VoiceAnswer.objects.exists()


def test_the_answers_are_counted_with_small_numbers_hidden(world, here, time_machine):
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="pupils")
    for option, times in (("Always", 5), ("Mostly", 4), ("Sometimes", 1)):
        for _ in range(times):
            services.voice_answer_record(link=link, choices={"feel_safe": option})
    rules = selectors.reviewed_pack(here)[0].policy_review
    pupils = selectors.voice_results(review, rules, 5)[0]
    feel_safe = pupils["questions"][0]
    assert {row["label"]: row["count"] for row in feel_safe["rows"]} == {
        "Always": 5, "Mostly": None, "Sometimes": None, "Never": None}
    assert feel_safe["total"] == 10 and pupils["answered"] == 10
    # Never answered (0), "Sometimes" 1, "Mostly" 4: three hidden counts, not all 0 or all 4, so the total stands.


def test_the_plan_items_are_actions_about_no_child_and_the_plan_is_reviewed_on_the_packs_interval(
        world, here, time_machine):
    review = _open(world, time_machine)
    action = services.policy_review_action_add(actor=world.personas[Role.HEAD], review=review,
                                               what="Add consent lessons to the RSE curriculum",
                                               owner_role="dsl", due_on=date(2026, 10, 16))
    assert action.child is None and action.source == "CoC 14.3" and action.owner_role == "dsl"
    assert list(review.actions.all()) == [action]
    assert selectors.reviewed_pack(here)[0].policy_review.plan_review_every_days == 91
    with pytest.raises(ValidationError):
        services.policy_review_action_add(actor=world.personas[Role.HEAD], review=review, what="",
                                          owner_role="governor", due_on=date(2026, 1, 1))
    assert Action.objects.filter(action_code="policy-review-plan").count() == 1


def test_adopting_the_revised_pack_closes_the_review_and_its_links(world, here, time_machine):
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="staff")
    revised = _revised(world)
    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=revised,
                     organisation=world.organisations["one"])
    review.refresh_from_db()
    link.refresh_from_db()
    assert review.closed_at is not None and review.closed_by_version == revised and link.closed_at is not None
    assert selectors.last_closed_reviews([here.pk])[(here.pk, "child-on-child-abuse")] == review
    closing = AuditEvent.objects.get(action="governance.policy_review.close")
    assert closing.actor_id == world.personas[Role.GROUP_HEAD].pk and closing.detail == {"version": "2026-09-r1"}


def test_an_answer_is_audited_without_anyone_named(world, here, time_machine):
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="parents")
    services.voice_answer_record(link=link, choices={"worried": "Not worried"})
    row = AuditEvent.objects.get(action="governance.voice.answer")
    assert row.actor_id is None and row.actor_email == "" and row.detail == {}


def test_a_review_is_not_opened_when_its_audit_row_cannot_be_written(world, here, time_machine):
    """Fail closed: the review and its audit row are written together or not at all."""
    time_machine.move_to(IN_WINDOW)
    _refuse_audit_inserts()
    with pytest.raises(DatabaseError, match="audit storage unavailable"):
        services.policy_review_open(actor=world.personas[Role.DSL], establishment=here)
    assert not PolicyReview.objects.exists()


def test_the_review_in_the_pages_from_opening_to_the_policy_page_saying_last_reviewed(
        world, here, client, signed_in, time_machine):
    time_machine.move_to(IN_WINDOW)
    signed_in(world.personas[Role.DSL])
    page = f"/governance/establishments/{here.pk}/policy-review/"
    assert "Open this year's review" in client.get(page).content.decode()
    client.post(page)
    opened = client.get(page).content.decode()
    assert "Has the pupil voice been heard with regard to developing an on-going strategy" in opened
    assert "Concerns by category, this school year and last" in opened and "fewer than 5" in opened
    # Seven questions draw on the trends: the table is shown once, beside the first, and the others point to it.
    assert opened.count('id="panel-trends"') == 1
    assert 'Also see above: <a class="govuk-link" href="#panel-trends">' in opened
    client.post(page, {"q_online": "Two cases began in a group chat.", "summary": "Teach online safety in PSHE"})
    client.post(f"{page}links/", {"audience": "pupils"})
    link = PolicyReview.objects.get().links.get()

    pupil = client_class()
    form = pupil.get(f"/governance/voices/{link.token}/")
    assert "Do you feel safe from other pupils at school?" in form.content.decode()
    thanks = pupil.post(f"/governance/voices/{link.token}/", {"feel_safe": "Mostly"})
    assert "Your answers are sent" in thanks.content.decode()
    assert set(thanks.cookies) <= {"csrftoken"} and "sessionid" not in pupil.cookies
    assert "This questionnaire is closed" in pupil.get("/governance/voices/not-a-real-address/").content.decode()

    results = client.get(page).content.decode()
    assert "Fewer than 5 answered." in results and "Two cases began in a group chat." in results
    client.post(f"{page}plan/", {"what": "Add consent lessons to RSE", "owner_role": "dsl", "due_on": "2026-10-16"})
    planned = client.get(page).content.decode()
    assert "Add consent lessons to RSE" in planned and "next reviewed by 19 October 2026" in planned

    signed_in(world.personas[Role.GOVERNOR])
    governed = client.get(page).content.decode()
    assert "Fewer than 5 answered." in governed and "Add consent lessons to RSE" in governed
    assert "Two cases began in a group chat." not in governed
    assert client.post(f"{page}plan/", {"what": "x"}).status_code == 404

    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=_revised(world),
                     organisation=world.organisations["one"])
    signed_in(world.personas[Role.DSL])
    policy = client.get("/policies/").content.decode()
    assert "Last reviewed 20 July 2026. It decided: Teach online safety in PSHE" in policy
    assert "This questionnaire is closed" in pupil.get(f"/governance/voices/{link.token}/").content.decode()


def test_a_total_that_would_give_away_the_one_hidden_answer_count_is_not_shown(world, here, time_machine):
    review = _open(world, time_machine)
    link = services.voice_link_create(actor=world.personas[Role.DSL], review=review, audience="staff")
    for option, times in (("Yes", 6), ("Not sure", 5), ("No", 2)):
        for _ in range(times):
            services.voice_answer_record(link=link, choices={"know_what_to_do": option})
    rules = selectors.reviewed_pack(here)[0].policy_review
    question = selectors.voice_results(review, rules, 5)[0]["questions"][0]
    assert [row["count"] for row in question["rows"]] == [6, 5, None]
    assert question["total"] is None  # 13 - 6 - 5 would say 2
