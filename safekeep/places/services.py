"""Writing a place's record: the team's notes, the site plan and where each place is pinned on it. Each service
checks permission, writes the change and its audit event in one transaction (house rule 1). A place is about no
one child, so nothing is written in a child's chronology: the notes are the place's own."""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image

from safekeep.attachments import files
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.core import clock
from safekeep.establishments.models import Establishment, Location

from .models import PlaceNote, PlacePin, SitePlan

RECORD = Permission.PLACES_RECORD
# A site plan is a picture of buildings: PNG or JPEG only (WebP, which attachments take, is a photo format).
PLAN_TYPES = ("image/png", "image/jpeg")
PLAN_NOT_ALLOWED = "The site plan must be a PNG or JPEG image."
MAX_NOTE = 5000


@transaction.atomic
def place_note_add(*, actor, place: Location, text: str, occurred_at=None) -> PlaceNote:
    """A note in the place's own chronology: what the team saw or did about the place (CoC 2.5(e); CE 5.2)."""
    role = require_permission(actor, RECORD, action="place.note", establishment_id=place.establishment_id)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Write the note: what was seen or done about the place."
    elif len(text) > MAX_NOTE:
        errors["text"] = f"Keep the note to {MAX_NOTE} characters."
    if occurred_at is not None and occurred_at > clock.now():
        errors["occurred_at"] = "Say when it happened: it cannot be in the future."
    if errors:
        raise ValidationError(errors)
    note = PlaceNote.objects.create(place=place, occurred_at=occurred_at or clock.now(), recorded_by=actor,
                                    text=text)
    audit_record(actor=actor, action="place.note", obj=place, role=role, establishment_id=place.establishment_id,
                 detail={"note": note.pk})
    return note


@transaction.atomic
def site_plan_upload(*, actor, establishment: Establishment, upload) -> SitePlan:
    """The establishment's own site plan: checked by its content (never its name), size-capped, re-encoded
    without metadata and kept encrypted, as a concern's attachments are (ADR 0007)."""
    role = require_permission(actor, RECORD, action="place.plan.upload", establishment_id=establishment.pk)
    if upload is None:
        raise ValidationError({"plan": "Choose the site plan: a PNG or JPEG image."})
    try:
        cleaned = files.clean(upload)
    except ValidationError as problem:
        raise ValidationError({"plan": PLAN_NOT_ALLOWED if problem.code == "not_allowed" else problem.messages}) from None
    if cleaned.content_type not in PLAN_TYPES:
        raise ValidationError({"plan": PLAN_NOT_ALLOWED})
    with Image.open(io.BytesIO(cleaned.data)) as picture:
        width, height = picture.size
    # The plan it replaces keeps its pins as history: they point at places on the old drawing, so the new plan
    # starts with none and the team places them again (the plan page offers their old positions).
    previous = SitePlan.objects.filter(establishment=establishment).defer("ciphertext").first()
    plan = SitePlan.objects.create(establishment=establishment, added_by=actor, content_type=cleaned.content_type,
                                   size=len(cleaned.data), width=width, height=height,
                                   ciphertext=files.encrypt(cleaned.data))
    detail = {"bytes": plan.size, "content_type": plan.content_type}
    if previous is not None:
        detail |= {"previous_plan": previous.pk, "pins_on_previous": previous.pins.count()}
    audit_record(actor=actor, action="place.plan.upload", obj=plan, role=role, establishment_id=establishment.pk,
                 detail=detail)
    return plan


@transaction.atomic
def place_pin_set(*, actor, place: Location, x: int, y: int) -> PlacePin:
    """Pin an on-site place on the establishment's site plan at x and y percent (from the left, from the top)."""
    role = require_permission(actor, RECORD, action="place.pin", establishment_id=place.establishment_id)
    errors = {}
    if place.kind != Location.Kind.ON_SITE:
        errors["__all__"] = "Only a place on site can be pinned on the site plan."
    elif place.retired:
        errors["__all__"] = "This place is retired: it is not pinned on the site plan."
    # Always the current plan: an earlier plan's pins are history and are never moved.
    plan = SitePlan.objects.filter(establishment_id=place.establishment_id).defer("ciphertext").first()
    if not errors and plan is None:
        errors["__all__"] = "Upload the site plan first, then pin the places on it."
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = "Give a whole number from 0 to 100 (percent)."
    if errors:
        raise ValidationError(errors)
    pin, _ = PlacePin.objects.update_or_create(plan=plan, place=place, defaults={"x": x, "y": y, "set_by": actor})
    audit_record(actor=actor, action="place.pin", obj=place, role=role, establishment_id=place.establishment_id,
                 detail={"x": x, "y": y, "plan": plan.pk})
    return pin
