"""A DSL sees on the inbox that a cluster of children named together has grown, opens the clusters, saves the
cluster as a peer group and writes in its chronology; the cluster is drawn beside its table with a text
alternative; every page passes axe, and a note left empty keeps the
page with its error (CoC 2.4-2.5; CE 3.2, 5.1-5.2)."""

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MORNING = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)
NAMES = ("Ava", "Ben", "Cara", "Dev")


def _world_with_a_growing_cluster(time_machine):
    """Four children at the school named together in two concerns this month: a cluster of four, all new."""
    time_machine.move_to(MORNING - timedelta(days=20), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    school = world.establishments["here"]
    kids = []
    for n, name in enumerate(NAMES):
        child = Child.objects.create(organisation=school.organisation, first_name=name, last_name="Peer",
                                     date_of_birth=date(2012, 3, 1), year_group="Year 9")
        Enrolment.objects.create(child=child, establishment=school, mis_id=f"P{n}")
        kids.append(child)
    for days_ago, named in ((10, kids[:3]), (2, kids[2:])):
        time_machine.move_to(MORNING - timedelta(days=days_ago), tick=True)
        concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=school,
                                occurred_at=MORNING - timedelta(days=days_ago, hours=1),
                                narrative="Messages about a pupil passed round a group chat",
                                idempotency_key=f"journey-{days_ago}",
                                children=[{"child": child, "role": role, "categories": ["coc_bullying"]}
                                          for child, role in zip(named, ("harmed", "alleged_responsible", "witness"),
                                                                 strict=False)])
    time_machine.move_to(MORNING, tick=True)
    return world


def test_a_dsl_sees_a_growing_cluster_saves_it_as_a_peer_group_and_writes_in_its_chronology(
        page, live_server, time_machine):
    world = _world_with_a_growing_cluster(time_machine)
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))

    page.get_by_role("link", name="Concerns", exact=True).click()
    pattern = page.locator("#patterns")
    expect(pattern).to_contain_text("4 children named together in concerns, 4 more than 28 days ago")
    expect(pattern).to_contain_text("A pattern to look at, not a finding about any child.")
    assert_accessible(page)

    page.get_by_role("link", name="Peer groups").click()
    expect(page.get_by_role("heading", name="Peer groups", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Establishment here").click()
    expect(page.get_by_role("heading", name="Peer clusters at Establishment here")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Cluster 1"))
    expect(row).to_contain_text("Grown by 4")
    expect(row).to_contain_text("Cara Peer (harmed or at risk; witness)")
    # The drawn network beside the table, with its text alternative: one circle per child, named by initials.
    drawing = page.get_by_role("img", name=re.compile(r"^Cluster 1: 4 children, 4 pairs named together\. "
                                                      r"The table below holds the same information\.$"))
    expect(drawing).to_be_visible()
    expect(drawing.locator("circle")).to_have_count(4)
    expect(drawing.locator("text")).to_have_text(["AP", "BP", "CP", "DP"])
    expect(page.locator("#drawn-note")).to_contain_text("The table below holds the same information.")
    assert_accessible(page)

    # Saved without a name: the page says why and keeps the cluster's children ticked.
    page.get_by_role("button", name="Save as a peer group (cluster 1)").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    for name in NAMES:
        expect(page.get_by_role("checkbox", name=f"{name} Peer")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Name of the peer group").fill("Group chat, Year 9")
    page.get_by_role("button", name="Save the peer group").click()
    expect(page.get_by_role("heading", name="Group chat, Year 9", level=1)).to_be_visible()
    expect(page.get_by_text("Saved from a cluster of children named together in concerns")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Note").fill("Spoke to the form tutors; the chat has been reported.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("Note added to the peer group's chronology.")).to_be_visible()
    expect(page.locator("ol")).to_contain_text("note by Persona Designated safeguarding lead: Spoke to the form tutors")
    assert_accessible(page)
