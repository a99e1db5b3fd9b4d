from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from safekeep.accounts import services as accounts
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.packs import services
from safekeep.packs.models import PackAdoption
from safekeep.packs.selectors import adopted_versions, packs_for
from safekeep.policy.deadlines import LONDON
from safekeep.policy.packs import SHIPPED


def _revised(deadline="2 working days", version="2026-12-01"):
    text = (SHIPPED / "child-exploitation.yaml").read_text()
    text = text.replace('version: "2024-01-01-r5"', f'version: "{version}"')
    # The revision gives the local authority referral two working days instead of one.
    marker = "      - code: ce-refer-local-authority\n"
    head, tail = text.split(marker, 1)
    tail = tail.replace("deadline: 1 working day", f"deadline: {deadline}", 1)
    return head + marker + tail


def test_a_group_head_loads_and_adopts_a_revised_policy_without_a_code_change(world, adopted):
    group_head = world.personas[Role.GROUP_HEAD]
    here = world.establishments["here"]
    revised = services.pack_load(actor=group_head, organisation=world.organisations["one"],
                                 file_name="child-exploitation.yaml", text=_revised())
    assert adopted_versions(here)["child-exploitation"].version == "2024-01-01-r5"  # loaded is not adopted
    services.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"])
    assert adopted_versions(here)["child-exploitation"].version == "2026-12-01"
    from safekeep.policy.engine import ConcernFacts, required_actions

    friday = datetime(2026, 11, 6, 16, 0, tzinfo=LONDON)
    actions = required_actions(packs_for(here), ConcernFacts(frozenset(["cse"]), frozenset(), "school", "ENG",
                                                             friday))
    referral = next(a for a in actions if a.code == "ce-refer-local-authority")
    assert (referral.pack_version, referral.due_at) == ("2026-12-01", datetime(2026, 11, 10, 16, 0, tzinfo=LONDON))
    assert PackAdoption.objects.filter(pack_version=adopted["child-exploitation"], ended_at__isnull=False).exists()


def test_a_broken_revision_is_refused_with_its_line_and_nothing_is_stored(world, adopted):
    with pytest.raises(ValidationError) as refused:
        services.pack_load(actor=world.personas[Role.GROUP_HEAD], organisation=world.organisations["one"],
                           file_name="child-exploitation.yaml", text=_revised(deadline="a fortnight"))
    assert "child-exploitation.yaml:" in refused.value.messages[0] and "is not a deadline" in refused.value.messages[0]
    assert set(v.version for v in adopted_versions(world.establishments["here"]).values()) == {"2024-01-01-r5", "2026-12-r10"}


def test_the_same_version_with_different_content_is_refused(world, adopted):
    with pytest.raises(ValidationError, match="Give the revised pack a new version"):
        services.pack_load(actor=world.personas[Role.GROUP_HEAD], organisation=world.organisations["one"],
                           file_name="child-exploitation.yaml", text=_revised(version="2024-01-01-r5"))


def test_only_a_group_head_may_adopt(world, adopted):
    with pytest.raises(NotVisible):
        services.pack_adopt(actor=world.personas[Role.DSL], pack_version=adopted["child-exploitation"],
                            organisation=world.organisations["one"])


def test_an_establishment_may_follow_its_own_version(world, adopted):
    group_head = world.personas[Role.GROUP_HEAD]
    revised = services.pack_load(actor=group_head, organisation=world.organisations["one"],
                                 file_name="child-exploitation.yaml", text=_revised())
    services.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"],
                        establishment=world.establishments["region"])
    assert adopted_versions(world.establishments["region"])["child-exploitation"].version == "2026-12-01"
    assert adopted_versions(world.establishments["here"])["child-exploitation"].version == "2024-01-01-r5"


def test_what_happens_when_shows_actions_owners_deadlines_and_sources(client, world, adopted, signed_in):
    signed_in(world.personas[Role.DSL])
    page = client.get("/policies/", {"category": "cse", "flag": "looked_after"}).content.decode()
    assert "Refer to the local authority children&#x27;s services" in page
    assert "1 working day" in page and "CE 10.1" in page
    assert "Designated safeguarding lead" in page
    assert "Education and Care Child Exploitation Policy" in page


def test_the_api_answers_what_a_hypothetical_concern_would_require(client, world, adopted):
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="x", mfa_passed=True)
    response = client.post("/api/v1/requirements/", {
        "establishment": world.establishments["here"].pk, "categories": ["cse"], "flags": ["immediate_risk"],
        "started_at": "2026-11-06T16:00:00Z"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    police = [a for a in response.json() if a["rule_id"] == "ce-immediate-risk" and "police" in a["what"].lower()]
    assert police and police[0]["due_at"] == "2026-11-06T16:00:00Z" and police[0]["deadline"] == "immediately"
    elsewhere = client.post("/api/v1/requirements/", {"establishment": world.establishments["elsewhere"].pk},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert elsewhere.status_code == 404


def test_the_group_head_uploads_sees_what_changed_and_adopts(client, world, adopted, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed_in(world.personas[Role.GROUP_HEAD])
    broken = client.post("/policies/manage/", {"file": SimpleUploadedFile(
        "child-exploitation.yaml", _revised(deadline="soonish").encode())}).content.decode()
    assert "There is a problem" in broken and "is not a deadline" in broken
    response = client.post("/policies/manage/", {"file": SimpleUploadedFile(
        "child-exploitation.yaml", _revised().encode())})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "What changes from version 2024-01-01-r5" in page
    assert "now due in 2 working days (was 1 working day)" in page
    client.post(response["Location"] + "adopt/")
    assert adopted_versions(world.establishments["here"])["child-exploitation"].version == "2026-12-01"
