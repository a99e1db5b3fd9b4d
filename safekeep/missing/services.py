"""Every change to missing episodes and police descriptions: permission checked, then the change, its
chronology entry and its audit event in one transaction (house rule 4).

Coming back opens the return home interview as an action, due at the time the adopted packs give
(`missing.return_interview`: 72 clock hours after the return in the statutory baseline, so a weekend or a
bank holiday does not stretch it; statutory guidance on children who run away or go missing from home or
care)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.services import action_follow_up
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import require_child_at
from safekeep.chronology.services import chronology_add
from safekeep.core import clock

from .models import MissingEpisode, PoliceDescription
from .selectors import missing_rules

RETURN_INTERVIEW = "return-interview"


def _when(errors, name, value, question, *, after=None, after_words=""):
    if value is None:
        errors[name] = f"Say {question}."
    elif value > clock.now():
        errors[name] = f"Say {question}: it cannot be in the future."
    elif after is not None and value < after:
        errors[name] = after_words


@transaction.atomic
def episode_record(*, actor, establishment, child, missing_from: str, went_missing_at: datetime | None,
                   reported_by: str, police_reference: str = "", circumstances: str = "") -> MissingEpisode:
    """A child has gone missing from home, care or education: when, who reported it, the police reference."""
    role = require_permission(actor, Permission.MISSING_RECORD, action="missing.create",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "missing.create", Permission.MISSING_RECORD)
    errors = {}
    if missing_from not in MissingEpisode.MissingFrom.values:
        errors["missing_from"] = "Say where they went missing from: home, care or education."
    _when(errors, "went_missing_at", went_missing_at, "when they went missing")
    if not (reported_by or "").strip():
        errors["reported_by"] = "Say who reported them missing."
    if errors:
        raise ValidationError(errors)
    episode = MissingEpisode.objects.create(
        establishment=establishment, child=child, missing_from=missing_from, went_missing_at=went_missing_at,
        reported_by=reported_by.strip(), police_reference=(police_reference or "").strip()[:100],
        circumstances=(circumstances or "").strip(), recorded_by=actor)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="missing.recorded", obj=episode,
                   occurred_at=went_missing_at, key_event=True,
                   summary=f"Went missing from {episode.get_missing_from_display().lower()}"
                           f"{'; reported to the police' if episode.police_reference else ''}.")
    audit_record(actor=actor, action="missing.create", obj=episode, role=role, establishment_id=establishment.pk,
                 detail={"child": child.pk})
    return episode


@transaction.atomic
def episode_return(*, actor, episode: MissingEpisode, returned_at: datetime | None,
                   where_found: str) -> MissingEpisode:
    """The child is back: when, and where they were found. Opens the return home interview the packs require."""
    role = require_permission(actor, Permission.MISSING_RECORD, action="missing.return",
                              establishment_id=episode.establishment_id, obj=episode)
    episode = MissingEpisode.objects.select_for_update().select_related("establishment", "child").get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError("Their return is already recorded.")
    errors = {}
    _when(errors, "returned_at", returned_at, "when they came back", after=episode.went_missing_at,
          after_words="They cannot have come back before they went missing: check the date and time.")
    if not (where_found or "").strip():
        errors["where_found"] = "Say where they were found, or how they came back."
    if errors:
        raise ValidationError(errors)
    episode.returned_at, episode.where_found, episode.return_recorded_by = returned_at, where_found.strip(), actor
    rules = missing_rules(episode.establishment)
    if rules is not None:
        episode.return_action = action_follow_up(
            actor=actor, establishment=episode.establishment, child=episode.child, what=rules.interview_what,
            deadline=rules.interview_deadline, source=rules.interview_source[:200], code=RETURN_INTERVIEW,
            owner_role=rules.interview_owner, started=returned_at)
    episode.save(update_fields=["returned_at", "where_found", "return_recorded_by", "return_action"])
    chronology_add(actor=actor, child=episode.child, establishment=episode.establishment, kind="missing.returned",
                   obj=episode, occurred_at=returned_at, key_event=True, summary="Came back after going missing.")
    audit_record(actor=actor, action="missing.return", obj=episode, role=role,
                 establishment_id=episode.establishment_id, detail={"child": episode.child_id})
    return episode


@transaction.atomic
def description_update(*, actor, establishment, child, appearance: str, places: str = "", people: str = "",
                       other: str = "") -> PoliceDescription:
    """Write the description kept ready for the police (the Philomena protocol): a new version, the earlier
    ones kept."""
    role = require_permission(actor, Permission.MISSING_RECORD, action="missing.description.update",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "missing.description.update", Permission.MISSING_RECORD)
    if not (appearance or "").strip():
        raise ValidationError({"appearance": "Describe how they look: height, build, hair, clothes they often wear."})
    description = PoliceDescription.objects.create(
        child=child, establishment=establishment, appearance=appearance.strip(), places=(places or "").strip(),
        people=(people or "").strip(), other=(other or "").strip(), written_by=actor, written_at=clock.now())
    chronology_add(actor=actor, child=child, establishment=establishment, kind="missing.description", obj=description,
                   summary="Description kept ready for the police updated.")
    audit_record(actor=actor, action="missing.description.update", obj=description, role=role,
                 establishment_id=establishment.pk, detail={"child": child.pk})
    return description
