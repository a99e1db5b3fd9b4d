"""Peer groups (issue 14 section 2; CoC 2.4-2.5, CE 3.2, 5.1-5.2): the table of children named together, written
with each concern; the clusters page; the inbox's patterns with the child-on-child abuse pack's thresholds; saved
peer groups with their chronology; who may see them, and that every view is audited."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services as concerns
from safekeep.concerns.models import PeerLink
from safekeep.concerns.peers import peer_graph
from safekeep.packs import services as packs
from safekeep.peergroups import network, services
from safekeep.peergroups.models import PeerGroup, PeerGroupEntry
from tests.world import adopt_every_shipped_pack

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday afternoon
PACK = Path(__file__).parents[2] / "safekeep" / "policy" / "packs" / "child-on-child-abuse.yaml"
GREW = "children named together in concerns"
LOOK_AT = "A pattern to look at, not a finding about any child."


@pytest.fixture
def here(world, time_machine):
    """Organisation one follows every shipped policy; eight more children are on roll at the school "here"."""
    time_machine.move_to(NOW, tick=False)
    adopt_every_shipped_pack(world)
    establishment = world.establishments["here"]
    kids = {}
    for n, name in enumerate(("Ava", "Ben", "Cara", "Dev", "Ella", "Finn", "Gus", "Hana")):
        child = Child.objects.create(organisation=establishment.organisation, first_name=name, last_name="Peer",
                                     date_of_birth=date(2012, 3, 1), year_group="Year 9")
        Enrolment.objects.create(child=child, establishment=establishment, mis_id=f"P{n}")
        kids[name] = child
    world.kids = kids
    return world


def _record(world, time_machine, days_ago, *named, about_adult=False):
    """A concern recorded `days_ago` days before NOW naming these (child, role) pairs, through the service."""
    time_machine.move_to(NOW - timedelta(days=days_ago), tick=False)
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": child, "role": role, "categories": ["coc_bullying"] if role != "witness" else []}
                      for child, role in named],
            occurred_at=NOW - timedelta(days=days_ago, hours=1), narrative="Messages passed round a group chat",
            idempotency_key=f"k{days_ago}-{'-'.join(str(c.pk) for c, _ in named)}-{about_adult}",
            about_adult=about_adult, subject_relationship="staff" if about_adult else "",
            subject_description="A supply teacher" if about_adult else "")
    time_machine.move_to(NOW, tick=False)
    return concern


def _links():
    return {(link.child_low_id, link.child_high_id): link for link in PeerLink.objects.all()}


def _inbox(client, signed_in, world, role=Role.DSL) -> str:
    signed_in(world.personas[role])
    return client.get("/concerns/").content.decode()


# --- The table of children named together ----------------------------------------------------------------------

def test_recording_a_concern_writes_each_pair_named_together_with_their_roles(here, time_machine):
    a, b, c = here.kids["Ava"], here.kids["Ben"], here.kids["Cara"]
    _record(here, time_machine, 3, (c, "harmed"), (a, "alleged_responsible"), (b, "witness"))
    links = _links()
    assert set(links) == {(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)}  # the lower id first, whatever the order named
    assert PeerLink.roles_of(links[(a.pk, c.pk)].low_roles) == ["alleged_responsible"]
    assert PeerLink.roles_of(links[(a.pk, c.pk)].high_roles) == ["harmed"]
    assert {link.concern_count for link in links.values()} == {1}

    _record(here, time_machine, 1, (a, "harmed"), (c, "alleged_responsible"))
    again = _links()[(a.pk, c.pk)]
    assert again.concern_count == 2
    assert PeerLink.roles_of(again.low_roles) == ["harmed", "alleged_responsible"]
    assert again.first_named_at == NOW - timedelta(days=3) and again.last_named_at == NOW - timedelta(days=1)
    assert _links()[(a.pk, b.pk)].concern_count == 1


def test_a_concern_about_one_child_an_allegation_or_a_rejected_one_writes_no_pair(here, time_machine):
    a, b = here.kids["Ava"], here.kids["Ben"]
    _record(here, time_machine, 2, (a, "harmed"))
    _record(here, time_machine, 2, (a, "harmed"), (b, "witness"), about_adult=True)
    with pytest.raises(ValidationError), transaction.atomic():
        concerns.concern_submit(actor=here.personas[Role.STAFF], establishment=here.establishments["here"],
                                children=[{"child": a, "role": "harmed"}, {"child": b, "role": "witness"}],
                                occurred_at=NOW, narrative="  ", idempotency_key="empty")
    assert PeerLink.objects.count() == 0


def test_the_rebuild_command_writes_the_same_pairs_from_the_concerns(here, time_machine, capsys):
    a, b, c, d = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev"))
    _record(here, time_machine, 40, (a, "harmed"), (b, "alleged_responsible"))
    _record(here, time_machine, 5, (b, "harmed"), (c, "witness"), (d, "bystander"))
    _record(here, time_machine, 2, (a, "alleged_responsible"), (b, "harmed"))
    columns = ("establishment_id", "child_low_id", "child_high_id", "concern_count", "first_named_at",
               "last_named_at", "low_roles", "high_roles")
    written = sorted(PeerLink.objects.values_list(*columns))
    PeerLink.objects.all().delete()
    call_command("rebuild_peer_links")
    assert sorted(PeerLink.objects.values_list(*columns)) == written
    assert "4 pairs written" in capsys.readouterr().out


# --- The inbox's patterns, with the pack's thresholds (at least 4 children, 2 more than 28 days ago) -------------

def test_a_cluster_is_a_pattern_only_from_four_children(here, client, signed_in, time_machine):
    a, b, c, d = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev"))
    _record(here, time_machine, 10, (a, "harmed"), (b, "alleged_responsible"), (c, "witness"))
    assert GREW not in _inbox(client, signed_in, here)  # 3 children, all new: one short of the size

    _record(here, time_machine, 2, (c, "harmed"), (d, "alleged_responsible"))
    page = _inbox(client, signed_in, here)
    assert "4 children named together in concerns, 4 more than 28 days ago: Ava Peer, Ben Peer, Cara Peer, " \
           "Dev Peer. " + LOOK_AT in page


def test_a_cluster_is_a_pattern_only_once_it_has_grown_by_two(here, client, signed_in, time_machine):
    a, b, c, d, e = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev", "Ella"))
    _record(here, time_machine, 40, (a, "harmed"), (b, "alleged_responsible"), (c, "witness"))
    _record(here, time_machine, 3, (c, "harmed"), (d, "witness"))
    assert GREW not in _inbox(client, signed_in, here)  # 4 children, one more than 28 days ago

    _record(here, time_machine, 1, (d, "harmed"), (e, "witness"))
    assert f"5 {GREW}, 2 more than 28 days ago" in _inbox(client, signed_in, here)


def test_the_thresholds_are_the_adopted_packs(here, client, signed_in, time_machine):
    """A group that adopts a revision asking for 3 children grown by 1 sees the pattern a cluster earlier."""
    a, b, c = here.kids["Ava"], here.kids["Ben"], here.kids["Cara"]
    _record(here, time_machine, 40, (a, "harmed"), (b, "alleged_responsible"))
    _record(here, time_machine, 2, (b, "harmed"), (c, "witness"))
    assert GREW not in _inbox(client, signed_in, here)
    text = PACK.read_text().replace('version: "2025-09-r7"', 'version: "2025-09-local"').replace(
        "at_least_children: 4\n    grown_by: 2", "at_least_children: 3\n    grown_by: 1")
    group_head = here.personas[Role.GROUP_HEAD]
    revised = packs.pack_load(actor=group_head, organisation=here.organisations["one"],
                              file_name="child-on-child-abuse.yaml", text=text)
    packs.pack_adopt(actor=group_head, pack_version=revised, organisation=here.organisations["one"])
    assert f"3 {GREW}, 1 more than 28 days ago" in _inbox(client, signed_in, here)


def test_a_child_harmed_in_one_concern_and_alleged_responsible_in_another_is_a_pattern(
        here, client, signed_in, time_machine):
    a, b, c = here.kids["Ava"], here.kids["Ben"], here.kids["Cara"]
    _record(here, time_machine, 60, (a, "harmed"), (b, "alleged_responsible"))
    assert "as alleged to be responsible in another" not in _inbox(client, signed_in, here)
    _record(here, time_machine, 5, (a, "alleged_responsible"), (c, "harmed"))
    page = _inbox(client, signed_in, here)
    reasons = re.findall(r"([A-Z][a-z]+ Peer): named with other children as harmed or at risk in one concern and as "
                         r"alleged to be responsible in another, one of them in the last 90 days \(CE 3.2: a young "
                         r"person can be both\)\. " + re.escape(LOOK_AT), page)
    assert reasons == ["Ava Peer"]  # Ben and Cara each had one role


def test_a_change_of_role_long_ago_is_not_a_pattern(here, client, signed_in, time_machine):
    a, b, c = here.kids["Ava"], here.kids["Ben"], here.kids["Cara"]
    _record(here, time_machine, 200, (a, "harmed"), (b, "alleged_responsible"))
    _record(here, time_machine, 91, (a, "alleged_responsible"), (c, "harmed"))
    assert "as alleged to be responsible in another" not in _inbox(client, signed_in, here)
    _record(here, time_machine, 89, (a, "witness"), (c, "harmed"))
    assert "Ava Peer: named with other children" in _inbox(client, signed_in, here)


# --- The clusters page ------------------------------------------------------------------------------------------

def test_the_clusters_page_lists_each_cluster_with_its_childrens_roles_and_is_audited(
        here, client, signed_in, time_machine):
    a, b, c, d, e = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev", "Ella"))
    _record(here, time_machine, 20, (a, "harmed"), (b, "alleged_responsible"), (c, "witness"))
    _record(here, time_machine, 4, (c, "harmed"), (d, "alleged_responsible"))
    _record(here, time_machine, 2, (e, "harmed"), (here.kids["Finn"], "bystander"))
    _record(here, time_machine, 500, (here.kids["Gus"], "harmed"), (here.kids["Hana"], "witness"))  # over a year ago
    signed_in(here.personas[Role.DSL])
    page = client.get(f"/peer-groups/establishments/{here.establishments['here'].pk}/").content.decode()
    assert "2 clusters, largest first" in page
    first, second = page.split("Cluster 1</th>")[1].split("Cluster 2</th>")
    assert "Cara Peer" in first and "(harmed or at risk; witness)" in first and "Grown by 4" in first
    assert "Ella Peer" in second and "Finn Peer" in second and "Grown by" not in second
    assert "Gus Peer" not in page  # named together only in a concern recorded more than a year ago
    event = AuditEvent.objects.filter(action="peergroups.clusters.view").get()
    assert event.actor_id == here.personas[Role.DSL].pk and event.establishment_id == here.establishments["here"].pk


def _two_close_groups(world, time_machine):
    """Ava, Ben, Cara and Dev all named together twice; Ella, Finn, Gus and Hana twice; Dev and Ella once: one
    cluster of eight, of two close groups joined by one pair."""
    kids = world.kids
    first, second = [kids[n] for n in ("Ava", "Ben", "Cara", "Dev")], [kids[n] for n in ("Ella", "Finn", "Gus", "Hana")]
    for days_ago in (30, 20):
        _record(world, time_machine, days_ago, *((child, "witness") for child in first))
        _record(world, time_machine, days_ago, *((child, "bystander") for child in second))
    _record(world, time_machine, 5, (kids["Dev"], "harmed"), (kids["Ella"], "alleged_responsible"))


def _svg(page: str) -> str:
    return re.search(r"<svg.*?</svg>", page, re.S).group(0)


def test_the_close_groups_within_a_cluster_are_found_the_same_each_time(here, client, signed_in, time_machine):
    _two_close_groups(here, time_machine)
    signed_in(here.personas[Role.DSL])
    url = f"/peer-groups/establishments/{here.establishments['here'].pk}/"
    page = client.get(url).content.decode()
    assert "1 cluster, largest first" in page and "Close groups within this cluster" in page
    groups = re.findall(r'<ol class="govuk-list govuk-list--number[^>]*>(.*?)</ol>', page)
    assert groups == ["<li>Ava Peer, Ben Peer, Cara Peer, Dev Peer</li><li>Ella Peer, Finn Peer, Gus Peer, Hana Peer</li>"]
    assert "A close group is a pattern to look at, never a finding about a child." in page
    again = client.get(url).content.decode()
    assert re.findall(r'<ol class="govuk-list govuk-list--number[^>]*>(.*?)</ol>', again) == groups
    assert _svg(again) == _svg(page)  # the same data, the same groups and the same drawing

    # Whatever order the pairs are read in, the groups are the same (the seed is fixed, the graph built in order).
    links = list(PeerLink.objects.values_list("child_low_id", "child_high_id", "first_named_at", "last_named_at",
                                              "concern_count"))
    kids = sorted(child.pk for child in here.kids.values())
    groups = {tuple(network.close_groups(peer_graph(order), kids)) for order in (links, links[::-1])}
    assert len(groups) == 1 and [len(group) for group in groups.pop()] == [4, 4]


def test_a_cluster_smaller_than_the_packs_size_is_not_split(here, client, signed_in, time_machine):
    a, b, c, d, e = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev", "Ella"))
    _record(here, time_machine, 9, (a, "harmed"), (b, "witness"), (c, "witness"))
    _record(here, time_machine, 8, (c, "harmed"), (d, "witness"), (e, "witness"))
    signed_in(here.personas[Role.DSL])
    page = client.get(f"/peer-groups/establishments/{here.establishments['here'].pk}/").content.decode()
    row = page.split("Cluster 1</th>")[1].split("</tr>")[0]
    assert "Ava Peer, Ben Peer" not in row and "None found" not in row  # 5 children: under the pack's 6


def test_the_drawing_has_one_circle_per_child_and_names_only_those_the_viewer_may_open(
        here, client, signed_in, time_machine):
    _two_close_groups(here, time_machine)
    Enrolment.objects.filter(child=here.kids["Hana"]).update(end_date=date(2026, 10, 1))  # left last month
    signed_in(here.personas[Role.DSL])
    page = client.get(f"/peer-groups/establishments/{here.establishments['here'].pk}/").content.decode()
    svg = _svg(page)
    assert 'role="img"' in svg and 'aria-label="Cluster 1: 8 children, 13 pairs named together. The table below ' \
                                   'holds the same information."' in svg
    assert svg.count("<circle") == 8 and svg.count("<line") == 13
    assert ">AP<" in svg and "<title>Ava Peer</title>" in svg
    assert "Hana" not in svg and ">HP<" not in svg and svg.count("<text") == 7
    assert "Hana Peer" in page  # the table lists her still, as it did before the drawing
    widths = re.findall(r'stroke-width="(\d)"/>', svg.split("<g>")[0])
    assert sorted(widths) == ["1"] + ["2"] * 12  # Dev and Ella named together once, the others twice


def test_another_cluster_is_drawn_when_asked_and_a_large_one_is_not(here, client, signed_in, time_machine,
                                                                    monkeypatch):
    a, b, c, d, e = (here.kids[n] for n in ("Ava", "Ben", "Cara", "Dev", "Ella"))
    _record(here, time_machine, 9, (a, "harmed"), (b, "witness"), (c, "witness"))
    _record(here, time_machine, 8, (d, "harmed"), (e, "witness"))
    signed_in(here.personas[Role.DSL])
    url = f"/peer-groups/establishments/{here.establishments['here'].pk}/"
    assert "Cluster 1 drawn" in client.get(url).content.decode()
    second = client.get(url, {"cluster": "2"}).content.decode()
    assert "Cluster 2 drawn" in second and _svg(second).count("<circle") == 2
    for asked in ("7", "seven"):
        page = client.get(url, {"cluster": asked}).content.decode()
        assert f"There is no cluster {asked} on this page now, so the drawing shows cluster 1." in page
    monkeypatch.setattr(network, "DRAWN_AT_MOST", 2)
    page = client.get(url).content.decode()
    assert "Cluster 1 has 3 children: only clusters of up to 2 children are drawn" in page and "<svg" not in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEAD, Role.REGIONAL_DIRECTOR, Role.GOVERNOR, Role.DPO,
                                  Role.ADMINISTRATOR])
def test_only_the_safeguarding_team_and_the_group_head_see_the_clusters(here, client, signed_in, role):
    signed_in(here.personas[role])
    assert client.get(f"/peer-groups/establishments/{here.establishments['here'].pk}/").status_code == 404
    assert client.get("/peer-groups/").status_code == 404


def test_an_establishment_elsewhere_answers_404_and_the_refusal_is_audited(here, client, signed_in):
    signed_in(here.personas[Role.DSL])
    for location in ("region", "elsewhere"):
        response = client.get(f"/peer-groups/establishments/{here.establishments[location].pk}/")
        assert response.status_code == 404
    assert AuditEvent.objects.filter(action="peergroups.clusters.view", outcome="denied").count() == 2
    assert client.get("/peer-groups/group/").status_code == 404  # the group-wide clusters: the group head's


def test_the_group_head_sees_clusters_across_establishments_and_it_is_audited(here, client, signed_in,
                                                                              time_machine):
    a, b = here.kids["Ava"], here.kids["Ben"]
    home = here.establishments["region"]
    Enrolment.objects.create(child=b, establishment=home, kind="placement", mis_id="H-B")
    _record(here, time_machine, 3, (a, "harmed"), (b, "alleged_responsible"))
    time_machine.move_to(NOW - timedelta(days=1), tick=False)
    home_lead = here.personas[Role.GROUP_HEAD]
    with transaction.atomic():
        concerns.concern_submit(actor=home_lead, establishment=home, children=[
            {"child": b, "role": "harmed"}, {"child": here.children["region"], "role": "alleged_responsible"}],
            occurred_at=NOW - timedelta(days=1, hours=1), narrative="Taken to a party", idempotency_key="home")
    time_machine.move_to(NOW, tick=False)
    signed_in(here.personas[Role.GROUP_HEAD])
    page = client.get("/peer-groups/group/").content.decode()
    assert "1 cluster, largest first" in page
    assert "Child Region" in page and "Ava Peer" in page
    assert "Establishment here, Establishment region" in page
    assert AuditEvent.objects.filter(action="peergroups.group.view", actor_id=here.personas[Role.GROUP_HEAD].pk
                                     ).exists()
    assert "children named together" not in _inbox(client, signed_in, here, Role.GROUP_HEAD)  # no inbox patterns


# --- Saved peer groups -------------------------------------------------------------------------------------------

def test_a_dsl_saves_a_cluster_as_a_peer_group_and_writes_in_its_chronology(here, client, signed_in, time_machine):
    a, b, c = here.kids["Ava"], here.kids["Ben"], here.kids["Cara"]
    _record(here, time_machine, 3, (a, "harmed"), (b, "alleged_responsible"), (c, "witness"))
    signed_in(here.personas[Role.DSL])
    place = here.establishments["here"].pk
    response = client.post(f"/peer-groups/establishments/{place}/new/",
                           {"name": "Back field at lunch", "children": [a.pk, b.pk, c.pk], "from_cluster": "1"})
    group = PeerGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/peer-groups/{group.pk}/"
    assert group.from_cluster
    client.post(f"/peer-groups/{group.pk}/notes/", {"text": "Spoke to the form tutors about the group."})
    client.post(f"/peer-groups/{group.pk}/children/", {"children": [here.kids["Dev"].pk]})
    page = client.get(f"/peer-groups/{group.pk}/").content.decode()
    assert "Back field at lunch" in page and "Dev Peer" in page
    assert "Saved from a cluster of children named together in concerns by" in page
    assert "Spoke to the form tutors about the group." in page and "added Dev Peer" in page
    actions = list(AuditEvent.objects.filter(action__startswith="peergroup.").values_list("action", flat=True))
    assert actions == ["peergroup.create", "peergroup.note", "peergroup.member.add", "peergroup.view"]
    assert PeerGroupEntry.objects.filter(group=group).count() == 3


def test_a_peer_group_with_no_name_keeps_the_ticks_and_saves_nothing(here, client, signed_in):
    a, b = here.kids["Ava"], here.kids["Ben"]
    signed_in(here.personas[Role.DSL])
    page = client.post(f"/peer-groups/establishments/{here.establishments['here'].pk}/new/",
                       {"name": "", "children": [a.pk, b.pk]}).content.decode()
    assert "Give the peer group a name the team will recognise" in page
    assert re.search(rf'value="{a.pk}"[^>]*checked', page) and re.search(rf'value="{b.pk}"[^>]*checked', page)
    one = client.post(f"/peer-groups/establishments/{here.establishments['here'].pk}/new/",
                      {"name": "Pair", "children": [a.pk]}).content.decode()
    assert "Choose at least two children" in one and 'value="Pair"' in one
    assert PeerGroup.objects.count() == 0 and not AuditEvent.objects.filter(action="peergroup.create").exists()


def test_a_child_from_elsewhere_cannot_be_put_in_a_peer_group(here):
    with pytest.raises(ValidationError) as problem:
        services.peer_group_save(actor=here.personas[Role.DSL], establishment=here.establishments["here"],
                                 name="Mixed", children=[here.kids["Ava"], here.children["elsewhere"]])
    assert "Choose children from this establishment's list." in problem.value.messages
    assert PeerGroup.objects.count() == 0


def test_a_peer_group_elsewhere_answers_404_and_a_note_to_it_writes_nothing(here, client, signed_in):
    group = services.peer_group_save(actor=here.personas[Role.GROUP_HEAD], establishment=here.establishments["here"],
                                     name="Bus stop", children=[here.kids["Ava"], here.kids["Ben"]])
    for role in (Role.STAFF, Role.GOVERNOR, Role.HEAD):
        signed_in(here.personas[role])
        assert client.get(f"/peer-groups/{group.pk}/").status_code == 404
        assert client.post(f"/peer-groups/{group.pk}/notes/", {"text": "x"}).status_code == 404
    assert PeerGroupEntry.objects.filter(group=group).count() == 1  # only its saving
