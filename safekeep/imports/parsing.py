"""Reading the CSV files a school MIS exports. Pure: text in, checked rows and plain-word errors out.

Headings are matched loosely (case, spaces and the usual MIS names), so a SIMS, Arbor or
Bromcom export loads without being edited first. See docs/domain/mis-import.md.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from safekeep.authz.roles import Role

MAX_ROWS = 20000


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.lower())


CHILD_COLUMNS = {
    "mis_id": ["admissionnumber", "admissionno", "adno", "misid", "pupilid", "studentid", "id"],
    "upn": ["upn", "uniquepupilnumber"],
    "first_name": ["legalforename", "forename", "firstname", "legalfirstname"],
    "last_name": ["legalsurname", "surname", "lastname", "familyname"],
    "preferred_name": ["preferredforename", "preferredname", "knownas"],
    "date_of_birth": ["dateofbirth", "dob", "birthdate"],
    "gender": ["gender", "sex"],
    "year_group": ["yeargroup", "year", "ncyear", "nationalcurriculumyear"],
    "send_status": ["senstatus", "sen", "send", "sendstatus", "senprovision"],
    "looked_after": ["lookedafter", "inlacare", "lac", "cla", "childlookedafter"],
    "placing_authority": ["placingauthority", "placinglocalauthority", "responsiblelocalauthority"],
    "start_date": ["startdate", "admissiondate", "dateofadmission", "placementstart"],
}
# What to call a column when it is missing: the heading an MIS export usually gives it.
COLUMN_WORDS = {"mis_id": "admission number", "first_name": "legal forename", "last_name": "legal surname"}
CHILD_REQUIRED = ("mis_id", "first_name", "last_name", "date_of_birth")

STAFF_COLUMNS = {
    "staff_mis_id": ["staffcode", "staffid", "misid", "employeeid", "id"],
    "email": ["email", "emailaddress", "workemail"],
    "full_name": ["fullname", "name"],
    "first_name": ["forename", "firstname", "legalforename", "preferredforename"],
    "last_name": ["surname", "lastname", "legalsurname"],
    "job_title": ["jobtitle", "role title", "post", "position"],
    "role": ["safekeeprole", "role", "safeguardingrole"],
}
STAFF_REQUIRED = ("email",)

_YES = {"y", "yes", "true", "1", "t"}
_NO = {"", "n", "no", "false", "0", "f"}
_SEN = {"": "none", "n": "none", "none": "none", "no": "none", "k": "support", "sen support": "support",
        "support": "support", "e": "ehcp", "ehcp": "ehcp", "ehc plan": "ehcp", "s": "ehcp", "statement": "ehcp"}
_ROLE_NAMES = {_key(r.value): r.value for r in Role} | {_key(r.label): r.value for r in Role} | {
    "dsl": Role.DSL.value, "deputydsl": Role.DEPUTY_DSL.value, "headteacher": Role.HEAD.value,
    "registeredmanager": Role.HEAD.value, "safeguardinglead": Role.DSL.value,
    "deputysafeguardinglead": Role.DEPUTY_DSL.value,
}
ESTABLISHMENT_ROLES = {Role.STAFF.value, Role.DSL.value, Role.DEPUTY_DSL.value, Role.HEAD.value, Role.GOVERNOR.value}
UPN_PATTERN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def parse_date(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("The file is not a text file. Export it from your MIS as CSV.")


def read_rows(data: bytes, columns: dict, required: tuple) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The rows of a CSV file, each with its line number, by the columns named (heading aliases), or the one error
    that stops the whole file. Shared by every CSV load (the MIS files, training records)."""
    try:
        text = _decode(data)
    except ValueError as error:
        return [], [RowError(0, str(error))]
    reader = csv.reader(io.StringIO(text))
    try:
        headings = next(reader)
    except (StopIteration, csv.Error):
        return [], [RowError(0, "The file is empty.")]
    index = {}
    for position, heading in enumerate(headings):
        for name, aliases in columns.items():
            if _key(heading) in [_key(a) for a in aliases] and name not in index:
                index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        readable = ", ".join(COLUMN_WORDS.get(name, name.replace("_", " ")) for name in missing)
        return [], [RowError(1, f"The file has no column for: {readable}. Check the first line has the headings.")]
    records = []
    try:
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(records) >= MAX_ROWS:
                return [], [RowError(line, f"The file has more than {MAX_ROWS} rows. Split it into smaller files.")]
            records.append((line, {name: (values[i].strip() if i < len(values) else "") for name, i in index.items()}))
    except csv.Error as error:
        return [], [RowError(0, f"The file could not be read as CSV ({error}).")]
    return records, []


def parse_children(data: bytes, *, today: date) -> ParsedFile:
    records, errors = read_rows(data, CHILD_COLUMNS, CHILD_REQUIRED)
    result = ParsedFile(errors=errors)
    seen_ids, seen_upns = {}, {}
    for line, raw in records:
        problems, row = [], {}
        for name in ("mis_id", "first_name", "last_name"):
            if not raw.get(name):
                problems.append(f"the {name.replace('_', ' ')} is missing")
            row[name] = raw.get(name, "")[:100]
        try:
            dob = parse_date(raw["date_of_birth"])
            if not date(today.year - 25, 1, 1) <= dob <= today:
                problems.append(f"the date of birth {raw['date_of_birth']} is not a child's")
            row["date_of_birth"] = dob.isoformat()
        except ValueError:
            problems.append(f"the date of birth “{raw['date_of_birth']}” is not a date like 31/01/2015")
        upn = raw.get("upn", "").upper()
        if upn and not UPN_PATTERN.match(upn):
            problems.append(f"the UPN “{upn}” is not 13 characters like A123456789012")
        row["upn"] = upn
        sen = raw.get("send_status", "").strip().lower()
        if sen not in _SEN:
            problems.append(f"the SEN status “{raw['send_status']}” is not N, K or E")
        row["send_status"] = _SEN.get(sen, "none")
        looked_after = raw.get("looked_after", "").lower()
        if looked_after not in _YES | _NO:
            problems.append(f"“{raw['looked_after']}” under looked after should be Yes or No")
        row["looked_after"] = looked_after in _YES
        row["start_date"] = None
        if raw.get("start_date"):
            try:
                row["start_date"] = parse_date(raw["start_date"]).isoformat()
            except ValueError:
                problems.append(f"the start date “{raw['start_date']}” is not a date like 01/09/2024")
        for name in ("preferred_name", "gender", "year_group", "placing_authority"):
            row[name] = raw.get(name, "")[:100]
        if row["mis_id"] in seen_ids:
            problems.append(f"the admission number {row['mis_id']} is also on line {seen_ids[row['mis_id']]}")
        seen_ids.setdefault(row["mis_id"], line)
        if upn and upn in seen_upns:
            problems.append(f"the UPN is also on line {seen_upns[upn]}")
        seen_upns.setdefault(upn, line)
        if problems:
            result.errors.append(RowError(line, sentence(problems)))
        else:
            row["line"] = line
            result.rows.append(row)
    if not records and not result.errors:
        result.errors.append(RowError(0, "The file has headings but no children."))
    return result


def parse_staff(data: bytes) -> ParsedFile:
    records, errors = read_rows(data, STAFF_COLUMNS, STAFF_REQUIRED)
    result = ParsedFile(errors=errors)
    seen = {}
    for line, raw in records:
        problems = []
        email = raw.get("email", "").lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            problems.append(f"“{raw.get('email', '')}” is not an email address")
        name = raw.get("full_name") or " ".join(p for p in (raw.get("first_name"), raw.get("last_name")) if p)
        if not name:
            problems.append("the name is missing")
        role = ""
        if raw.get("role"):
            role = _ROLE_NAMES.get(_key(raw["role"]), "")
            if role not in ESTABLISHMENT_ROLES:
                problems.append(f"the role “{raw['role']}” is not one given at an establishment "
                                "(staff, DSL, deputy DSL, head or governor)")
        if email in seen:
            problems.append(f"the email address is also on line {seen[email]}")
        seen.setdefault(email, line)
        if problems:
            result.errors.append(RowError(line, sentence(problems)))
        else:
            result.rows.append({"line": line, "email": email, "full_name": name[:200],
                                "job_title": raw.get("job_title", "")[:200],
                                "staff_mis_id": raw.get("staff_mis_id", "")[:50], "role": role})
    if not records and not result.errors:
        result.errors.append(RowError(0, "The file has headings but no people."))
    return result


def sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."
