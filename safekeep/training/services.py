"""Recording training: by hand, one completion at a time, or from a CSV file checked in full before anything is
saved (as the MIS files are, safekeep/imports). Each checks the permission at the establishment, writes the
completions and their audit event in one transaction. Training is about staff, not a child, so it has no
chronology entry."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission
from safekeep.authz.roles import Permission
from safekeep.core import clock
from safekeep.imports.parsing import RowError, parse_date, read_rows, sentence

from .models import TrainingCompletion
from .selectors import roles_held_at, courses_at

# The columns of a training file, matched loosely as the MIS files' are (case, spaces, the usual names).
COLUMNS = {
    "email": ["email", "emailaddress", "workemail", "staffemail"],
    "course": ["course", "coursecode", "coursetitle", "training", "coursename"],
    "completed_on": ["completedon", "datecompleted", "completed", "completiondate", "date", "dateofcompletion"],
    "evidence": ["evidence", "certificate", "note", "notes"],
}
REQUIRED = ("email", "course", "completed_on")
EARLIEST = date(1990, 1, 1)


def _check_date(completed_on: date, today: date) -> str:
    if completed_on > today:
        return "the date it was completed is in the future"
    if completed_on < EARLIEST:
        return "the date it was completed is before 1990"
    return ""


@transaction.atomic
def training_record(*, actor, establishment, person, course_code: str, completed_on: date,
                    evidence: str = "") -> TrainingCompletion:
    """Record that someone at the establishment finished a course on a day."""
    role = require_permission(actor, Permission.TRAINING_RECORD, action="training.record",
                              establishment_id=establishment.pk, obj=establishment)
    if not roles_held_at([establishment.pk]).filter(user=person).exists():
        raise NotVisible("training.record", "user", person.pk, establishment.pk)
    courses = {c.code: c for c in courses_at(establishment)}
    problems = {}
    if course_code not in courses:
        problems["course"] = f"Choose a course {establishment.name}'s policies name."
    problem = _check_date(completed_on, clock.today())
    if problem:
        problems["completed_on"] = problem[0].upper() + problem[1:] + "."
    if problems:
        raise ValidationError(problems)
    if TrainingCompletion.objects.filter(person=person, course_code=course_code, completed_on=completed_on).exists():
        raise ValidationError({"completed_on": f"{person} already has this course recorded on this day."})
    completion = TrainingCompletion.objects.create(
        person=person, course_code=course_code, completed_on=completed_on, evidence=evidence.strip()[:300],
        establishment=establishment, recorded_by=actor, recorded_at=clock.now())
    audit_record(actor=actor, action="training.record", obj=completion, role=role, establishment_id=establishment.pk,
                 detail={"person": person.pk, "course": course_code, "completed_on": completed_on.isoformat()})
    return completion


@dataclass
class CheckedFile:
    rows: list[dict] = field(default_factory=list)  # person_id, course_code, completed_on, evidence, line
    errors: list[RowError] = field(default_factory=list)
    already: int = 0  # rows recorded before: loading them again adds nothing

    @property
    def new(self) -> int:
        return len(self.rows) - self.already


def _check_file(establishment, data: bytes) -> CheckedFile:
    records, errors = read_rows(data, COLUMNS, REQUIRED)
    checked = CheckedFile(errors=errors)
    emails = {raw["email"].lower() for _, raw in records}
    people = {email.lower(): pk for pk, email in roles_held_at([establishment.pk]).filter(user__email__in=emails)
              .values_list("user_id", "user__email")}
    courses = {c.code.lower(): c for c in courses_at(establishment)}
    courses |= {c.title.lower(): c for c in courses.values()}
    today, seen = clock.today(), {}
    for line, raw in records:
        problems = []
        person_id = people.get(raw["email"].lower())
        if person_id is None:
            problems.append(f"“{raw['email']}” is not the email address of anyone with a role at {establishment.name}")
        course = courses.get(raw["course"].strip().lower())
        if course is None:
            problems.append(f"“{raw['course']}” is not a course {establishment.name}'s policies name")
        completed_on = None
        try:
            completed_on = parse_date(raw["completed_on"])
            if problem := _check_date(completed_on, today):
                problems.append(problem)
        except ValueError:
            problems.append(f"the date completed “{raw['completed_on']}” is not a date like 31/01/2026")
        if person_id and course and completed_on:
            key = (person_id, course.code, completed_on)
            if key in seen:
                problems.append(f"the same course on the same day for this person is also on line {seen[key]}")
            seen.setdefault(key, line)
        if problems:
            checked.errors.append(RowError(line, sentence(problems)))
        else:
            checked.rows.append({"line": line, "person_id": person_id, "course_code": course.code,
                                 "course": course.title, "email": raw["email"].lower(), "completed_on": completed_on,
                                 "evidence": raw.get("evidence", "")[:300]})
    if not records and not checked.errors:
        checked.errors.append(RowError(0, "The file has headings but no training records."))
    if not checked.errors:
        recorded = set(TrainingCompletion.objects.filter(person_id__in={r["person_id"] for r in checked.rows})
                       .values_list("person_id", "course_code", "completed_on"))
        for row in checked.rows:
            row["already"] = (row["person_id"], row["course_code"], row["completed_on"]) in recorded
        checked.already = sum(row["already"] for row in checked.rows)
    return checked


def training_import_check(*, actor, establishment, file_name: str, data: bytes) -> CheckedFile:
    """Check every row of a file; nothing is saved. The errors name each row's line."""
    role = require_permission(actor, Permission.TRAINING_RECORD, action="training.import.check",
                              establishment_id=establishment.pk, obj=establishment)
    checked = _check_file(establishment, data)
    with transaction.atomic():
        audit_record(actor=actor, action="training.import.check", obj=establishment, role=role,
                     establishment_id=establishment.pk,
                     detail={"file": file_name[:200], "rows": len(checked.rows), "errors": len(checked.errors)})
    return checked


@transaction.atomic
def training_import(*, actor, establishment, file_name: str, data: bytes) -> CheckedFile:
    """Check the file again and, only if every row is right, record each completion not recorded before, all in
    one transaction. Loading the same file twice records nothing the second time."""
    role = require_permission(actor, Permission.TRAINING_RECORD, action="training.import",
                              establishment_id=establishment.pk, obj=establishment)
    checked = _check_file(establishment, data)
    if checked.errors:
        raise ValidationError("The file has changed or the people in it have, and some rows are no longer right. "
                              "Choose the file again to see what to correct.")
    now = clock.now()
    try:
        with transaction.atomic():
            TrainingCompletion.objects.bulk_create([
                TrainingCompletion(person_id=row["person_id"], course_code=row["course_code"],
                                   completed_on=row["completed_on"], evidence=row["evidence"],
                                   establishment=establishment, recorded_by=actor, recorded_at=now)
                for row in checked.rows if not row["already"]])
    except IntegrityError:
        raise ValidationError("Someone loaded these records at the same moment. Choose the file again to see what "
                              "is left to load.") from None
    audit_record(actor=actor, action="training.import", obj=establishment, role=role,
                 establishment_id=establishment.pk,
                 detail={"file": file_name[:200], "recorded": checked.new, "already": checked.already})
    return checked
