"""One place for need to know (issue 10, section 3; ADR 0009): `can(actor, permission, obj)` answers for
every layer, and no page or API endpoint decides with a role lookup of its own."""

import io
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from PIL import Image

from safekeep.attachments import services as attachments
from safekeep.audit.models import AuditEvent
from safekeep.authz import access
from safekeep.authz.roles import Permission, Role
from safekeep.concerns import services as concerns

SAFEKEEP = Path(__file__).resolve().parents[2] / "safekeep"


def _allegation_about(world, subject_role):
    return concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), narrative="Grabbed her arm in the corridor.",
        idempotency_key=uuid.uuid4().hex, about_adult=True, subject=world.personas[subject_role],
        subject_relationship="staff")[0]


@pytest.mark.parametrize("role, follows", [
    (Role.STAFF, False), (Role.DSL, True), (Role.DEPUTY_DSL, True), (Role.HEAD, True),
    (Role.REGIONAL_DIRECTOR, True), (Role.GROUP_HEAD, True), (Role.GOVERNOR, False), (Role.DPO, False),
    (Role.ADMINISTRATOR, False),
])
def test_who_follows_the_case_of_a_concern(world, role, follows):
    concern = world.concerns["here"]
    assert access.can(world.personas[role], Permission.CHILD_VIEW, concern) is follows
    assert access.can(world.personas[role], Permission.CHILD_VIEW, world.concerns["elsewhere"]) is False


@pytest.mark.parametrize("role, follows", [
    (Role.STAFF, False),  # recorded it: their own words, not the case
    (Role.DSL, False),  # the subject, whatever their role
    (Role.DEPUTY_DSL, True), (Role.HEAD, True), (Role.GROUP_HEAD, True),
    (Role.REGIONAL_DIRECTOR, False),  # child.view, but not allegation.view
])
def test_an_allegation_needs_allegation_view_and_never_its_subject(world, adopted, role, follows):
    allegation = _allegation_about(world, Role.DSL)
    assert access.can(world.personas[role], Permission.CHILD_VIEW, allegation) is follows
    assert access.role_for(world.personas[role], Permission.CHILD_VIEW, allegation) == (role.value if follows else "")


def test_a_template_asks_can_through_the_tag(world):
    page = Template('{% load authz %}{% can "child.view" concern as team %}{% if team %}the case{% else %}'
                    'their words{% endif %}')
    for role, shown in ((Role.DSL, "the case"), (Role.STAFF, "their words")):
        request = RequestFactory().get("/")
        request.user = world.personas[role]
        assert page.render(Context({"request": request, "concern": world.concerns["here"]})) == shown


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    return SimpleUploadedFile("arm.png", out.getvalue(), content_type="image/png")


def test_the_adult_an_allegation_is_about_adds_nothing_to_it_whatever_their_role(world):
    """Adding to a concern asks can() as reading it does (DESIGN.md section 1): the DSL it is about may not
    add an addendum or a photo; the deputy may, and the audit row names the role that let them."""
    allegation = _allegation_about(world, Role.DSL)
    with pytest.raises(access.NotVisible):
        concerns.addendum_add(actor=world.personas[Role.DSL], concern=allegation, text="It never happened.")
    with pytest.raises(access.NotVisible):
        attachments.attachment_add(actor=world.personas[Role.DSL], concern=allegation, upload=_photo())
    assert not allegation.addenda.exists() and not allegation.attachments.exists()
    concerns.addendum_add(actor=world.personas[Role.DEPUTY_DSL], concern=allegation, text="Spoke to the LADO.")
    row = AuditEvent.objects.get(action="concern.addendum", object_id=str(allegation.pk))
    assert row.role == Role.DEPUTY_DSL.value


def test_no_page_api_or_case_selector_decides_with_a_role_lookup_of_its_own():
    """Every module outside authz (pages, API endpoints, services, selectors, tasks, template tags) asks
    authz.access (can, role_for, establishments_where), never role_at: the decision is made in one place."""
    modules = [path for path in SAFEKEEP.rglob("*.py") if SAFEKEEP / "authz" not in path.parents]
    assert SAFEKEEP / "actions" / "services.py" in modules and SAFEKEEP / "meetings" / "selectors.py" in modules
    deciding = [str(path.relative_to(SAFEKEEP)) for path in modules if re.search(r"\brole_at\(", path.read_text())]
    assert deciding == []


def test_can_refuses_what_it_cannot_place(world):
    with pytest.raises(TypeError):
        access.can(world.personas[Role.DSL], Permission.CHILD_VIEW, object())
