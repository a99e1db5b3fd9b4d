"""The termly governor and SLT report and the CE 10.6 exploitation risk review, on a world built through the
services: what each figure counts, what is hidden, who may read which report, and what the next meeting sees."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from weasyprint import HTML

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.governance import selectors, services
from safekeep.governance.models import ExploitationReview
from safekeep.governance.pdf import OwnStylesheetOnly, report_pdf
from safekeep.children.models import Child, Enrolment
from safekeep.peergroups.services import peer_group_save
from tests.world import adopt_every_shipped_pack

# Last term and this term, years from the day the world's own records were made, so only these are counted.
SPRING = datetime(2031, 2, 3, 9, 0, tzinfo=UTC)
SUMMER = datetime(2031, 5, 12, 9, 0, tzinfo=UTC)


def _record(world, key, categories, location="here"):
    concern, _ = concerns.concern_submit(
        actor=world.people[location], establishment=world.establishments[location],
        children=[{"child": world.children[location], "role": "harmed", "categories": categories}],
        occurred_at=datetime.now(UTC), narrative=f"Seen with older youths, note {key}", idempotency_key=key)
    return concern


@pytest.fixture
def recorded(world, time_machine):
    """Two exploitation concerns last term at "here"; six of CSE and one of bullying this term (on 12 May)."""
    adopt_every_shipped_pack(world)
    time_machine.move_to(SPRING, tick=False)
    for n in range(2):
        _record(world, f"spring-{n}", ["cse"])
    time_machine.move_to(SUMMER, tick=False)
    for n in range(6):
        _record(world, f"summer-{n}", ["cse"])
    _record(world, "summer-bullying", ["coc_bullying"])
    return world


def _table(report, key):
    table = next(t for t in report["tables"] if t["key"] == key)
    return {row["label"]: row["cells"] for row in table["rows"]}, table["totals"]


def test_the_report_counts_this_term_against_last_and_hides_small_numbers(recorded):
    report = selectors.establishment_report(recorded.establishments["here"])
    assert report["title"] == "Establishment here"
    assert (report["last_term"], report["this_term"]) == ("Spring term 2031", "Summer term 2031")
    rows, totals = _table(report, "categories")
    assert rows["Child exploitation"] == [None, 6]  # 2 last term: fewer than 5
    assert rows["Child-on-child abuse"] == [None, None]
    assert totals == [None, 7]  # 2 last term would say "2"; this term's 7 leaves 1 spread over hidden rows
    types, _ = _table(report, "exploitation")
    assert types["Child sexual exploitation (CSE)"] == [None, 6]
    forms, form_totals = _table(report, "child_on_child")
    assert forms["Bullying (including cyberbullying)"] == [None, None] and form_totals == [None, None]


def test_governors_see_where_concerns_happen_and_missing_episodes_only_as_suppressed_counts(recorded):
    """Issue 14, section 6: the contexts reach governors as counts, small numbers hidden, never as records."""
    report = selectors.establishment_report(recorded.establishments["here"])
    kinds, totals = _table(report, "places")
    assert kinds["Place not given"] == [None, 7]  # 2 last term: fewer than 5
    assert set(kinds) == {"On site", "Off site", "Online", "Place not given"}
    assert kinds["On site"] == kinds["Online"] == [None, None]
    missing, missing_totals = _table(report, "missing")
    assert set(missing) == {"Home", "Care (their placement)", "Education (school or college)"}
    assert all(cells == [None, None] for cells in missing.values()) and missing_totals == [None, None]
    assert "Seen with older youths" not in str(report)


def test_governors_see_the_peer_groups_watched_and_the_children_in_them_only_as_suppressed_counts(
        recorded, time_machine):
    """Issue 14, sections 2 and 6: the saved peer groups reach governors by size and as children counted once,
    small numbers hidden as in every other table; never a group's name or a child."""
    here, dsl = recorded.establishments["here"], recorded.personas[Role.DSL]
    kids = [recorded.children["here"]]
    for n in range(5):
        kid = Child.objects.create(organisation=here.organisation, first_name=f"Peer{n}", last_name="Watched",
                                   date_of_birth=date(2016, 3, 1), year_group="Year 9")
        Enrolment.objects.create(child=kid, establishment=here, mis_id=f"W{n}")
        kids.append(kid)
    time_machine.move_to(SPRING, tick=False)
    peer_group_save(actor=dsl, establishment=here, name="Skate park group", children=kids[:2])
    time_machine.move_to(SUMMER, tick=False)
    for a, b in ((0, 2), (1, 3), (2, 4), (3, 5), (4, 5)):
        peer_group_save(actor=dsl, establishment=here, name=f"Bus stop group {a}", children=[kids[a], kids[b]])
    report = selectors.establishment_report(here)
    sizes, size_totals = _table(report, "peer_groups")
    assert sizes == {"Up to 3 children": [None, 6], "4 to 6 children": [None, None],
                     "7 children or more": [None, None]}  # one group last term: fewer than 5
    assert size_totals == [None, None]  # with two hidden noughts beside it, 6 would give them away
    children, _ = _table(report, "peer_group_children")
    assert children == {"In one peer group": [None, None], "In two or more": [None, 6]}  # six children, each once
    assert "Skate park" not in str(report) and "Bus stop group" not in str(report) and "Peer0" not in str(report)


def test_the_trust_report_adds_the_establishments_and_counts_in_a_fixed_number_of_queries(recorded, time_machine):
    organisation = recorded.organisations["one"]
    with CaptureQueriesContext(connection) as few:
        selectors.trust_report(organisation)
    for n in range(5):
        _record(recorded, f"region-{n}", ["neglect"], location="region")
    with CaptureQueriesContext(connection) as more:
        report = selectors.trust_report(organisation)
    # One query for the packs and the term, one grouped count per table, one for the establishments' names.
    assert len(more.captured_queries) == len(few.captured_queries) <= 12
    places, totals = _table(report, "establishments")
    assert places["Establishment here"] == [None, 7] and places["Establishment region"] == [None, 5]
    assert places["Establishment organisation"] == [None, None]
    assert "Establishment elsewhere" not in places  # another organisation's school is not the trust's


def test_no_child_and_no_words_of_a_concern_reach_the_report_page_or_pdf(recorded, client, signed_in):
    signed_in(recorded.personas[Role.GOVERNOR])
    page = client.get(f"/governance/establishments/{recorded.establishments['here'].pk}/").content.decode()
    assert "fewer than 5" in page and "Child exploitation" in page
    for secret in ("Child Here", "older youths", recorded.people["here"].full_name):
        assert secret not in page
    fetcher = OwnStylesheetOnly()
    pdf = report_pdf(selectors.establishment_report(recorded.establishments["here"]), fetcher=fetcher)
    assert pdf.startswith(b"%PDF") and fetcher.refused == []


def test_the_pdf_fetches_nothing_from_outside(recorded):
    fetcher = OwnStylesheetOnly()
    report = selectors.establishment_report(recorded.establishments["here"])
    report["title"] = 'Here <img src="https://example.org/track.png"> <link rel="stylesheet" href="file:///etc/passwd">'
    report_pdf(report, fetcher=fetcher)  # the title is escaped: nothing to fetch at all
    report_html = ('<img src="https://example.org/track.png"><link rel="stylesheet" href="file:///etc/passwd">')
    HTML(string=report_html, base_url="safekeep-static:x", url_fetcher=fetcher).write_pdf()
    assert sorted(fetcher.refused) == ["file:///etc/passwd", "https://example.org/track.png"]


def test_the_pdf_is_audited_as_an_export_and_never_stored(recorded, client, signed_in):
    signed_in(recorded.personas[Role.GOVERNOR])
    here = recorded.establishments["here"]
    response = client.get(f"/governance/establishments/{here.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="governance.report.export", establishment_id=here.pk,
                                     actor_id=recorded.personas[Role.GOVERNOR].pk).count() == 1


def test_a_governor_of_one_school_cannot_see_another_or_the_trust(recorded, client, signed_in):
    signed_in(recorded.personas[Role.GOVERNOR])
    other = recorded.establishments["region"]
    assert client.get(f"/governance/establishments/{other.pk}/").status_code == 404
    assert client.get(f"/governance/establishments/{other.pk}/report.pdf").status_code == 404
    response = client.get("/governance/trust/")
    assert response.status_code == 302 and response["Location"] == "/governance/"
    index = client.get("/governance/").content.decode()
    assert "Establishment here" in index and "Establishment region" not in index
    for child_page in (f"/children/{recorded.children['here'].pk}/", f"/concerns/{recorded.concerns['here'].pk}/",
                       f"/api/v1/children/{recorded.children['here'].pk}/"):
        assert client.get(child_page).status_code == 404


def _review(world, *, held_on, decisions, actions_agreed=()):
    here = world.establishments["here"]
    return services.review_record(
        actor=world.personas[Role.GOVERNOR], organisation=here.organisation, establishment=here,
        meeting=ExploitationReview.Meeting.GOVERNANCE, held_on=held_on, reviewed_by="Jo Khan (chair of governors)",
        discussion="CSE concerns rose this term.", decisions=decisions,
        report=selectors.establishment_report(here), actions=list(actions_agreed))


def test_a_review_keeps_the_report_and_its_actions_are_real_actions_the_next_meeting_follows(recorded, client,
                                                                                            signed_in, time_machine):
    review = _review(recorded, held_on=date(2031, 5, 12), decisions="Ask the DSL for a briefing on CSE.",
                     actions_agreed=[{"what": "Brief governors on CSE indicators", "owner_role": "head",
                                      "due_on": date(2031, 6, 16)}])
    action = review.actions.get()
    assert (action.child_id, action.owner_role, action.source) == (None, "head", "CE 10.6")
    assert review.report["tables"][0]["rows"][0]["cells"] is not None
    assert AuditEvent.objects.filter(action="governance.review.create", object_id=str(review.pk)).exists()
    # The report is kept as it stood: later concerns do not change it.
    _record(recorded, "after-review", ["cse"])
    kept = ExploitationReview.objects.get(pk=review.pk).report
    assert kept == review.report

    signed_in(recorded.personas[Role.GOVERNOR])
    next_meeting = client.get(f"/governance/establishments/{recorded.establishments['here'].pk}/reviews/new/")
    page = next_meeting.content.decode()
    assert "Ask the DSL for a briefing on CSE." in page and "Not done yet" in page
    actions.action_complete(actor=recorded.personas[Role.HEAD], action=action, note="Briefing given on 10 January")
    page = client.get(f"/governance/establishments/{recorded.establishments['here'].pk}/reviews/new/").content.decode()
    assert "Brief governors on CSE indicators" in page and "Done" in page and "Not done yet" not in page
    assert Action.objects.get(pk=action.pk).status == "done"


def test_a_review_with_missing_parts_is_refused_with_clear_errors_and_writes_nothing(recorded, client, signed_in):
    signed_in(recorded.personas[Role.GOVERNOR])
    here = recorded.establishments["here"]
    response = client.post(f"/governance/establishments/{here.pk}/reviews/new/", {
        "meeting": "governance", "held_on": "2031-05-12", "reviewed_by": "", "discussion": "Talked",
        "decisions": "", "actions-0-what": "Brief governors", "actions-0-due_on": "not a date"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say who reviewed the report." in page and "Record what the meeting decided" in page
    assert "Enter the date as a real date" in page
    assert not ExploitationReview.objects.exists() and not Action.objects.filter(child__isnull=True).exists()


def test_a_governor_of_one_school_cannot_record_another_schools_review(recorded):
    other = recorded.establishments["region"]
    with pytest.raises(NotVisible):
        services.review_record(actor=recorded.personas[Role.GOVERNOR], organisation=other.organisation,
                               establishment=other, meeting="governance", held_on=date(2031, 5, 12),
                               reviewed_by="x", discussion="x", decisions="x", report={}, actions=[])
