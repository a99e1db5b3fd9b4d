"""Term dates make school-day deadlines real; a child leaving starts the child protection file's steps
(KCSIE 2025 Annex C: to the new school within 5 school days, separately from the pupil file, receipt confirmed)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.cases.models import Leaving
from safekeep.chronology.models import ChronologyEntry
from safekeep.establishments.models import TermDate

LONDON = ZoneInfo("Europe/London")


def _add_terms(client, school):
    for name, first, last in (("Autumn 2026", "2026-09-01", "2026-12-18"), ("Spring 2027", "2027-01-05",
                                                                           "2027-03-26")):
        assert client.post(f"/establishments/{school.pk}/terms/new/", {
            "name": name, "starts_on": first, "ends_on": last}).status_code == 302


def test_an_administrator_enters_terms_and_overlaps_are_refused(client, world, signed_in):
    school = world.establishments["here"]
    signed_in(world.personas[Role.ADMINISTRATOR])
    _add_terms(client, school)
    overlapping = client.post(f"/establishments/{school.pk}/terms/new/", {
        "name": "Mistake", "starts_on": "2026-12-01", "ends_on": "2027-01-10"})
    assert "These dates overlap a term already entered." in overlapping.content.decode()
    assert TermDate.objects.filter(establishment=school).count() == 2
    assert AuditEvent.objects.filter(action="term.create").count() == 2
    page = client.get(f"/establishments/{school.pk}/").content.decode()
    assert "Autumn 2026 (1 September 2026 to 18 December 2026)" in page
    signed_in(world.personas[Role.DSL])
    assert client.post(f"/establishments/{school.pk}/terms/new/", {
        "name": "X", "starts_on": "2027-04-12", "ends_on": "2027-07-20"}).status_code == 404


def test_a_child_leaving_starts_the_file_steps_counted_in_school_days(client, world, adopted, signed_in,
                                                                      time_machine):
    time_machine.move_to(datetime(2026, 12, 14, 10, 0, tzinfo=LONDON))  # the DSL records it the Monday before
    school, child = world.establishments["here"], world.children["here"]
    signed_in(world.personas[Role.ADMINISTRATOR])
    _add_terms(client, school)
    Action.objects.filter(child=child).update(status="done")
    signed_in(world.personas[Role.DSL])
    response = client.post(f"/cases/{child.pk}/{school.pk}/leaving/", {
        "destination": "Kingsfield Academy", "leaves_on": "2026-12-17"})
    assert response.status_code == 302
    leaving = Leaving.objects.get(child=child)
    steps = {a.action_code: a for a in Action.objects.filter(child=child, status="open")}
    assert set(steps) == {"send-cp-file", "confirm-receipt"}  # nothing a concern would trigger
    # Leaves on Thursday 17 December; the 18th is the last day of term; then 5-8 January: 5 school days.
    assert steps["send-cp-file"].due_at == datetime(2027, 1, 8, 17, 0, tzinfo=LONDON)
    entry = ChronologyEntry.objects.get(kind="case.leaving", object_id=str(leaving.pk))
    assert entry.key_event and "Kingsfield Academy" in entry.summary
    refused = client.post(f"/cases/{child.pk}/{school.pk}/leaving/", {"destination": "", "leaves_on": "2030-01-01"})
    assert "Name the school or college" in refused.content.decode()
    assert Leaving.objects.count() == 1


def test_without_terms_every_working_day_counts_and_staff_cannot_record_it(client, world, adopted, signed_in,
                                                                           time_machine):
    time_machine.move_to(datetime(2026, 12, 14, 10, 0, tzinfo=LONDON))
    school, child = world.establishments["here"], world.children["here"]
    signed_in(world.personas[Role.STAFF])
    assert client.post(f"/cases/{child.pk}/{school.pk}/leaving/", {
        "destination": "Kingsfield Academy", "leaves_on": "2026-12-17"}).status_code == 404
    signed_in(world.personas[Role.DSL])
    client.post(f"/cases/{child.pk}/{school.pk}/leaving/", {"destination": "Kingsfield Academy",
                                                            "leaves_on": "2026-12-17"})
    send = Action.objects.get(child=child, action_code="send-cp-file")
    assert send.due_at == datetime(2026, 12, 24, 17, 0, tzinfo=LONDON)  # 18, 21, 22, 23, 24 December
    assert Leaving.objects.get(child=child).leaves_on == date(2026, 12, 17)
