"""The trend pages (issue 13 section 2): counts read from the summary tables are right for a world recorded
through the services, the worker's refresh is incremental and correct after new recordings, a DSL sees only
their establishment, and each page reads a fixed number of queries whatever the data size (section 5)."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.referrals import services as referrals
from safekeep.trends.models import TrendCount, TrendRefresh
from safekeep.trends.services import trends_refresh
from tests.world import adopt_every_shipped_pack, build_world

# A Monday in the autumn term of the school year 2026 to 2027 (UK time).
MONDAY = datetime(2026, 11, 2, 15, 30, tzinfo=LONDON)
TUESDAY = MONDAY + timedelta(days=1, hours=-3, minutes=-20)  # 12:10
OCTOBER = datetime(2026, 10, 14, 9, 0, tzinfo=LONDON)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)


def _child(world, first, *, gender, year_group, send="none", looked_after=False, location="here"):
    """A pupil on the school's roll, as the MIS import puts them there."""
    establishment = world.establishments[location]
    child = Child.objects.create(organisation=establishment.organisation, first_name=first, last_name="Pupil",
                                 date_of_birth=datetime(2012, 5, 1).date(), gender=gender, year_group=year_group,
                                 send_status=send, looked_after=looked_after)
    Enrolment.objects.create(child=child, establishment=establishment, mis_id=f"T-{first}")
    return child


def _record(world, time_machine, key, when, children, location="here", at=None, **fields):
    time_machine.move_to(at or when + timedelta(minutes=10))  # recorded ten minutes after it happened, unless said
    concern, _ = concerns.concern_submit(actor=world.people[location], establishment=world.establishments[location],
                                         occurred_at=when, narrative=f"Narrative {key}", idempotency_key=key,
                                         children=children, **fields)
    return concern


@pytest.fixture
def world(db, time_machine):
    """The world, built at the start of the school year (its rows are stamped then, never at the real date)."""
    time_machine.move_to(datetime(2026, 9, 1, 8, 0, tzinfo=LONDON))
    return build_world()


@pytest.fixture
def recorded(world, time_machine):
    """A term's concerns at "here" and one at "region", each recorded through the services at its own time."""
    adopt_every_shipped_pack(world)
    ada = _child(world, "Ada", gender="F", year_group="Year 9", send="support", looked_after=True)
    ben = _child(world, "Ben", gender="M", year_group="Year 8")
    cat = _child(world, "Cat", gender="Female", year_group="Year 8")
    dev = _child(world, "Dev", gender="M", year_group="Year 10", location="region")
    made = {}
    made["cse"] = _record(world, time_machine, "cse", MONDAY,
                          [{"child": ada, "role": "harmed", "categories": ["cse"]}], place=world.places["here"])
    made["coc"] = _record(world, time_machine, "coc", TUESDAY,
                          [{"child": ben, "role": "harmed", "categories": ["coc_bullying"]},
                           {"child": cat, "role": "alleged_responsible", "categories": []}])
    made["rough"] = _record(world, time_machine, "rough", OCTOBER,
                            [{"child": ada, "role": "harmed", "categories": ["neglect"]}], occurred_approximately=True)
    made["region"] = _record(world, time_machine, "region", MONDAY,
                             [{"child": dev, "role": "harmed", "categories": ["cce"]}], location="region")
    # An allegation about an adult takes its restricted route: never counted in the trends.
    made["allegation"] = _record(world, time_machine, "allegation", MONDAY,
                                 [{"child": ben, "role": "harmed", "categories": ["physical_abuse"]}],
                                 about_adult=True, subject_description="A supply teacher",
                                 subject_relationship="contractor")
    dsl = world.personas[Role.DSL]
    # The DSL decides on the child-on-child concern two hours after it was recorded, placing it on the continuum.
    time_machine.move_to(made["coc"].recorded_at + timedelta(hours=2))
    concerns.triage_record(actor=dsl, involved=made["coc"].children_involved.get(child=ben), risk="medium",
                           rationale="Repeated name-calling", categories=["coc_bullying"], outcome="monitor",
                           hackett="problematic", hackett_rationale="Not reciprocal")
    # Half an hour after the rough-timed concern was recorded, the DSL decides it is emotional abuse, not
    # neglect: the trends count the DSL's latest decision.
    time_machine.move_to(made["rough"].recorded_at + timedelta(minutes=30))
    concerns.triage_record(actor=dsl, involved=made["rough"].children_involved.get(), risk="low",
                           rationale="Spoken to at length", categories=["emotional_abuse"],
                           categories_reason="What she said after", outcome="monitor")
    # And refers the CSE concern three hours after it was recorded.
    time_machine.move_to(made["cse"].recorded_at + timedelta(hours=3))
    referrals.referral_record(actor=dsl, establishment=world.establishments["here"], child=ada,
                              agency="childrens_services", made_at=made["cse"].recorded_at + timedelta(hours=3),
                              how="phone", what_shared="The concern", consent="given",
                              lawful_basis="public-task-safeguarding", secure_handling_agreed=True,
                              concern=made["cse"])
    time_machine.move_to(NOW)
    return made


def _table(html: str, table_id: str) -> dict[str, list[str]]:
    """A table of the page as a person reads it: each row's heading and its cells' text."""
    body = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body.split("<tbody", 1)[1], re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if heading:
            cells = [re.sub(r"<span class=\"govuk-visually-hidden\">.*?</span>|<[^>]+>", "", cell).strip()
                     for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            rows[heading.group(1).strip()] = cells
    return rows


def _page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_dsl_sees_their_establishments_counts_from_the_summaries(world, recorded, signed_in):
    call_command("refresh_trends", stdout=io.StringIO())
    client = signed_in(world.personas[Role.DSL])
    html = _page(client, "/trends/")
    assert "Figures as of 10:00" in html
    # The three concerns about children at "here": not the allegation, not the concern at "region".
    assert _table(html, "by-establishment") == {"Establishment here": ["3"]}
    categories = _table(html, "by-category")
    assert categories["Child sexual exploitation (CSE)"] == ["1"]
    assert categories["Emotional abuse"] == ["1"]
    assert "Neglect" not in categories  # as recorded, then changed by the DSL's decision
    assert "Child criminal exploitation (CCE)" not in categories  # that one is at "region"
    assert _table(html, "by-year-group") == {"Year 9": ["2"], "Year 8": ["1"]}
    assert _table(html, "by-looked-after") == {"Looked after": ["2"], "Not looked after": ["1"]}
    assert _table(html, "by-kind-of-place")["On site"] == ["1"]
    assert _table(html, "by-kind-of-place")["Not given"] == ["2"]
    days = _table(html, "by-weekday")
    # The concern whose time was given only roughly is left out of the days and hours.
    assert (days["Monday"], days["Tuesday"], days["Wednesday"]) == (["1"], ["1"], ["0"])
    assert _table(html, "by-hour")["15:00 to 15:59"] == ["1"]
    # Term by term across the years: the world's own concern of January 2026 too, outside the period chosen.
    assert _table(html, "over-terms") == {"Spring term 2025 to 2026": ["1"], "Autumn term 2026 to 2027": ["3"]}

    coc = _page(client, "/trends/child-on-child/")
    assert _table(coc, "coc-by-form")["Bullying (including cyberbullying)"] == ["1"]
    assert _table(coc, "coc-by-hackett")["Problematic"] == ["1"]
    assert _table(coc, "coc-by-gender-mix") == {"Girls only": ["0"], "Boys only": ["0"], "Girls and boys": ["1"],
                                                "Another gender, or not recorded": ["0"]}

    exploitation = _page(client, "/trends/exploitation/")
    types = _table(exploitation, "exploitation-by-type")
    assert types["Child sexual exploitation (CSE)"] == ["1"]
    assert types["Child criminal exploitation (CCE)"] == ["0"]

    clocks = _page(client, "/trends/clocks/")
    triage = _table(clocks, "time-to-triage")
    assert (triage["Within an hour"], triage["1 to 4 hours"], triage["No decision yet"]) == (["1"], ["1"], ["1"])
    assert "Median: 1 to 4 hours (2 concerns measured)." in clocks
    assert _table(clocks, "time-to-referral")["1 to 4 hours"] == ["1"]
    summary = _table(clocks, "clocks-summary")
    assert summary["Referrals made"] == ["1"]
    assert summary["Referrals with no decision from the agency yet"] == ["1"]


def test_the_group_head_sees_every_establishment_and_can_choose_one(world, recorded, signed_in):
    trends_refresh(full=True)
    client = signed_in(world.personas[Role.GROUP_HEAD])
    html = _page(client, "/trends/")
    assert _table(html, "by-establishment") == {"Establishment here": ["3"], "Establishment region": ["1"]}
    chosen = _page(client, f"/trends/?establishment={world.establishments['region'].pk}")
    assert _table(chosen, "by-establishment") == {"Establishment region": ["1"]}
    assert _table(_page(client, "/trends/exploitation/"), "exploitation-by-type")[
        "Child criminal exploitation (CCE)"] == ["1"]


def test_a_dsl_cannot_choose_another_establishment(world, recorded, signed_in):
    trends_refresh(full=True)
    client = signed_in(world.personas[Role.DSL])
    response = client.get(f"/trends/?establishment={world.establishments['region'].pk}")
    # A clear error and their own establishment's figures: never another's.
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some choices could not be used" in html
    assert _table(html, "by-establishment") == {"Establishment here": ["3"]}
    drill = client.get(f"/trends/concerns/?establishment={world.establishments['region'].pk}&measure=all")
    assert drill.status_code == 400
    assert "Narrative" not in drill.content.decode() and "Dev Pupil" not in drill.content.decode()


def test_the_refresh_is_incremental_and_right_after_new_recordings(world, recorded, time_machine):
    first = trends_refresh()
    assert first.full  # the first refresh counts everything
    here = world.establishments["here"]
    rows_of_region = set(TrendCount.objects.filter(establishment=world.establishments["region"])
                         .values_list("pk", flat=True))
    assert rows_of_region
    time_machine.move_to(NOW + timedelta(minutes=5))
    eve = _child(world, "Eve", gender="F", year_group="Year 9")
    _record(world, time_machine, "new", NOW + timedelta(minutes=1), [{"child": eve, "role": "harmed",
                                                                      "categories": ["cse"]}])
    time_machine.move_to(NOW + timedelta(minutes=10))
    second = trends_refresh()
    assert not second.full
    # Only months at "here": November, and the month its new steps fall due in.
    assert 1 <= second.months_refreshed <= 2 < first.months_refreshed
    # Nothing else was recounted: the other establishment's rows are the very same rows.
    assert set(TrendCount.objects.filter(establishment=world.establishments["region"])
               .values_list("pk", flat=True)) == rows_of_region
    november = TrendCount.objects.filter(establishment=here, month=datetime(2026, 11, 1).date())
    assert november.get(measure="category", value="cse").count == 2
    assert november.get(measure="all").count == 3
    # The incremental answer is the full rebuild's answer.
    incremental = set(TrendCount.objects.values_list("establishment_id", "month", "measure", "value", "count"))
    trends_refresh(full=True)
    assert set(TrendCount.objects.values_list("establishment_id", "month", "measure", "value", "count")) == incremental
    # The watermark is the moment the second refresh started reading (the clock ticks on from 10:10).
    assert timedelta(0) <= second.figures_as_of - (NOW + timedelta(minutes=10)) < timedelta(minutes=1)
    assert TrendRefresh.objects.count() == 1


def test_an_action_done_on_time_and_one_come_due_are_counted_when_the_worker_next_runs(world, recorded,
                                                                                     time_machine):
    trends_refresh(full=True)
    dsl, here = world.personas[Role.DSL], world.establishments["here"]
    open_here = Action.objects.filter(establishment=here, status=Action.Status.OPEN, due_at__gt=NOW).order_by("due_at")
    soonest = open_here.first()
    actions.action_complete(actor=dsl, action=soonest, note="Done")
    time_machine.move_to(soonest.due_at + timedelta(minutes=1))
    trends_refresh()
    due = Action.objects.filter(due_at__lte=soonest.due_at + timedelta(minutes=1)).exclude(
        status=Action.Status.CANCELLED).exclude(concern_id=recorded["allegation"].pk)
    counted = TrendCount.objects.filter(measure="actions")
    assert sum(counted.filter(value="due").values_list("count", flat=True)) == due.count()
    assert sum(counted.filter(value="on_time").values_list("count", flat=True)) >= 1


def test_the_csv_has_the_tables_figures_and_is_formula_safe(world, recorded, signed_in):
    trends_refresh(full=True)
    client = signed_in(world.personas[Role.DSL])
    response = client.get("/trends/concerns.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == ["Table", "Row", "Column", "Value", "Period", "Figures as of"]
    assert ["Concerns: Concerns by establishment", "Establishment here", "Concerns", "3",
            "School year 2026 to 2027", "2026-11-16 10:00"] in lines
    # No child's name and no narrative: only counts.
    text = "\n".join(",".join(line) for line in lines)
    assert "Ada" not in text and "Narrative" not in text


def test_drilling_into_a_count_lists_the_concerns_behind_it_that_the_person_may_read(world, recorded, signed_in):
    trends_refresh(full=True)
    client = signed_in(world.personas[Role.DSL])
    html = _page(client, "/trends/")
    link = re.search(r'<a class="govuk-link" href="([^"]+)">1<span class="govuk-visually-hidden"> Child sexual '
                     r'exploitation', html).group(1).replace("&amp;", "&")
    drilled = _page(client, link)
    assert f'/concerns/{recorded["cse"].pk}/' in drilled
    assert f'/concerns/{recorded["coc"].pk}/' not in drilled
    # The regional director follows cases in the region but not allegations: the allegation is never listed.
    director = signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    everything = _page(director, "/trends/concerns/?measure=all")
    assert f'/concerns/{recorded["region"].pk}/' in everything
    assert f'/concerns/{recorded["allegation"].pk}/' not in everything


def _queries(client, path) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


PAGES = ("/trends/", "/trends/child-on-child/", "/trends/exploitation/", "/trends/clocks/", "/trends/clocks.csv",
         "/trends/concerns/?measure=category&value=cse")


@pytest.mark.parametrize("path", PAGES)
def test_each_trend_page_reads_a_fixed_number_of_queries_whatever_the_data_size(world, recorded, signed_in,
                                                                              time_machine, path):
    trends_refresh(full=True)
    client = signed_in(world.personas[Role.GROUP_HEAD])
    before = _queries(client, path)
    for i in range(6):
        child = _child(world, f"More{i}", gender="M" if i % 2 else "F", year_group=f"Year {7 + i}")
        _record(world, time_machine, f"more-{i}", OCTOBER + timedelta(days=i, hours=i),
                [{"child": child, "role": "harmed", "categories": ["cse", "coc_bullying"]}],
                at=NOW + timedelta(minutes=1, seconds=i))
    time_machine.move_to(NOW + timedelta(minutes=2))
    assert trends_refresh().months_refreshed
    assert _queries(client, path) == before
    assert before <= 16
