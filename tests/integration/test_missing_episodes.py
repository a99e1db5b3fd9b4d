"""Missing episodes (issue 14 section 4; CE 5.3, 5.4, 7.8): one write path with chronology and audit, the
return home interview due 72 clock hours after the return (statutory guidance on children who run away or
go missing from home or care), the inbox's pattern at the packs' threshold, encrypted at rest, and only the
safeguarding team (and the group head) ever sees one."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.missing import services
from safekeep.missing.models import MissingEpisode, PoliceDescription
from safekeep.packs import services as packs
from safekeep.policy.packs import SHIPPED
from tests.world import give_role, make_user

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
WHERE_FOUND = "Found by the canal bridge with an older man"
APPEARANCE = "Tall, short dark hair, a red puffer jacket"


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def home(world, adopted):
    """The children's home ("region"), its safeguarding lead, and the child placed there."""
    place = world.establishments["region"]
    lead = make_user("home-lead@example.org", world.organisations["one"], name="Hana Lead")
    give_role(lead, Role.DSL, establishment=place)
    return place, lead, world.children["region"]


def _episode(lead, place, child, went=None, **extra):
    return services.episode_record(actor=lead, establishment=place, child=child, missing_from="care",
                                   went_missing_at=went or london(2026, 11, 20, 21, 30),
                                   reported_by="Sam, care worker on shift", police_reference="PR-2026-114",
                                   **extra)


def test_coming_back_opens_the_return_interview_due_72_hours_later_owned_by_the_homes_lead(home, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    episode = _episode(lead, place, child)
    returned = london(2026, 11, 21, 7, 15)
    services.episode_return(actor=lead, episode=episode, returned_at=returned, where_found=WHERE_FOUND)
    episode.refresh_from_db()
    interview = episode.return_action
    assert interview.due_at == london(2026, 11, 24, 7, 15)  # Saturday 07:15 + 72 hours: Tuesday 07:15
    assert interview.owner_role == "dsl" and interview.owner_label == "Safeguarding lead"
    assert "return home interview" in interview.what.lower()
    assert "run away or go missing" in interview.source and interview.deadline == "72 hours"
    kinds = list(ChronologyEntry.objects.filter(child=child).values_list("kind", flat=True))
    assert {"missing.recorded", "missing.returned", "action.required"} <= set(kinds)
    recorded = ChronologyEntry.objects.get(child=child, kind="missing.recorded")
    assert recorded.occurred_at == london(2026, 11, 20, 21, 30) and recorded.key_event
    actions = set(AuditEvent.objects.filter(actor_id=lead.pk).values_list("action", flat=True))
    assert {"missing.create", "missing.return", "action.create"} <= actions


def test_the_interview_is_not_stretched_by_a_weekend_or_a_bank_holiday(home, time_machine):
    """Clock hours: back on Christmas Eve 2026 (Thursday) at 18:00, due Sunday 27 December at 18:00, through
    Christmas Day and Boxing Day; a working-day count would have given Tuesday 29 December."""
    place, lead, child = home
    time_machine.move_to(london(2026, 12, 24, 19, 0))
    episode = _episode(lead, place, child, went=london(2026, 12, 24, 15, 0))
    services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 12, 24, 18, 0),
                            where_found=WHERE_FOUND)
    episode.refresh_from_db()
    assert episode.return_action.due_at == london(2026, 12, 27, 18, 0)


def test_the_interview_follows_the_pack_not_the_code(world, home, time_machine):
    """A group that revises the baseline's missing section gets its own time and owner, without a code change."""
    place, lead, child = home
    text = (SHIPPED / "statutory-baseline.yaml").read_text().replace('version: "2026-12-r10"', 'version: "own-1"')
    head, missing = text.split("\nmissing:\n", 1)
    missing = missing.replace("deadline: 72 hours", "deadline: 48 hours", 1).replace("owner: dsl", "owner: deputy_dsl", 1)
    text = f"{head}\nmissing:\n{missing}"
    group_head = world.personas[Role.GROUP_HEAD]
    revised = packs.pack_load(actor=group_head, organisation=world.organisations["one"],
                              file_name="statutory-baseline.yaml", text=text)
    packs.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"])
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    episode = _episode(lead, place, child)
    services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 11, 21, 7, 15),
                            where_found=WHERE_FOUND)
    episode.refresh_from_db()
    assert episode.return_action.due_at == london(2026, 11, 23, 7, 15)
    assert episode.return_action.owner_role == "deputy_dsl"


def test_bad_times_are_refused_and_nothing_is_written(home, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    with pytest.raises(ValidationError) as refused:
        services.episode_record(actor=lead, establishment=place, child=child, missing_from="care",
                                went_missing_at=london(2026, 11, 24, 9, 0), reported_by="")
    assert set(refused.value.message_dict) == {"went_missing_at", "reported_by"}
    episode = _episode(lead, place, child)
    with pytest.raises(ValidationError) as refused:
        services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 11, 20, 20, 0),
                                where_found=WHERE_FOUND)
    assert "before they went missing" in str(refused.value)
    assert MissingEpisode.objects.count() == 1 and not Action.objects.filter(action_code="return-interview").exists()
    services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 11, 21, 7, 0), where_found="Home")
    with pytest.raises(ValidationError, match="already recorded"):
        services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 11, 21, 8, 0), where_found="x")
    assert Action.objects.filter(action_code="return-interview").count() == 1


def _raw(table, column) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")
        return "\n".join(str(value) for (value,) in cursor.fetchall())


def test_what_was_said_is_encrypted_in_the_database(home, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    episode = _episode(lead, place, child, circumstances="Left after a phone call from an unknown number")
    services.episode_return(actor=lead, episode=episode, returned_at=london(2026, 11, 21, 7, 0),
                            where_found=WHERE_FOUND)
    services.description_update(actor=lead, establishment=place, child=child, appearance=APPEARANCE,
                                places="The retail park", people="An older man called Dee")
    table = MissingEpisode._meta.db_table
    for column, words in (("where_found", WHERE_FOUND), ("reported_by", "care worker"),
                          ("police_reference", "PR-2026-114"), ("circumstances", "phone call")):
        assert words not in _raw(table, column) and _raw(table, column)
    for column, words in (("appearance", "red puffer"), ("places", "retail park"), ("people", "Dee")):
        assert words not in _raw(PoliceDescription._meta.db_table, column)
    assert MissingEpisode.objects.get().where_found == WHERE_FOUND  # and read back in clear


def test_only_the_safeguarding_team_records_and_the_group_head_only_reads(world, home, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    here = world.establishments["here"]
    for role in (Role.STAFF, Role.REGIONAL_DIRECTOR, Role.GOVERNOR, Role.GROUP_HEAD):
        with pytest.raises(NotVisible):
            services.episode_record(actor=world.personas[role], establishment=here, child=world.children["here"],
                                    missing_from="home", went_missing_at=london(2026, 11, 22, 20, 0),
                                    reported_by="Parent")
    with pytest.raises(NotVisible):  # the school's DSL cannot record about the home's child
        services.episode_record(actor=world.personas[Role.DSL], establishment=place, child=child, missing_from="care",
                                went_missing_at=london(2026, 11, 22, 20, 0), reported_by="Carer")
    with pytest.raises(NotVisible):  # nor about a child who is not at their school, through it
        services.episode_record(actor=world.personas[Role.DSL], establishment=here, child=child, missing_from="care",
                                went_missing_at=london(2026, 11, 22, 20, 0), reported_by="Carer")
    episode = _episode(lead, place, child)
    with pytest.raises(NotVisible):
        services.episode_return(actor=world.personas[Role.GROUP_HEAD], episode=episode,
                                returned_at=london(2026, 11, 21, 7, 0), where_found="Home")
    assert MissingEpisode.objects.count() == 1


def test_pages_answer_404_outside_the_team_and_every_view_is_audited(client, world, home, signed_in, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    episode = _episode(lead, place, child)
    pages = [f"/missing/child/{child.pk}/", f"/missing/child/{child.pk}/description/",
             f"/missing/child/{child.pk}/description/print/"]
    signed_in(lead)
    for page in pages:
        before = AuditEvent.objects.filter(actor_id=lead.pk, outcome="allowed").count()
        answer = client.get(page)
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
        assert AuditEvent.objects.filter(actor_id=lead.pk, outcome="allowed").count() == before + 1
    listing = client.get(pages[0]).content.decode()
    assert "Sam, care worker on shift" in listing and "PR-2026-114" in listing and "Still missing" in listing
    # The school's team and a governor: 404, audited as refused.
    for role in (Role.DSL, Role.GOVERNOR, Role.STAFF):
        signed_in(world.personas[role])
        for page in [*pages, f"/missing/{episode.pk}/return/"]:
            denials = AuditEvent.objects.filter(outcome="denied").count()
            assert client.get(page).status_code == 404, (role, page)
            assert AuditEvent.objects.filter(outcome="denied").count() == denials + 1
    # Another organisation's safeguarding lead: 404 for the child and the episode.
    elsewhere = world.establishments["elsewhere"]
    stranger = make_user("lead-elsewhere@example.org", elsewhere.organisation)
    give_role(stranger, Role.DSL, establishment=elsewhere)
    signed_in(stranger)
    for page in [*pages, f"/missing/{episode.pk}/return/", f"/missing/child/{child.pk}/record/"]:
        assert client.get(page).status_code == 404
    # The group head and the region's director read the list but have no way to record.
    for role in (Role.GROUP_HEAD, Role.REGIONAL_DIRECTOR):
        signed_in(world.personas[role])
        page = client.get(pages[0]).content.decode()
        assert "PR-2026-114" in page and "Record the return" not in page
        assert client.get(f"/missing/{episode.pk}/return/").status_code == 404


def test_a_form_with_errors_keeps_the_words_and_writes_nothing(client, home, signed_in, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    signed_in(lead)
    answer = client.post(f"/missing/child/{child.pk}/record/", {
        "missing_from": "care", "went_missing_at_day": "31", "went_missing_at_month": "11", "went_missing_at_year": "2026",
        "went_missing_at_time": "21:30", "reported_by": "Sam on the late shift", "circumstances": "Left by the back door"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "must be a real date" in page
    assert "Sam on the late shift" in page and "Left by the back door" in page and 'value="31"' in page
    assert not MissingEpisode.objects.exists()
    answer = client.post(f"/missing/child/{child.pk}/record/", {
        "missing_from": "care", "went_missing_at_day": "22", "went_missing_at_month": "11", "went_missing_at_year": "2026",
        "went_missing_at_time": "21:30", "reported_by": "Sam on the late shift"})
    assert answer.status_code == 302
    assert MissingEpisode.objects.get().went_missing_at == london(2026, 11, 22, 21, 30)


def test_the_description_keeps_its_history_and_prints(client, home, signed_in, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    services.description_update(actor=lead, establishment=place, child=child, appearance="Short brown hair")
    time_machine.move_to(london(2026, 11, 24, 9, 0))
    services.description_update(actor=lead, establishment=place, child=child, appearance=APPEARANCE,
                                places="The retail park")
    signed_in(lead)
    page = client.get(f"/missing/child/{child.pk}/description/").content.decode()
    assert APPEARANCE in page and "Earlier versions" in page and "Short brown hair" in page
    printed = client.get(f"/missing/child/{child.pk}/description/print/").content.decode()
    assert APPEARANCE in printed and "The retail park" in printed and "Short brown hair" not in printed
    assert PoliceDescription.objects.filter(child=child).count() == 2


def _inbox_patterns(client) -> str:
    page = client.get("/concerns/").content.decode()
    found = re.search(r'id="patterns">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def test_the_inbox_shows_a_pattern_at_three_episodes_in_90_days_and_not_before(client, world, home, signed_in,
                                                                             time_machine):
    place, lead, child = home
    now = london(2026, 11, 30, 9, 0)
    time_machine.move_to(now)
    _episode(lead, place, child, went=now - timedelta(days=100))  # outside the 90 days: never counted
    _episode(lead, place, child, went=now - timedelta(days=89))
    _episode(lead, place, child, went=now - timedelta(days=10))
    signed_in(lead)
    assert "went missing" not in _inbox_patterns(client)  # two in the 90 days: not yet a pattern
    _episode(lead, place, child, went=now - timedelta(days=1))
    listed = _inbox_patterns(client)
    assert f"{child.first_name} {child.last_name}: went missing 3 times in the last 90 days" in listed
    time_machine.move_to(now + timedelta(days=2))  # the one of 89 days ago falls out of the window
    assert "went missing" not in _inbox_patterns(client)


def test_the_pattern_threshold_is_the_packs(world, home, signed_in, client, time_machine):
    place, lead, child = home
    text = (SHIPPED / "statutory-baseline.yaml").read_text().replace('version: "2026-12-r10"', 'version: "own-2"')
    text = text.replace("    episodes: 3\n    days: 90\n", "    episodes: 2\n    days: 30\n", 1)
    group_head = world.personas[Role.GROUP_HEAD]
    revised = packs.pack_load(actor=group_head, organisation=world.organisations["one"],
                              file_name="statutory-baseline.yaml", text=text)
    packs.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"])
    now = london(2026, 11, 30, 9, 0)
    time_machine.move_to(now)
    _episode(lead, place, child, went=now - timedelta(days=40))
    _episode(lead, place, child, went=now - timedelta(days=20))
    signed_in(lead)
    assert "went missing" not in _inbox_patterns(client)
    _episode(lead, place, child, went=now - timedelta(days=2))
    assert "went missing 2 times in the last 30 days" in _inbox_patterns(client)
    # The group head and the region's director see it too: they read the child's record, episodes included.
    signed_in(group_head)
    assert "went missing 2 times" in _inbox_patterns(client)
    signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    assert "went missing 2 times" in _inbox_patterns(client)


def test_a_child_who_left_the_home_is_out_of_its_teams_reach(world, home, time_machine):
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    episode = _episode(lead, place, child)
    Enrolment.objects.filter(child=child, establishment=place).update(end_date=london(2026, 11, 22, 0, 0).date())
    with pytest.raises(NotVisible):
        services.episode_record(actor=lead, establishment=place, child=child, missing_from="care",
                                went_missing_at=london(2026, 11, 22, 20, 0), reported_by="Carer")
    assert episode.pk


def test_each_error_in_the_summary_links_to_a_box_on_the_page(client, home, signed_in, time_machine):
    """GOV.UK's error summary: a radio group's error goes to its first radio, a date's to its boxes."""
    place, lead, child = home
    time_machine.move_to(london(2026, 11, 23, 9, 0))
    signed_in(lead)
    page = client.post(f"/missing/child/{child.pk}/record/", {"reported_by": "Sam"}).content.decode()
    targets = re.findall(r'<li><a href="#([\w-]+)">', page)
    assert {"id_missing_from_0", "id_went_missing_at"} <= set(targets)
    for target in targets:
        assert f'id="{target}"' in page, target
