"""Training currency (issue 15 section 1; CE 2.0, KCSIE Part two and Annex C; docs/domain/records-lifecycle.md).

Dates worked out by hand. The exploitation course is refreshed every 3 years (CE 2.0) and the all-staff update
every 12 months (KCSIE); both remind 30 days before they are due (the packs' remind_before). On 1 March 2027:
  - done 1 April 2024: due 1 April 2027, reminded from 2 March 2027 (30 days before): current today
  - done 1 March 2026 (the yearly update): due 1 March 2027, today: due soon, still current
  - done 28 February 2024: due 28 February 2027, yesterday: overdue
"""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.policy.packs import shipped_packs
from safekeep.policy.training import Standing, courses_in
from safekeep.training import selectors, services
from safekeep.training.models import TrainingCompletion
from safekeep.training.reminders import send_training_reminders

TODAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
EXPLOITATION, UPDATE, INDUCTION, DSL = ("exploitation-introduction", "base-all-staff-update", "base-induction",
                                        "base-dsl-training")


@pytest.fixture
def here(world, adopted):
    return world.establishments["here"]


@pytest.fixture
def recorded(world, here, time_machine):
    """Alice (the staff persona) is current on everything; Bob (the member of staff at "here") is overdue on the
    exploitation course and has nothing else recorded. Recorded by the head, through the service."""
    time_machine.move_to(TODAY, tick=False)
    head = world.personas[Role.HEAD]
    alice, bob = world.personas[Role.STAFF], world.people["here"]
    for person, code, day in ((alice, EXPLOITATION, date(2024, 4, 1)), (alice, UPDATE, date(2026, 3, 1)),
                              (alice, INDUCTION, date(2020, 9, 1)), (bob, EXPLOITATION, date(2024, 2, 28))):
        services.training_record(actor=head, establishment=here, person=person, course_code=code, completed_on=day)
    return alice, bob


def _standings(person, today):
    return {row.course.code: (row.standing, row.due_on) for row in selectors.training_of(person, today=today)}


def test_each_course_is_due_on_the_day_it_was_done_plus_its_cycle(world, recorded):
    alice, bob = recorded
    today = TODAY.date()
    assert _standings(alice, today) == {
        EXPLOITATION: (Standing.CURRENT, date(2027, 4, 1)),
        UPDATE: (Standing.EXPIRING, date(2027, 3, 1)),
        INDUCTION: (Standing.CURRENT, None),
    }
    # The next day: the exploitation course is inside its 30 days; the yearly update has lapsed.
    tomorrow = date(2027, 3, 2)
    assert _standings(alice, tomorrow)[EXPLOITATION] == (Standing.EXPIRING, date(2027, 4, 1))
    assert _standings(alice, tomorrow)[UPDATE] == (Standing.OVERDUE, date(2027, 3, 1))
    assert _standings(bob, today)[EXPLOITATION] == (Standing.OVERDUE, date(2027, 2, 28))
    assert _standings(bob, today)[UPDATE] == (Standing.NOT_RECORDED, None)
    # DSL training is asked of the DSL, not of a member of staff.
    assert DSL not in _standings(alice, today) and DSL in _standings(world.personas[Role.DSL], today)


def test_the_establishment_sees_who_is_overdue_and_the_share_current(world, recorded, here):
    alice, bob = recorded
    # All staff at "here": Alice, Bob, the DSL, the deputy and the head (a governor is not staff).
    by_course = {c.course.code: c for c in selectors.establishment_currency(here, today=TODAY.date())}
    exploitation = by_course[EXPLOITATION]
    assert (exploitation.people, exploitation.current, exploitation.percent) == (5, 1, 20)
    assert bob in [s.person for s in exploitation.overdue] and len(exploitation.overdue) == 4
    assert alice not in [s.person for s in exploitation.overdue + exploitation.expiring]
    assert [s.person for s in by_course[UPDATE].expiring] == [alice]
    later = {c.course.code: c for c in selectors.establishment_currency(here, today=date(2027, 3, 2))}
    assert [s.person for s in later[EXPLOITATION].expiring] == [alice]
    assert alice in [s.person for s in later[UPDATE].overdue] and later[UPDATE].current == 0


def test_each_shipped_course_is_asked_of_someone(world, recorded):
    """Every course the packs ship reaches a page: each is on someone's own training."""
    asked = set(_standings(world.personas[Role.STAFF], TODAY.date())) | set(_standings(world.personas[Role.DSL],
                                                                                       TODAY.date()))
    assert asked == {course.code for course in courses_in(shipped_packs())}


def test_my_training_shows_what_to_renew_and_the_home_page_flags_it(client, world, recorded, signed_in):
    alice, bob = recorded
    signed_in(bob)
    page = client.get("/training/").content.decode()
    assert "Exploitation - An Introduction (includes Prevent)" in page and "28 February 2027" in page
    assert "Overdue" in page and "Not recorded" in page and "CE 2.0" in page
    home = client.get("/").content.decode()
    assert 'data-flag="my-training"' in home and "Your safeguarding training is overdue" in home
    signed_in(alice)
    assert "Due soon" in client.get("/training/").content.decode()
    assert 'data-flag="my-training"' not in client.get("/").content.decode()


def test_the_head_sees_the_currency_and_a_flag_on_the_home_page(client, world, recorded, here, signed_in):
    alice, bob = recorded
    signed_in(world.personas[Role.HEAD])
    page = client.get(f"/training/establishments/{here.pk}/").content.decode()
    assert "20% (1 of 5)" in page and bob.full_name in page
    home = client.get("/").content.decode()
    # Everyone but Alice has a course overdue or never recorded.
    assert "4 people at Establishment here" in home and 'data-flag="establishment-training"' in home


def test_the_group_head_sees_every_establishment_sorted(client, world, recorded, here, signed_in):
    signed_in(world.personas[Role.GROUP_HEAD])
    page = client.get("/training/establishments/?sort=exploitation-introduction").content.decode()
    rows = [name for name in ("Establishment here", "Establishment region", "Establishment organisation")
            if name in page]
    assert len(rows) == 3 and "Establishment elsewhere" not in page
    # Lowest share current first: the two establishments where nobody is current (0%) before "here" (20%).
    assert page.index("Establishment here") > page.index("Establishment region")
    assert "20%" in page
    assert client.get(f"/training/establishments/{world.establishments['elsewhere'].pk}/").status_code == 404
    assert client.get(f"/training/establishments/{world.establishments['organisation'].pk}/").status_code == 200


def test_someone_at_another_establishment_is_a_404(client, world, recorded, signed_in, here):
    head = world.personas[Role.HEAD]
    signed_in(head)
    assert client.get(f"/training/people/{world.people['here'].pk}/").status_code == 200
    for location in ("region", "elsewhere"):
        assert client.get(f"/training/people/{world.people[location].pk}/").status_code == 404
        response = client.post(f"/training/people/{world.people[location].pk}/",
                               {"course": EXPLOITATION, "completed_on": "2027-02-01"})
        assert response.status_code == 404
    with pytest.raises(NotVisible):
        services.training_record(actor=head, establishment=here, person=world.people["region"],
                                 course_code=EXPLOITATION, completed_on=date(2027, 2, 1))
    with pytest.raises(NotVisible):  # a member of staff records nobody's training
        services.training_record(actor=world.personas[Role.STAFF], establishment=here, person=world.people["here"],
                                 course_code=EXPLOITATION, completed_on=date(2027, 2, 1))
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/training/establishments/{here.pk}/").status_code == 404
    assert client.get(f"/training/people/{world.people['here'].pk}/").status_code == 404


def test_recording_by_hand_keeps_the_words_on_a_bad_date_and_audits_a_good_one(client, world, recorded, signed_in):
    bob = world.people["here"]
    signed_in(world.personas[Role.DSL])
    bad = client.post(f"/training/people/{bob.pk}/", {"course": UPDATE, "completed_on": "2027-03-05",
                                                      "evidence": "Certificate in the staff file"})
    page = bad.content.decode()
    assert bad.status_code == 200 and "in the future" in page and "Certificate in the staff file" in page
    before = TrainingCompletion.objects.count()
    assert before == 4
    good = client.post(f"/training/people/{bob.pk}/", {"course": UPDATE, "completed_on": "2027-02-20",
                                                       "evidence": "Certificate in the staff file"}, follow=True)
    assert "Recorded: " in good.content.decode()
    assert TrainingCompletion.objects.count() == 5
    assert AuditEvent.objects.filter(action="training.record", actor_id=world.personas[Role.DSL].pk).count() == 1
    again = client.post(f"/training/people/{bob.pk}/", {"course": UPDATE, "completed_on": "2027-02-20"})
    assert "already has this course recorded on this day" in again.content.decode()
    assert TrainingCompletion.objects.count() == 5


def _csv(*rows) -> bytes:
    return ("Email,Course,Completed on,Evidence\n" + "".join(f"{row}\n" for row in rows)).encode()


def _upload(client, place, data, name="training.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/training/establishments/{place.pk}/load/", {"file": SimpleUploadedFile(name, data)})


def test_a_file_with_one_bad_row_is_refused_whole_with_each_row_number(client, world, here, signed_in,
                                                                       time_machine):
    time_machine.move_to(TODAY, tick=False)
    signed_in(world.personas[Role.HEAD])
    alice, bob = world.personas[Role.STAFF], world.people["here"]
    data = _csv(f"{alice.email},exploitation-introduction,01/04/2024,Online certificate",
                f"{world.people['region'].email},exploitation-introduction,01/04/2024,",
                f"{bob.email},Exploitation - An Introduction (includes Prevent),31/02/2024,",
                f"{bob.email},First aid,01/01/2027,")
    page = _upload(client, here, data).content.decode()
    assert "Nothing has been loaded: 3 rows need correcting" in page
    assert f"Line 3: “{world.people['region'].email}” is not the email address of anyone with a role at" in page
    assert "Line 4: The date completed “31/02/2024” is not a date like 31/01/2026." in page
    assert "Line 5: “First aid” is not a course Establishment here" in page
    assert "Line 2" not in page
    assert TrainingCompletion.objects.count() == 0
    assert AuditEvent.objects.filter(action="training.import.check", detail__errors=3).exists()


def test_a_checked_file_loads_on_confirm_and_loading_again_adds_nothing(client, world, here, signed_in,
                                                                        time_machine):
    time_machine.move_to(TODAY, tick=False)
    signed_in(world.personas[Role.HEAD])
    alice, bob = world.personas[Role.STAFF], world.people["here"]
    data = _csv(f"{alice.email},exploitation-introduction,01/04/2024,Online certificate",
                f"{bob.email.upper()},Exploitation - An Introduction (includes Prevent),28/02/2024,",
                f"{bob.email},base-induction,2025-09-01,")
    checked = _upload(client, here, data).content.decode()
    assert "Every row of 3 has been checked. Nothing has been saved yet." in checked
    assert TrainingCompletion.objects.count() == 0
    token = checked.split('name="checked" value="')[1].split('"')[0]
    loaded = client.post(f"/training/establishments/{here.pk}/load/", {"checked": token}, follow=True)
    assert "3 training records loaded from training.csv; 0 were already recorded." in loaded.content.decode()
    assert TrainingCompletion.objects.count() == 3
    assert _standings(bob, TODAY.date())[EXPLOITATION] == (Standing.OVERDUE, date(2027, 2, 28))
    again = _upload(client, here, data).content.decode()
    assert "0 new" in again and "3 already recorded" in again
    token = again.split('name="checked" value="')[1].split('"')[0]
    client.post(f"/training/establishments/{here.pk}/load/", {"checked": token})
    assert TrainingCompletion.objects.count() == 3
    assert AuditEvent.objects.filter(action="training.import").count() == 2
    # A token changed on the way back is refused, and nothing is loaded.
    tampered = client.post(f"/training/establishments/{here.pk}/load/", {"checked": token[:-3] + "abc"})
    assert "The checked file has expired" in tampered.content.decode()


def test_the_load_refuses_rows_that_stopped_being_right_after_the_check(world, here, time_machine):
    time_machine.move_to(TODAY, tick=False)
    head = world.personas[Role.HEAD]
    data = _csv(f"{world.people['here'].email},base-induction,01/09/2025,")
    assert services.training_import_check(actor=head, establishment=here, file_name="t.csv", data=data).errors == []
    membership = world.memberships["here"]
    membership.ended_at = TODAY
    membership.save()
    with pytest.raises(ValidationError, match="no longer right"):
        services.training_import(actor=head, establishment=here, file_name="t.csv", data=data)
    assert TrainingCompletion.objects.count() == 0


def test_the_reminder_is_sent_once_per_course_per_cycle(world, recorded, time_machine, smtp_server,
                                                        django_capture_on_commit_callbacks):
    alice, _ = recorded

    def run(day) -> list:
        time_machine.move_to(datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=7), tick=False)
        before = len(smtp_server.messages)
        with django_capture_on_commit_callbacks(execute=True):
            send_training_reminders()
        return smtp_server.messages[before:]

    # 1 March 2027: the yearly update is due today (reminded), the exploitation course not yet (from 2 March).
    first = run(date(2027, 3, 1))
    assert [(m["To"], "All-staff safeguarding" in m.get_body().get_content()) for m in first] == [(alice.email, True)]
    second = run(date(2027, 3, 2))
    assert len(second) == 1 and "Exploitation - An Introduction" in second[0].get_body().get_content()
    body = second[0].get_body().get_content()
    assert "1 April 2027" in body and world.children["here"].last_name not in body
    assert "Establishment here" not in body and "/training/" in body
    assert run(date(2027, 3, 2)) == [] and run(date(2027, 3, 20)) == []
    # Renewed: the next cycle's reminder comes 30 days before 20 March 2030 (18 February), once.
    services.training_record(actor=world.personas[Role.HEAD], establishment=world.establishments["here"],
                             person=alice, course_code=EXPLOITATION, completed_on=date(2027, 3, 20))
    assert run(date(2030, 2, 17)) == []
    assert [m["To"] for m in run(date(2030, 2, 18))] == [alice.email]
    assert run(date(2030, 2, 19)) == []
    assert AuditEvent.objects.filter(action="training.remind").count() >= 3
