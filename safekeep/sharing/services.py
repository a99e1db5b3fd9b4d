"""Writing the information-sharing register (CoC 12.1): every disclosure, by every route, through share_record.

share_record is called by other services (a referral, a meeting) inside their own transaction, after
they have checked the actor may do what they are doing; share_add is the DSL recording a share by hand.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission, role_for
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to, current_enrolments
from safekeep.chronology.services import chronology_add
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock

from . import lawful_basis
from .models import Consent, InformationShare, SourceKind

LIMITS = {"recipient": 200, "recipient_organisation": 200, "what": 300, "purpose": 500,
          "secure_handling_note": 500, "consent_note": 2000}


def share_errors(*, recipient: str, recipient_organisation: str, what: str, purpose: str, lawful_basis: str,
                 consent: str, consent_note: str = "", secure_handling_agreed, secure_handling_note: str = "",
                 source_kind: str = SourceKind.OTHER, shared_at=None) -> dict[str, str]:
    """The rules of the register, as plain-English messages per field (empty when all is well).

    Callers that write other rows first (a meeting) ask this before writing anything."""
    errors = {}
    required = {
        "recipient": "Enter who the information was shared with (their name or job title).",
        "recipient_organisation": "Enter the organisation they work for.",
        "what": "Say briefly what was shared, for example “concern record and chronology”.",
        "purpose": "Say why it was shared.",
    }
    values = {"recipient": recipient, "recipient_organisation": recipient_organisation, "what": what,
              "purpose": purpose, "secure_handling_note": secure_handling_note, "consent_note": consent_note}
    for name, message in required.items():
        if not (values[name] or "").strip():
            errors[name] = message
    for name, limit in LIMITS.items():
        if len((values[name] or "").strip()) > limit:
            errors[name] = f"Keep this to {limit} characters or fewer: describe it, do not copy the record."
    if lawful_basis not in lawful_basis_codes():
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    if consent not in Consent.values:
        errors["consent"] = "Say whether consent was given, refused or not sought."
    elif consent != Consent.GIVEN and not (consent_note or "").strip():
        errors["consent_note"] = ("Give the reason it was shared without consent, for example that asking "
                                  "would put the child at greater risk.")
    if lawful_basis == "consent" and consent in Consent.values and consent != Consent.GIVEN:
        errors["lawful_basis"] = "Consent cannot be the lawful basis when it was not given: choose another."
    if secure_handling_agreed is None or secure_handling_agreed == "":
        errors["secure_handling_agreed"] = "Say whether the recipient agreed to handle it securely."
    elif not secure_handling_agreed and not (secure_handling_note or "").strip():
        errors["secure_handling_note"] = ("Say why they did not agree to handle it securely, and what you did "
                                          "about it.")
    if source_kind not in SourceKind.values:
        errors["source_kind"] = "Choose how it was shared."
    if shared_at is not None and shared_at > clock.now():
        errors["shared_at"] = "The date it was shared cannot be in the future."
    return errors


def lawful_basis_codes() -> set[str]:
    return set(lawful_basis.BY_CODE)


def share_record(*, actor, establishment, children, recipient: str, recipient_organisation: str, what: str,
                 purpose: str, lawful_basis: str, consent: str, consent_note: str = "", authorised_by=None,
                 secure_handling_agreed: bool, secure_handling_note: str = "", source_kind: str,
                 source_id: int | None = None, shared_at=None, corrects=None, concern=None) -> InformationShare:
    """Write one share, its chronology entry for each child and its audit event, in the caller's transaction.
    `concern`: the concern it came from, if any (a referral's), so an allegation's shares stay hidden.

    Checks no permission: the caller did (a referral, a meeting, share_add). Raises ValidationError with a
    message per field, before writing anything.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("share_record must run inside the transaction of the share it records")
    if corrects is not None and concern is None:
        concern = corrects.concern  # a correction stays as hidden as the share it corrects
    children = list(children)
    errors = share_errors(recipient=recipient, recipient_organisation=recipient_organisation, what=what,
                          purpose=purpose, lawful_basis=lawful_basis, consent=consent, consent_note=consent_note,
                          secure_handling_agreed=secure_handling_agreed, secure_handling_note=secure_handling_note,
                          source_kind=source_kind, shared_at=shared_at)
    if not children:
        errors["children"] = "Choose the child or children the information was about."
    elif any(child.organisation_id != establishment.organisation_id for child in children):
        errors["children"] = "Every child must belong to the establishment's organisation."
    authoriser = authorised_by or actor
    if getattr(authoriser, "organisation_id", None) != establishment.organisation_id:
        errors["authorised_by"] = "The person who authorised it must work for the same organisation."
    if corrects is not None and corrects.establishment_id != establishment.pk:
        errors["corrects"] = "A correction must be for a share recorded at the same establishment."
    if errors:
        raise ValidationError(errors)
    share = InformationShare.objects.create(
        establishment=establishment, recipient=recipient.strip(), recipient_organisation=recipient_organisation.strip(),
        what=what.strip(), purpose=purpose.strip(), lawful_basis=lawful_basis, consent=consent,
        consent_note="" if consent == Consent.GIVEN else consent_note.strip(), authorised_by=authoriser,
        secure_handling_agreed=bool(secure_handling_agreed), secure_handling_note=(secure_handling_note or "").strip(),
        source_kind=source_kind, source_id=source_id, shared_at=shared_at or clock.now(), recorded_by=actor,
        corrects=corrects, concern=concern)
    share.children.set(children)
    summary = (f"Information shared with {share.recipient}, {share.recipient_organisation}: {share.what}. "
               f"Why: {share.purpose}. Lawful basis: {share.get_lawful_basis_display()}. "
               f"Consent: {share.get_consent_display().lower()}.")
    if corrects is not None:
        summary = f"Correction to the share of {corrects.shared_at:%d %B %Y}. {summary}"
    for child in children:
        chronology_add(actor=actor, child=child, establishment=establishment, kind="share.recorded", obj=share,
                       summary=summary, occurred_at=share.shared_at)
    audit_record(actor=actor, action="sharing.record", obj=share, role=role_for(actor, Permission.CHILD_VIEW, establishment), establishment_id=establishment.pk,
                 detail={"children": [child.pk for child in children], "source_kind": source_kind,
                         "source_id": source_id, "lawful_basis": lawful_basis, "consent": consent,
                         "corrects": getattr(corrects, "pk", None)})
    return share


@transaction.atomic
def share_add(*, actor, establishment, children, recipient: str, recipient_organisation: str, what: str,
              purpose: str, lawful_basis: str, consent: str, consent_note: str = "", authorised_by=None,
              secure_handling_agreed: bool, secure_handling_note: str = "", source_kind: str = SourceKind.OTHER,
              source_id: int | None = None, shared_at=None, corrects=None, concern=None) -> InformationShare:
    """A DSL records by hand something they shared (a phone call, an email, a disclosure to another agency).
    concern: the concern it follows, if any: a share about an allegation is then hidden as the allegation is,
    and only those who may read allegations may record it (ADR 0008)."""
    require_permission(actor, Permission.ALLEGATION_VIEW if concern is not None and concern.about_adult
                       else Permission.CHILD_VIEW, action="sharing.record", establishment_id=establishment.pk)
    if concern is not None and (concern.establishment_id != establishment.pk or not concerns_visible_to(actor)
                                .filter(pk=concern.pk).exists()):
        raise NotVisible("sharing.record", "concern", concern.pk, establishment.pk)
    children = list(children)
    here = set(current_enrolments().filter(establishment=establishment, child__in=children)
               .values_list("child_id", flat=True))
    visible = set(children_visible_to(actor).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True))
    if not children or any(child.pk not in here or child.pk not in visible for child in children):
        # Every problem at once, and nothing written.
        errors = share_errors(recipient=recipient, recipient_organisation=recipient_organisation, what=what,
                              purpose=purpose, lawful_basis=lawful_basis, consent=consent, consent_note=consent_note,
                              secure_handling_agreed=secure_handling_agreed,
                              secure_handling_note=secure_handling_note, source_kind=source_kind, shared_at=shared_at)
        errors["children"] = ("Choose the child or children the information was about." if not children else
                              "Choose children on roll or placed at this establishment.")
        raise ValidationError(errors)
    return share_record(actor=actor, establishment=establishment, children=children, recipient=recipient,
                        recipient_organisation=recipient_organisation, what=what, purpose=purpose,
                        lawful_basis=lawful_basis, consent=consent, consent_note=consent_note,
                        authorised_by=authorised_by, secure_handling_agreed=secure_handling_agreed,
                        secure_handling_note=secure_handling_note, source_kind=source_kind, source_id=source_id,
                        shared_at=shared_at, corrects=corrects, concern=concern)
