"""Loading children and staff from MIS files.

The whole file is checked before anything is written (import_check). Loading (import_load)
then runs in the background in chunks, each its own transaction with the progress saved,
so the administrator sees a progress bar. Every row is matched on the MIS id (or UPN, or
email), so loading the same file again updates people rather than duplicating them, and a
load that stopped part-way finishes when it is run again.
"""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from safekeep.accounts import services as accounts
from safekeep.accounts.models import User
from safekeep.accounts.tasks import send_invitation
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import ROLES, Permission, Role, Scope
from safekeep.children.models import Child, Enrolment
from safekeep.core import clock
from safekeep.establishments.models import Establishment

from . import parsing, tasks
from .models import ImportBatch

CHUNK = 200
CHILD_FIELDS = ("first_name", "last_name", "preferred_name", "gender", "year_group", "send_status",
                "looked_after", "placing_authority")


def import_check(*, actor, establishment: Establishment, kind: str, file_name: str, data: bytes):
    """Check a whole file. Returns (batch, errors): a saved batch when every row is good, else the errors."""
    role = require_permission(actor, Permission.IMPORT_RUN, action="import.check",
                              organisation_id=establishment.organisation_id, obj=establishment)
    if kind == ImportBatch.Kind.CHILDREN:
        parsed = parsing.parse_children(data, today=clock.today())
    else:
        parsed = parsing.parse_staff(data)
        _refuse_other_organisations_people(parsed, establishment)
    with transaction.atomic():
        if parsed.errors:
            audit_record(actor=actor, action="import.check", obj=establishment, role=role,
                         establishment_id=establishment.pk,
                         detail={"kind": kind, "rows": len(parsed.rows), "errors": len(parsed.errors)})
            return None, parsed.errors
        batch = ImportBatch.objects.create(
            establishment=establishment, kind=kind, created_by=actor, file_name=file_name[:200],
            rows=json.dumps(parsed.rows), total_rows=len(parsed.rows),
        )
        audit_record(actor=actor, action="import.check", obj=batch, role=role, establishment_id=establishment.pk,
                     detail={"kind": kind, "rows": len(parsed.rows), "errors": 0})
    return batch, []


def _refuse_other_organisations_people(parsed, establishment):
    """An email address that already belongs to another organisation's person cannot be taken over."""
    taken = set(User.objects.filter(email__in=[r["email"] for r in parsed.rows])
                .exclude(organisation_id=establishment.organisation_id).values_list("email", flat=True))
    for row in [r for r in parsed.rows if r["email"] in taken]:
        parsed.rows.remove(row)
        parsed.errors.append(parsing.RowError(row["line"], "This email address already belongs to someone in "
                                                           "another organisation. Check it with the person."))
    parsed.errors.sort(key=lambda error: error.line)


def import_preview(batch: ImportBatch) -> dict:
    """How many rows would be new and how many already exist, without writing anything."""
    rows = json.loads(batch.rows)
    if batch.kind == ImportBatch.Kind.CHILDREN:
        known = set(Enrolment.objects.filter(establishment=batch.establishment).exclude(mis_id="")
                    .values_list("mis_id", flat=True))
        existing = sum(1 for row in rows if row["mis_id"] in known)
    else:
        known = set(User.objects.filter(email__in=[r["email"] for r in rows]).values_list("email", flat=True))
        existing = sum(1 for row in rows if row["email"] in known)
    return {"rows": rows[:10], "total": len(rows), "existing": existing, "new": len(rows) - existing}


@transaction.atomic
def import_start(*, actor, batch: ImportBatch, background: bool = True) -> ImportBatch:
    """Claim a checked file for loading. The worker loads it; background=False loads it now (commands)."""
    require_permission(actor, Permission.IMPORT_RUN, action="import.load",
                       organisation_id=batch.establishment.organisation_id, obj=batch)
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.CHECKED, ImportBatch.Status.FAILED]
    ).update(status=ImportBatch.Status.LOADING, processed_rows=0, created_count=0, updated_count=0,
             unchanged_count=0)
    if not claimed:
        raise ValidationError("This file is already loading or has been loaded.")
    batch.refresh_from_db()

    transaction.on_commit(lambda: tasks.load_import.enqueue(batch.pk) if background else import_load(batch.pk))
    return batch


def import_load(batch_id: int) -> ImportBatch:
    """Run by the background worker. Safe to run again: rows are matched, never duplicated."""
    batch = ImportBatch.objects.select_related("establishment", "created_by").get(pk=batch_id)
    rows = json.loads(batch.rows)
    load_row = _load_child if batch.kind == ImportBatch.Kind.CHILDREN else _load_person
    try:
        for start in range(0, len(rows), CHUNK):
            with transaction.atomic():
                counts = {"created": 0, "updated": 0, "unchanged": 0}
                for row in rows[start:start + CHUNK]:
                    counts[load_row(batch, row)] += 1
                ImportBatch.objects.filter(pk=batch.pk).update(
                    processed_rows=min(start + CHUNK, len(rows)),
                    created_count=F("created_count") + counts["created"],
                    updated_count=F("updated_count") + counts["updated"],
                    unchanged_count=F("unchanged_count") + counts["unchanged"],
                )
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
        raise
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.LOADED, finished_at=clock.now())
        batch.refresh_from_db()
        audit_record(actor=batch.created_by, action="import.load", obj=batch,
                     establishment_id=batch.establishment_id,
                     detail={"kind": batch.kind, "created": batch.created_count, "updated": batch.updated_count,
                             "unchanged": batch.unchanged_count})
    return batch


def _load_child(batch: ImportBatch, row: dict) -> str:
    establishment = batch.establishment
    enrolment = (Enrolment.objects.select_related("child")
                 .filter(establishment=establishment, mis_id=row["mis_id"]).first())
    child = enrolment.child if enrolment else None
    if child is None and row["upn"]:
        child = Child.objects.filter(organisation_id=establishment.organisation_id, upn=row["upn"]).first()
    values = {name: row[name] for name in CHILD_FIELDS} | {"date_of_birth": date.fromisoformat(row["date_of_birth"])}
    if row["upn"]:
        values["upn"] = row["upn"]
    if child is None:
        child = Child.objects.create(organisation_id=establishment.organisation_id, **values)
        outcome = "created"
    else:
        changed = [name for name, value in values.items() if getattr(child, name) != value]
        for name in changed:
            setattr(child, name, values[name])
        if changed:
            child.save()
        outcome = "updated" if changed else "unchanged"
    if enrolment is None:
        kind = (Enrolment.Kind.PLACEMENT if establishment.kind == Establishment.Kind.CHILDRENS_HOME
                else Enrolment.Kind.ENROLMENT)
        start = date.fromisoformat(row["start_date"]) if row["start_date"] else None
        Enrolment.objects.update_or_create(child=child, establishment=establishment,
                                           defaults={"mis_id": row["mis_id"], "kind": kind, "start_date": start,
                                                     "end_date": None})
        outcome = "updated" if outcome == "unchanged" else outcome
    if outcome != "unchanged":
        audit_record(actor=batch.created_by, action=f"child.import.{'create' if outcome == 'created' else 'update'}",
                     obj=child, establishment_id=establishment.pk, detail={"batch": batch.pk})
    return outcome


def _load_person(batch: ImportBatch, row: dict) -> str:
    establishment = batch.establishment
    person = User.objects.filter(email=row["email"]).first()
    if person is None and row["staff_mis_id"]:
        person = User.objects.filter(organisation_id=establishment.organisation_id,
                                     staff_mis_id=row["staff_mis_id"]).first()
    if person is not None and person.organisation_id != establishment.organisation_id:
        raise ValidationError(f"Line {row['line']}: this email address belongs to another organisation.")
    values = {"email": row["email"], "full_name": row["full_name"], "job_title": row["job_title"],
              "staff_mis_id": row["staff_mis_id"]}
    email_kept = False
    if person is None:
        person = User(organisation_id=establishment.organisation_id, **values)
        person.set_unusable_password()
        person.save()
        # Invited as someone added by hand is, in this chunk's transaction: no invitation is lost or doubled.
        send_invitation.enqueue(person.pk)
        outcome = "created"
    else:
        changed = [name for name, value in values.items() if value and getattr(person, name) != value]
        if "email" in changed and accounts.email_change_refused(person):
            # A file may not hand someone's access to a new address either (accounts.EMAIL_OF_CASE_READER).
            changed.remove("email")
            email_kept = True
        for name in changed:
            setattr(person, name, values[name])
        if changed:
            person.save()
        if "email" in changed:
            accounts.email_changed(actor=batch.created_by, person=person)
        outcome = "updated" if changed else "unchanged"
    role = row["role"] or Role.STAFF.value
    if person.pk == batch.created_by_id:
        # Nobody gives a role to themselves, by a file either (ADR 0008): the row's role is left out.
        audit_record(actor=batch.created_by, action="role.grant.self", obj=person, outcome="denied",
                     establishment_id=establishment.pk, detail={"role": role, "batch": batch.pk})
    elif not RoleMembership.objects.filter(user=person, role=role, establishment=establishment,
                                           ended_at__isnull=True).exists():
        # A role that reads case content waits for a second person's approval, as one given on the page does.
        pending = ROLES[Role(role)].reads_case_content
        RoleMembership.objects.create(user=person, role=role, scope=Scope.ESTABLISHMENT,
                                      organisation_id=establishment.organisation_id, establishment=establishment,
                                      granted_by=batch.created_by, awaiting_approval=pending)
        outcome = "updated" if outcome == "unchanged" else outcome
        audit_record(actor=batch.created_by, action="role.grant", obj=person, establishment_id=establishment.pk,
                     detail={"role": role, "scope": "establishment", "batch": batch.pk,
                             "awaiting_approval": pending})
    if outcome != "unchanged" or email_kept:
        audit_record(actor=batch.created_by, action=f"person.import.{'create' if outcome == 'created' else 'update'}",
                     obj=person, establishment_id=establishment.pk,
                     detail={"batch": batch.pk} | ({"email_kept": True} if email_kept else {}))
    return outcome
