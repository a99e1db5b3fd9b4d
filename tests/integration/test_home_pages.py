"""The home pages that say what needs each person now (issue 13, section 1; docs/domain/oversight.md).

One world, built through the services at set moments of the autumn term of 2026 and read on Wednesday
25 November 2026 at 10:00: the safeguarding lead's figures, the head's (with the clocks missed this
term), and the side-by-side rows of the regional director and the group head. Each figure is checked
against the list behind it, and against what the person may see: an allegation about the head is
hidden from the head and from the regional director; the regional director never sees region two.
"""

import re
import uuid
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.core.clock import LONDON
from safekeep.oversight import views as oversight_views
from safekeep.establishments import services as establishments
from safekeep.packs import services as packs
from safekeep.referrals import services as referrals
from tests.world import build_world, give_role, make_user, sign_in

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday in the autumn term


def at(time_machine, *when):
    time_machine.move_to(datetime(*when, tzinfo=LONDON), tick=False)


def _concern(world, location, key, **flags):
    concern, _ = concerns.concern_submit(
        actor=world.people[location], establishment=world.establishments[location], narrative=f"Seen upset {key}",
        children=[{"child": world.children[location], "role": "harmed", "categories": []}],
        occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=LONDON), idempotency_key=uuid.uuid4().hex, **flags)
    return concern


def _action(world, location, what, due):
    return actions.action_add(actor=world.personas[Role.GROUP_HEAD], establishment=world.establishments[location],
                              child=world.children[location], what=what, owner_role="dsl",
                              due_at=datetime(*due, tzinfo=LONDON))


def _refer(world, location):
    return referrals.referral_record(
        actor=world.personas[Role.GROUP_HEAD], establishment=world.establishments[location],
        child=world.children[location], agency="childrens_services", contact=world.contacts[location],
        made_at=clock.now(), how="phone", what_shared="The concern and the chronology.",
        consent="given", lawful_basis="public-task-safeguarding", secure_handling_agreed=True)


@pytest.fixture
def home_world(db, time_machine):
    at(time_machine, 2026, 8, 10, 9, 0)  # the summer holiday: the world's own records fall in no term
    world = build_world()
    group_head, admin = world.personas[Role.GROUP_HEAD], world.personas[Role.ADMINISTRATOR]
    for version in packs.shipped_packs_install():
        if version.pack == "statutory-baseline":
            packs.pack_adopt(actor=group_head, pack_version=version, organisation=world.organisations["one"])
    for location in ("here", "region"):  # region two's school has no term dates loaded
        for name, first, last in (("Summer 2026", date(2026, 4, 20), date(2026, 7, 22)),
                                  ("Autumn 2026", date(2026, 9, 2), date(2026, 12, 18))):
            establishments.term_add(actor=admin, establishment=world.establishments[location], name=name,
                                    starts_on=first, ends_on=last)
    dsl, head = world.personas[Role.DSL], world.personas[Role.HEAD]
    # Last term (summer) at "here": a concern read an hour after it came, and an action never done.
    at(time_machine, 2026, 7, 1, 10, 0)
    world.last_term = _concern(world, "here", "in the summer")
    at(time_machine, 2026, 7, 1, 11, 0)
    concerns.concern_mark_read(actor=dsl, concern=world.last_term)
    world.left_open = _action(world, "here", "Ask the school nurse to check in", (2026, 7, 10, 12, 0))
    # This term (autumn): actions done late, on time and cancelled.
    at(time_machine, 2026, 11, 2, 9, 0)
    world.done_late = _action(world, "here", "Meet the parents", (2026, 11, 10, 12, 0))
    world.done_on_time = _action(world, "here", "Update the safety plan", (2026, 11, 20, 12, 0))
    world.cancelled = _action(world, "here", "Book an interpreter", (2026, 11, 18, 12, 0))
    at(time_machine, 2026, 11, 12, 9, 0)
    actions.action_complete(actor=dsl, action=world.done_late, note="Met them on Thursday")
    at(time_machine, 2026, 11, 16, 9, 0)
    world.answered = _refer(world, "here")
    at(time_machine, 2026, 11, 16, 15, 0)
    referrals.referral_outcome_record(actor=dsl, referral=world.answered, outcome="accepted",
                                      received_at=clock.now(), response="agree")
    at(time_machine, 2026, 11, 17, 9, 0)
    actions.action_cancel(actor=dsl, action=world.cancelled, reason="The family speak English at home")
    at(time_machine, 2026, 11, 19, 9, 0)
    actions.action_complete(actor=dsl, action=world.done_on_time, note="Reviewed with her")
    at(time_machine, 2026, 11, 20, 10, 0)  # a Friday: the answer is due on Monday at 10:00
    world.unanswered = _refer(world, "here")
    at(time_machine, 2026, 11, 23, 9, 0)
    world.allegation, _ = concerns.concern_submit(
        actor=world.people["here"], establishment=world.establishments["here"], narrative="Said the head shouted",
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=clock.now(), idempotency_key=uuid.uuid4().hex, about_adult=True, subject=head,
        subject_relationship="staff")
    at(time_machine, 2026, 11, 24, 9, 0)
    world.urgent = _concern(world, "here", "at risk now", immediate_risk=True)
    world.elsewhere_in_region = _concern(world, "region", "at the home")
    world.region_two = _concern(world, "organisation", "in region two")
    at(time_machine, 2026, 11, 25, 9, 0)
    world.waiting = _refer(world, "here")  # due tomorrow at 09:00
    world.unread = _concern(world, "here", "this morning")
    world.due_today = _action(world, "here", "Call the social worker back", (2026, 11, 25, 16, 0))
    world.due_tomorrow = _action(world, "here", "Send the chronology", (2026, 11, 26, 9, 0))
    at(time_machine, *NOW.timetuple()[:5])
    return world


FIGURE = re.compile(r'<a ([^>]*data-figure="(\w+)"[^>]*)>(\d+)<span')
ROW = re.compile(r'<tr class="govuk-table__row" data-establishment="(\d+)">(.*?)</tr>', re.S)
# What each list's rows link to: one record per row.
RECORDS = re.compile(r'href="/(concerns|actions|referrals|children)/(\d+)/"')


def _figures(html) -> dict:
    """{figure: (number, the list behind it)} for the figures in this piece of a page."""
    return {name: (int(number), re.search(r'href="([^"]+)"', attrs).group(1).replace("&amp;", "&"))
            for attrs, name, number in FIGURE.findall(html)}


def _records(client, path) -> set:
    response = client.get(path)
    assert response.status_code == 200, path
    return {(kind, int(pk)) for kind, pk in RECORDS.findall(response.content.decode())}


def _home(client, user, path="/"):
    sign_in(client, user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _each_figure_is_its_list(client, figures):
    for name, (number, path) in figures.items():
        assert len(_records(client, path)) == number, f"{name}: {number} on the home page, the list at {path} differs"


DSL_FIGURES = {"urgent": 1, "unread": 4, "due_today": 1, "overdue": 8, "open_concerns": 5, "open_cases": 1,
               "referrals_late": 1, "referrals_waiting": 1}


def test_the_safeguarding_lead_sees_what_needs_them_now_and_each_figure_is_the_list_behind_it(client, home_world):
    html = _home(client, home_world.personas[Role.DSL])
    figures = _figures(html)
    assert {name: number for name, (number, _) in figures.items()} == DSL_FIGURES
    assert "What needs you now at Establishment here" in html
    assert "1 pattern to look at" in html  # the child here: three concerns in a few days
    assert "Clocks missed this term" not in html  # the head's figure
    _each_figure_is_its_list(client, figures)
    # The lists are exactly the records: the urgent one, the late and waiting referrals, the action for today.
    assert _records(client, figures["urgent"][1]) == {("concerns", home_world.urgent.pk)}
    assert _records(client, figures["referrals_late"][1]) == {("referrals", home_world.unanswered.pk)}
    assert _records(client, figures["referrals_waiting"][1]) == {("referrals", home_world.waiting.pk)}
    assert _records(client, figures["due_today"][1]) == {("actions", home_world.due_today.pk)}
    assert _records(client, figures["open_cases"][1]) == {("children", home_world.children["here"].pk)}


def test_the_head_sees_the_clocks_missed_this_term_and_nothing_of_the_allegation_about_them(client, home_world):
    html = _home(client, home_world.personas[Role.HEAD])
    figures = _figures(html)
    # The allegation about the head is not counted: one concern fewer, and its two late steps.
    assert {name: number for name, (number, _) in figures.items()} == DSL_FIGURES | {
        "unread": 3, "open_concerns": 4, "overdue": 6, "clocks_missed": 6}
    assert "Autumn 2026: actions done late or still overdue" in html
    _each_figure_is_its_list(client, figures)
    missed = _records(client, figures["clocks_missed"][1])
    # Done late this term, and still open past its time; not the one done on time, cancelled, or due in summer.
    assert ("actions", home_world.done_late.pk) in missed
    assert ("actions", home_world.unanswered.chase_action_id) in missed
    assert not missed & {("actions", a.pk) for a in (home_world.done_on_time, home_world.cancelled,
                                                     home_world.left_open, home_world.due_today)}
    for _, path in figures.values():
        page = client.get(path).content.decode()
        assert f"/concerns/{home_world.allegation.pk}/" not in page and "allegation" not in page.lower()


def test_the_regional_director_compares_their_region_only_and_never_sees_the_allegation(client, home_world):
    html = _home(client, home_world.personas[Role.REGIONAL_DIRECTOR])
    rows = {int(pk): _figures(row) for pk, row in ROW.findall(html)}
    here, region = home_world.establishments["here"], home_world.establishments["region"]
    assert set(rows) == {here.pk, region.pk}  # region two is another regional director's
    assert "What needs you now" not in html
    numbers = {pk: {name: number for name, (number, _) in row.items()} for pk, row in rows.items()}
    assert numbers[here.pk] == {"open_concerns": 4, "overdue": 6, "referrals_late": 1, "clocks_missed": 6,
                                "concerns_this_term": 2, "concerns_last_term": 1}
    assert numbers[region.pk] == {"open_concerns": 2, "overdue": 1, "referrals_late": 0, "clocks_missed": 1,
                                  "concerns_this_term": 1, "concerns_last_term": 0}
    for row in rows.values():
        _each_figure_is_its_list(client, row)
    assert _records(client, rows[here.pk]["concerns_last_term"][1]) == {("concerns", home_world.last_term.pk)}
    # Another region's lists answer 404, as if the establishment did not exist.
    elsewhere = home_world.establishments["organisation"].pk
    for path in (f"/oversight/clocks-missed/?establishment={elsewhere}",
                 f"/oversight/referrals-awaiting/?establishment={elsewhere}&window=late",
                 f"/oversight/open-cases/?establishment={elsewhere}"):
        assert client.get(path).status_code == 404
    page = client.get(f"/concerns/?establishment={elsewhere}").content.decode()
    assert f"/concerns/{home_world.region_two.pk}/" not in page


def test_the_group_head_sees_every_establishment_sorted_as_they_choose(client, home_world):
    html = _home(client, home_world.personas[Role.GROUP_HEAD])
    order = [int(pk) for pk, _ in ROW.findall(html)]
    e = home_world.establishments
    assert order[0] == e["here"].pk  # the most overdue actions first
    rows = {int(pk): row for pk, row in ROW.findall(html)}
    assert {name: number for name, (number, _) in _figures(rows[e["here"].pk]).items()} == {
        "open_concerns": 5, "overdue": 8, "referrals_late": 1, "clocks_missed": 8, "concerns_this_term": 3,
        "concerns_last_term": 1}
    assert rows[e["organisation"].pk].count("No term dates") == 3  # region two's school has loaded none
    assert e["elsewhere"].name not in html
    _each_figure_is_its_list(client, _figures(rows[e["here"].pk]))
    assert 'aria-sort="descending"><a class="govuk-link" href="?sort=overdue">Overdue actions' in html
    by_name = client.get("/?sort=name").content.decode()
    assert [int(pk) for pk, _ in ROW.findall(by_name)] == [e["here"].pk, e["organisation"].pk, e["region"].pk]
    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=-name">Establishment' in by_name
    # Fewest concerns this term first: region two's school has no term, so it comes last either way.
    fewest = client.get("/?sort=this_term").content.decode()
    assert [int(pk) for pk, _ in ROW.findall(fewest)] == [e["region"].pk, e["here"].pk, e["organisation"].pk]
    assert [int(pk) for pk, _ in ROW.findall(client.get("/?sort=nonsense").content.decode())] == order


def test_the_group_heads_table_comes_a_page_at_a_time_in_the_order_chosen(client, home_world, monkeypatch):
    """A group of 200 establishments is four pages of 50, each well inside the page budget (issue 12)."""
    monkeypatch.setattr(oversight_views, "COMPARED_PAGE", 2)
    e = home_world.establishments
    _home(client, home_world.personas[Role.GROUP_HEAD])
    first = client.get("/?sort=name").content.decode()
    assert [int(pk) for pk, _ in ROW.findall(first)] == [e["here"].pk, e["organisation"].pk]
    assert "One row per establishment: 1 to 2 of 3." in first
    assert 'href="?sort=name&amp;page=2" rel="next"' in first
    second = client.get("/?sort=name&page=2").content.decode()
    assert [int(pk) for pk, _ in ROW.findall(second)] == [e["region"].pk]
    assert "3 to 3 of 3" in second and 'rel="prev"' in second and 'aria-current="page">2<' in second
    # A page that is not a number, or past the end, shows a page that exists rather than an error.
    assert [int(pk) for pk, _ in ROW.findall(client.get("/?sort=name&page=nine").content.decode())] == [
        e["here"].pk, e["organisation"].pk]
    assert [int(pk) for pk, _ in ROW.findall(client.get("/?sort=name&page=40").content.decode())] == [e["region"].pk]


def test_staff_keep_their_links_and_see_no_figures(client, home_world):
    html = _home(client, home_world.people["here"])
    assert "Find a child" in html and "data-figure" not in html
    governor = _home(client, home_world.personas[Role.GOVERNOR])
    assert "data-figure" not in governor and "Find a child" not in governor


def test_a_narrowed_list_with_bad_dates_says_so_and_shows_every_concern(client, home_world):
    _home(client, home_world.personas[Role.DSL])
    response = client.get("/concerns/?recorded_from=2026-13-01&recorded_to=2026-11-30")
    assert response.status_code == 200
    assert "This list could not be narrowed" in response.content.decode()
    assert len({pk for kind, pk in RECORDS.findall(response.content.decode()) if kind == "concerns"}) == 5
    assert client.get("/oversight/open-cases/?establishment=banana").status_code == 200
    assert client.get("/actions/?due=soon").status_code == 200


def test_a_closed_case_is_not_an_open_one(client, home_world, time_machine):
    """A case closes once every action for the child there is done or cancelled (docs/domain/referrals-and-cases)."""
    gh, place, child = home_world.personas[Role.GROUP_HEAD], home_world.establishments["region"], \
        home_world.children["region"]
    for action in Action.objects.filter(establishment=place, child=child, status="open"):
        actions.action_cancel(actor=gh, action=action, reason="Closing the case")
    cases.case_close(actor=gh, child=child, establishment=place, reason="No further concerns")
    lead = make_user("home-lead@example.org", home_world.organisations["one"])
    give_role(lead, Role.DSL, establishment=place)
    figures = _figures(_home(client, lead))
    assert figures["open_cases"][0] == 0
    cases.case_reopen(actor=gh, child=child, establishment=place, reason="A new worry")
    assert _figures(client.get("/").content.decode())["open_cases"][0] == 1


def _queries(client, path="/") -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


@pytest.mark.parametrize("role", [Role.GROUP_HEAD, Role.REGIONAL_DIRECTOR, Role.DSL, Role.HEAD])
def test_a_home_page_reads_the_same_number_of_queries_however_many_establishments_and_records(
        client, home_world, role):
    sign_in(client, home_world.personas[role])
    before = _queries(client)
    admin = home_world.personas[Role.ADMINISTRATOR]
    region = home_world.establishments["here"].region
    for n in range(3):
        place = establishments.establishment_create(actor=admin, organisation=home_world.organisations["one"],
                                                    region=region, name=f"New school {n}", kind="school")
        establishments.term_add(actor=admin, establishment=place, name="Autumn 2026", starts_on=date(2026, 9, 2 + n),
                                ends_on=date(2026, 12, 18))
    for n in range(3):
        _concern(home_world, "here", f"more {n}")
        _concern(home_world, "region", f"more {n}")
    assert _queries(client) == before
