"""Context assessments (issue 14 section 3; CoC 2.4-2.5, 2.5(h), 7.3; CE 5.1-5.2): a place and a peer group
assessed with the triangle the child-on-child abuse pack gives for each, a plan of actions about no child with
owners and due dates, its review date from the pack, a review recorded, a meeting about the context; one write path
with audit, encrypted at rest, and 404 alike for missing and not-yours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.contexts import services
from safekeep.contexts.models import ContextAssessment, ContextReferral, ContextReview
from safekeep.contexts.selectors import read_assessment
from safekeep.establishments.models import Location
from safekeep.packs import services as packs
from safekeep.peergroups.services import peer_group_save
from tests.world import give_role, make_user

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
HARM = "Older pupils push Year 7s off the bus bay bench and take their phones"


@pytest.fixture
def school(world, time_machine):
    """The school "here" follows the child-on-child abuse pack; its DSL, and the bus bay on its list."""
    time_machine.move_to(MONDAY)
    versions = {v.pack: v for v in packs.shipped_packs_install()}
    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=versions["child-on-child-abuse"],
                     organisation=world.organisations["one"])
    here = world.establishments["here"]
    bus_bay = Location.objects.create(establishment=here, kind=Location.Kind.OFF_SITE, name="Bus bay on Park Road")
    return here, world.personas[Role.DSL], bus_bay


def _assess_place(dsl, here, place):
    return services.context_assess(actor=dsl, establishment=here, location=place, answers={
        "harm": HARM, "guardianship": "The bus company's marshal is there on Mondays only",
        "environment": "No lighting after 4pm; the 3.20 bus is always full"}, summary="Staff at the bus bay at 3.15pm")


def test_a_place_off_site_is_assessed_with_the_neighbourhood_triangle_and_its_plan_is_reviewed_on_the_packs_date(
        school):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    assert assessment.triangle == "neighbourhood" and assessment.pack_version == "2025-09-r7"
    assert assessment.review_due_on == date(2027, 1, 4)  # 23 November 2026 + 42 days (the pack's review_every_days)
    assert [a.side for a in assessment.answers.all()] == ["harm", "guardianship", "environment"]
    assert assessment.answers.first().question.startswith("What harm do young people meet")
    with connection.cursor() as cursor:  # encrypted at rest, like a concern's narrative
        cursor.execute("SELECT answer FROM contexts_contextanswer")
        assert all("Year 7s" not in row[0] for row in cursor.fetchall())
    assert AuditEvent.objects.filter(action="context.assess", object_id=str(assessment.pk)).count() == 1
    assert not ChronologyEntry.objects.filter(summary__contains="bus bay").exists()  # a context is not a child


def test_an_on_site_place_uses_the_school_triangle_and_a_peer_group_the_peers_triangle(school, world):
    here, dsl, _ = school
    toilets = Location.objects.create(establishment=here, kind=Location.Kind.ON_SITE, name="Science block toilets")
    form = services.context_assess(actor=dsl, establishment=here, location=toilets, summary="Supervise at break",
                                   answers={"harm": "Upskirting", "features": "No sight line", "capacity": "One TA"})
    assert form.triangle == "school"
    group = peer_group_save(actor=dsl, establishment=here, name="The skate park group",
                            children=[world.children["here"], _second_child(world, here)])
    assessment = services.context_assess(actor=dsl, establishment=here, peer_group=group, summary="Youth worker",
                                         answers={"group": "Status from filming fights", "guardianship": "None",
                                                  "environment": "Meets at the skate park after dark"})
    assert assessment.kind == "peer_group" and assessment.triangle == "peers"


def _second_child(world, here):
    from safekeep.children.models import Child, Enrolment

    child = Child.objects.create(organisation=here.organisation, first_name="Second", last_name="Child",
                                 date_of_birth=date(2012, 3, 1), year_group="Year 9")
    Enrolment.objects.create(child=child, establishment=here, mis_id="S2")
    return child


def test_every_side_must_be_answered_and_the_words_typed_are_named_in_the_errors(school):
    here, dsl, bus_bay = school
    with pytest.raises(ValidationError) as refused:
        services.context_assess(actor=dsl, establishment=here, location=bus_bay, answers={"harm": HARM}, summary="")
    assert set(refused.value.message_dict) == {"side_guardianship", "side_environment", "summary"}
    assert not ContextAssessment.objects.exists()


def test_the_plans_actions_are_about_no_child_with_the_packs_owner_and_due_date(school):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    duty = services.context_plan_action_add(actor=dsl, assessment=assessment, kind="staff_on_duty",
                                            what="Two staff on the bus bay from 3.10pm")
    referral = services.context_plan_action_add(actor=dsl, assessment=assessment, kind="partnership_referral",
                                                what="Refer the bus bay to the local safeguarding partnership",
                                                owner_role="dsl", due_on=date(2026, 11, 25))
    assert duty.child is None and duty.owner_role == "head"  # the pack's owner for staff on duty
    assert duty.due_at == datetime(2026, 11, 30, 17, 0, tzinfo=LONDON)  # the pack's 7 days, by 5pm
    assert referral.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=LONDON) and referral.owner_role == "dsl"
    assert "CoC 2.5" in referral.source and referral.action_code == "context-plan"
    assert set(Action.objects.filter(action_code="context-plan").values_list("child", flat=True)) == {None}
    with pytest.raises(ValidationError) as refused:
        services.context_plan_action_add(actor=dsl, assessment=assessment, kind="", what="", owner_role="staff")
    assert set(refused.value.message_dict) == {"kind", "what", "owner_role"}


def test_a_review_keeps_or_closes_the_plan_and_a_closed_plan_takes_no_more_actions(school, time_machine):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    time_machine.move_to(datetime(2026, 12, 14, 9, 0, tzinfo=LONDON))
    kept = services.context_review_record(actor=dsl, assessment=assessment, outcome="kept",
                                          notes="Staff on duty since 24 November; no incident reported")
    assessment.refresh_from_db()
    assert kept.next_review_on == assessment.review_due_on == date(2027, 1, 25)  # 14 December + 42 days
    services.context_review_record(actor=dsl, assessment=assessment, outcome="closed", notes="The route changed")
    assessment.refresh_from_db()
    assert not assessment.is_open and list(assessment.reviews.values_list("outcome", flat=True)) == [
        ContextReview.Outcome.CLOSED, ContextReview.Outcome.KEPT]
    with pytest.raises(ValidationError):
        services.context_plan_action_add(actor=dsl, assessment=assessment, kind="other", what="More")
    assert AuditEvent.objects.filter(action="context.review").count() == 2


def test_each_review_is_on_the_action_list_due_on_the_review_date_and_a_review_opens_the_next(school, time_machine):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    first = assessment.review_action
    assert first.what == "Review the context plan for Bus bay on Park Road" and first.child is None
    assert first.due_at == datetime(2027, 1, 4, 17, 0, tzinfo=LONDON) and first.owner_role == "dsl"
    time_machine.move_to(datetime(2026, 12, 14, 9, 0, tzinfo=LONDON))
    services.context_review_record(actor=dsl, assessment=assessment, outcome="changed", notes="A later bus added")
    assessment.refresh_from_db()
    first.refresh_from_db()
    assert first.status == Action.Status.DONE
    assert assessment.review_action.due_at == datetime(2027, 1, 25, 17, 0, tzinfo=LONDON)
    services.context_review_record(actor=dsl, assessment=assessment, outcome="closed", notes="Safer now")
    assert not Action.objects.filter(action_code="context-plan", status=Action.Status.OPEN).exists()


def test_a_meeting_about_the_context_is_recorded_from_the_assessment_page(school, signed_in):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    client = signed_in(dsl)
    url = reverse("contexts:meeting", args=[assessment.pk])
    typed = client.post(url, {"meeting-held_on": "2026-12-01", "meeting-attendees": "",
                              "meeting-notes": "Partnership agreed a PCSO patrol"})
    text = typed.content.decode()
    assert typed.status_code == 200 and "There is a problem" in text and "Say who came" in text
    assert "Partnership agreed a PCSO patrol" in text  # what was typed is kept
    client.post(url, {"meeting-held_on": "2026-11-20", "meeting-attendees": "Local safeguarding partnership, "
                      "Park Road PCSO", "meeting-notes": "Partnership agreed a PCSO patrol"})
    page = client.get(reverse("contexts:detail", args=[assessment.pk])).content.decode()
    assert "Partnership agreed a PCSO patrol" in page and "Park Road PCSO" in page


def test_the_assessment_page_shows_the_answers_the_plan_and_the_review_date(school, signed_in):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    services.context_plan_action_add(actor=dsl, assessment=assessment, kind="route_changed",
                                     what="Ask the bus company to add a 3.40 bus")
    page = signed_in(dsl).get(reverse("contexts:detail", args=[assessment.pk])).content.decode()
    assert HARM in page and "Ask the bus company to add a 3.40 bus" in page
    assert "The plan is to be reviewed by 4 January 2027" in page and "A changed route or timetable" in page
    assert AuditEvent.objects.filter(action="context.view", object_id=str(assessment.pk)).count() == 1


def test_the_assess_page_keeps_what_was_typed_when_a_side_is_left_empty(school, signed_in):
    here, dsl, bus_bay = school
    url = reverse("contexts:assess", args=[here.pk]) + f"?subject=location-{bus_bay.pk}"
    answer = signed_in(dsl).post(url, {"side_harm": HARM, "side_guardianship": "", "side_environment": "Dark",
                                       "summary": "Staff"})
    text = answer.content.decode()
    assert answer.status_code == 200 and "There is a problem" in text and HARM in text
    assert "Answer this side of the triangle" in text and not ContextAssessment.objects.exists()


def test_staff_governors_and_other_establishments_are_answered_404_alike_and_the_refusal_is_audited(
        school, world, signed_in):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    for role in (Role.STAFF, Role.GOVERNOR):
        with pytest.raises(NotVisible):
            read_assessment(world.personas[role], assessment.pk)
        with pytest.raises(NotVisible):
            services.context_assess(actor=world.personas[role], establishment=here, location=bus_bay,
                                    answers={}, summary="x")
    elsewhere_dsl = make_user("dsl-two@example.org", world.organisations["two"])
    give_role(elsewhere_dsl, Role.DSL, establishment=world.establishments["elsewhere"])
    client = signed_in(elsewhere_dsl)
    denied = AuditEvent.objects.filter(outcome="denied").count()
    mine = client.get(reverse("contexts:detail", args=[assessment.pk]))
    missing = client.get(reverse("contexts:detail", args=[assessment.pk + 1000]))
    assert mine.status_code == missing.status_code == 404
    assert "Page not found" in mine.content.decode() and "Bus bay" not in mine.content.decode()
    assert AuditEvent.objects.filter(outcome="denied").count() == denied + 2
    # The group head reads it and may not change it.
    assert read_assessment(world.personas[Role.GROUP_HEAD], assessment.pk) == assessment
    with pytest.raises(NotVisible):
        services.context_review_record(actor=world.personas[Role.GROUP_HEAD], assessment=assessment,
                                       outcome="kept", notes="x")


def test_a_peer_groups_assessment_is_hidden_from_the_head_who_does_not_read_peer_groups(school, world):
    here, dsl, _ = school
    group = peer_group_save(actor=dsl, establishment=here, name="The skate park group",
                            children=[world.children["here"], _second_child(world, here)])
    assessment = services.context_assess(actor=dsl, establishment=here, peer_group=group, summary="Youth worker",
                                         answers={"group": "Filming fights", "guardianship": "None",
                                                  "environment": "Skate park"})
    assert read_assessment(world.personas[Role.DEPUTY_DSL], assessment.pk) == assessment
    with pytest.raises(NotVisible):
        read_assessment(world.personas[Role.HEAD], assessment.pk)
    with pytest.raises(ValidationError):  # nor may the head assess a group they cannot see
        services.context_assess(actor=world.personas[Role.HEAD], establishment=here, peer_group=group,
                                answers={}, summary="x")


def test_the_place_page_links_to_its_assessments_and_offers_to_assess_it_to_those_who_may(school, world, signed_in):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    page = signed_in(dsl).get(reverse("places:detail", args=[bus_bay.pk])).content.decode()
    assert f'href="{reverse("contexts:detail", args=[assessment.pk])}"' in page
    assert "plan to be reviewed by 4 January 2027" in page and HARM not in page  # a link, never the answers
    offered = reverse("contexts:assess", args=[here.pk]) + f"?subject=location-{bus_bay.pk}"
    assert f'href="{offered}"' in page and "Assess this place" in page
    form = signed_in(dsl).get(offered).content.decode()
    assert "What harm do young people meet" in form  # the link opens the triangle for this place at once
    assert AuditEvent.objects.filter(action="contexts.about", object_id=str(bus_bay.pk)).exists()
    # The group head reads the assessment but does not assess: the link, no offer.
    head = signed_in(world.personas[Role.GROUP_HEAD]).get(reverse("places:detail", args=[bus_bay.pk])).content.decode()
    assert f'href="{reverse("contexts:detail", args=[assessment.pk])}"' in head and "Assess this place" not in head


def test_the_peer_group_page_links_to_its_assessments_only_for_those_who_read_them(school, world, signed_in):
    here, dsl, _ = school
    group = peer_group_save(actor=dsl, establishment=here, name="The skate park group",
                            children=[world.children["here"], _second_child(world, here)])
    client = signed_in(dsl)
    before = client.get(reverse("peergroups:detail", args=[group.pk])).content.decode()
    assert "This peer group has not been assessed as a context yet." in before
    assert f'?subject=group-{group.pk}"' in before and "Assess this peer group" in before
    assessment = services.context_assess(actor=dsl, establishment=here, peer_group=group, summary="Youth worker",
                                         answers={"group": "Filming fights", "guardianship": "None",
                                                  "environment": "Skate park"})
    after = client.get(reverse("peergroups:detail", args=[group.pk])).content.decode()
    assert f'href="{reverse("contexts:detail", args=[assessment.pk])}"' in after
    head = signed_in(world.personas[Role.GROUP_HEAD]).get(reverse("peergroups:detail", args=[group.pk]))
    assert f"/contexts/{assessment.pk}/" in head.content.decode() and "Assess this peer group" not in head.content.decode()


def test_a_referral_about_the_context_is_recorded_encrypted_audited_and_shown_on_the_assessment(
        school, world, signed_in):
    here, dsl, bus_bay = school
    assessment = _assess_place(dsl, here, bus_bay)
    client = signed_in(dsl)
    url = reverse("contexts:referral", args=[assessment.pk])
    typed = client.post(url, {"referral-agency": "", "referral-made_on": "2026-12-25",
                              "referral-reason": "Shelter at the bus bay after 3pm: asked for a patrol"})
    text = typed.content.decode()
    assert typed.status_code == 200 and "There is a problem" in text and "Choose who the referral was made to." in text
    assert "Shelter at the bus bay after 3pm: asked for a patrol" in text and not ContextReferral.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.context_referral_record(actor=dsl, assessment=assessment, agency="police",
                                         made_on=date(2026, 12, 25), reason="x")
    assert "today or in the past" in str(refused.value)
    assert client.post(url, {"referral-agency": "community_safety", "referral-made_on": "2026-11-20",
                             "referral-reason": "Shelter at the bus bay after 3pm: asked for a patrol",
                             "referral-reference": "CSP-4471"}).status_code == 302
    referral = ContextReferral.objects.get()
    assert (referral.agency, referral.made_on, referral.recorded_by) == ("community_safety", date(2026, 11, 20), dsl)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason, reference FROM contexts_contextreferral")
        assert all("patrol" not in value and "4471" not in value for value in cursor.fetchone())
    page = client.get(reverse("contexts:detail", args=[assessment.pk])).content.decode()
    assert "20 Nov 2026, to the community safety partnership</strong> (reference CSP-4471)" in page
    assert AuditEvent.objects.filter(action="context.referral", object_id=str(assessment.pk)).count() == 1
    assert not ChronologyEntry.objects.filter(summary__contains="patrol").exists()  # about a place, not a child
    without = services.context_referral_record(actor=dsl, assessment=assessment, agency="platform",
                                               made_on=date(2026, 11, 21), reason="Reported the group chat")
    assert without.reference is None and ContextReferral.objects.count() == 2  # the reference is optional
    # The group head reads it but may not record one; staff are refused.
    for role in (Role.GROUP_HEAD, Role.STAFF):
        with pytest.raises(NotVisible):
            services.context_referral_record(actor=world.personas[role], assessment=assessment, agency="police",
                                             made_on=date(2026, 11, 20), reason="x")
    assert "Record the referral" not in signed_in(world.personas[Role.GROUP_HEAD]).get(
        reverse("contexts:detail", args=[assessment.pk])).content.decode()
