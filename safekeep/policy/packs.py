"""Reading and checking policy packs (docs/domain/policy-packs.md). Pure: a file in, a Pack or errors out.

Every error names the file, the line and the field, so whoever wrote the pack can find it.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path

import yaml

from .deadlines import Deadline, Unit
from .escalation import Interval, Ladders, Pace
from .reporting import Period, Reporting
from .retention import APPLIES_TO, STARTS, RetentionRule, years

FORMAT = 1
ROLES = ("staff", "dsl", "deputy_dsl", "head", "regional_director", "group_head", "governor", "dpo",
         "administrator")
OWNERS = ROLES + ("linked_establishment_dsl",)
RECIPIENTS = OWNERS + ("group_safeguarding_email",)
# What each flag means, as the question a DSL would answer.
FLAG_WORDS = {
    "immediate_risk": "A child is at risk of harm now",
    "disclosure": "A child has told someone what happened (a disclosure)",
    "under_13": "A child involved is under 13",
    "looked_after": "The child is looked after",
    "about_adult": "It is about an adult who works or volunteers with children",
    "integrated_pair": "The child is also at our linked school or children's home",
    "images_shared_online": "Images or videos of a child are being shared",
    "referral_planned": "A referral is being made",
    "referral_by_non_dsl": "Someone other than the safeguarding team made the referral",
    "child_leaving": "The child is leaving for another school",
}
RECIPIENT_WORDS = {
    "linked_establishment_dsl": "Safeguarding lead of the linked school or home",
    "group_safeguarding_email": "The organisation's safeguarding email address",
}
FLAGS = tuple(FLAG_WORDS)
# Who a referral can go to (safekeep/referrals Agency): a pack gives each the time to wait for its answer.
AGENCY_WORDS = {
    "childrens_services": "local authority children's services", "placing_authority": "the placing authority",
    "police_emergency": "the police in an emergency", "police": "the police", "lado": "the LADO",
    "prevent": "Prevent", "early_help": "early help", "camhs": "CAMHS", "ofsted": "Ofsted",
    "other": "another agency",
}
AGENCIES = tuple(AGENCY_WORDS)
ESTABLISHMENT_KINDS = ("school", "childrens_home", "college")
# A child's part in a concern (the roles of ConcernChild): an action may be for some of them only.
CHILD_ROLES = ("harmed", "alleged_responsible", "witness", "bystander")
CONTACT_KINDS = ("la_front_door", "lado", "police", "placing_authority", "early_help", "other")
AUDIENCES = ("all_staff", "dsl")
# The records that meet a step, so recording them closes it (docs/domain/actions-and-escalation.md):
# a referral to one agency (its code as the referral form names it), a safety plan for the child, the DSL's
# triage, the linked school or home's acknowledgement of its note, and the concern itself being sent.
REFERRAL_AGENCIES = ("childrens_services", "placing_authority", "police_emergency", "police", "lado", "prevent",
                     "early_help", "camhs", "ofsted", "other")
MET_BY = (*(f"referral.{agency}" for agency in REFERRAL_AGENCIES), "safety_plan", "triage",
          "linked_note.acknowledged", "concern.sent", "transfer.sent", "transfer.received")
CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
EVERY = re.compile(r"^(\d+) (year|month)s?$")
# A course done once (induction) has no cycle; a refreshed one says how long before it is due to remind.
ONCE = "once"
REMIND_BEFORE = re.compile(r"^(\d+) days?$")


# --- what a pack holds ---------------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    text: str
    source: str


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    source: str
    parent: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    indicators: tuple[Note, ...] = ()
    risk_factors: tuple[Note, ...] = ()


@dataclass(frozen=True)
class Condition:
    categories_any: frozenset[str] = frozenset()
    tags_any: frozenset[str] = frozenset()
    flags_all: frozenset[str] = frozenset()
    flags_none: frozenset[str] = frozenset()
    establishment_kinds: frozenset[str] = frozenset()
    # A category of any child named in the concern carries one of these tags (a witness of child-on-child
    # abuse may have no category of their own).
    concern_tags_any: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ActionSpec:
    code: str
    what: str
    owner: str
    deadline: Deadline
    escalation: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    for_roles: tuple[str, ...] = ()  # only for a child with one of these parts; empty: every child
    # A step about the concern as a whole (read it, tell the group): set once, not once per child named.
    once_per_concern: bool = False
    met_by: tuple[str, ...] = ()  # records (MET_BY) whose recording closes the step


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    when: Condition
    actions: tuple[ActionSpec, ...]


@dataclass(frozen=True)
class ResponseWindow:
    """How long an agency has to answer a referral before the DSL chases."""
    agency: str
    deadline: Deadline
    source: str


@dataclass(frozen=True)
class Missing:
    """The `missing:` section: the return home interview after a child goes missing, and when repeated
    episodes make a pattern the safeguarding team is shown (CE 5.3, 5.4, 7.8; statutory guidance on children
    who run away or go missing from home or care)."""
    interview_what: str
    interview_deadline: Deadline
    interview_owner: str
    interview_source: str
    pattern_episodes: int
    pattern_days: int
    pattern_source: str


@dataclass(frozen=True)
class SubjectAccess:
    """The `subject_access:` section: how many calendar months a subject access request is answered within,
    how many more an extension allows, and who owns the answer (UK GDPR Art. 12(3))."""
    respond_within_months: int
    extend_by_months: int
    owner: str
    what: str
    source: str


@dataclass(frozen=True)
class TransferLinkRules:
    """The `transfer:` section: how many days the child protection file's one-time link stays open, and how many
    wrong codes lock it for good (KCSIE Annex C: the file goes securely and promptly), each with its source."""
    link_expires_after_days: int
    link_source: str
    wrong_codes_allowed: int
    wrong_codes_source: str


@dataclass(frozen=True)
class Pack:
    pack: str
    title: str
    version: str
    abbreviation: str
    source_document: str
    review_due: date
    categories: tuple[Category, ...]
    rules: tuple[Rule, ...]
    hackett: tuple[dict, ...] = ()
    local_contacts: tuple[dict, ...] = ()
    training: tuple[dict, ...] = ()
    support_services: tuple[dict, ...] = ()
    retention: tuple[dict, ...] = ()
    safety_plan_template: dict = field(default_factory=dict)
    ladders: Ladders | None = None  # the `ladders:` section, if the pack has one (the statutory baseline does)
    response_windows: tuple[ResponseWindow, ...] = ()
    # Categories whose children are followed through the National Referral Mechanism, and why.
    nrm_categories: frozenset[str] = frozenset()
    nrm_source: str = ""
    # The `reporting:` section, if the pack has one (the statutory baseline does): governor and SLT reports.
    reporting: Reporting | None = None
    # The `peer_groups:` section, if the pack has one (the child-on-child abuse pack does): peer clusters.
    peer_groups: "PeerGroupRules | None" = None
    # The `missing:` section, if the pack has one (the statutory baseline does): missing episodes.
    missing: Missing | None = None
    # The `exploitation_picture:` section, if the pack has one (the exploitation pack does): a child's signs
    # over time.
    picture: "ExploitationPicture | None" = None
    # The `policy_review:` section, if the pack has one (the child-on-child abuse pack does): its annual review.
    policy_review: "PolicyReviewRules | None" = None
    # The `hotspots:` section, if the pack has one (the statutory baseline does): the hotspot flag.
    hotspots: "Hotspots | None" = None
    # The `retention:` section's rules that date a record (those with a code): each child's file and allegation.
    retention_rules: tuple[RetentionRule, ...] = ()
    # The `context_assessment:` section, if the pack has one (the child-on-child abuse pack does): its triangles.
    context_assessment: "ContextAssessmentRules | None" = None
    # The `subject_access:` section, if the pack has one (the statutory baseline does): the right of access.
    subject_access: SubjectAccess | None = None
    # The `transfer:` section, if the pack has one (the statutory baseline does): the file's one-time link.
    transfer: TransferLinkRules | None = None

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


# --- errors ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class PackInvalid(ValueError):
    def __init__(self, errors: list[PackError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# --- YAML with line numbers ----------------------------------------------------------------

class _Map(dict):
    line = 0
    key_lines: dict


class _List(list):
    line = 0


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader, node):
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader, node):
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


# --- checking ----------------------------------------------------------------------------

class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.errors: list[PackError] = []

    def section(self, data, name: str, known):
        """A pack's optional section as a mapping, or None when it is absent or not a mapping (said so). A key
        the section does not know is an error naming the keys it does."""
        section = data.get(name)
        if section is None:
            return None
        section = self.mapping(section, name)
        if section is None:
            return None
        for key in sorted(set(section) - set(known)):
            self.error(section, f"{name}.{key}", f"is not part of {name}: use {', '.join(sorted(known))}", key)
        return section

    def error(self, where, path: str, message: str, key=None):
        line = getattr(where, "key_lines", {}).get(key, getattr(where, "line", 0)) if key else getattr(where, "line", 0)
        self.errors.append(PackError(self.file, line, path, message))

    def text(self, data, key, path, *, required=True, default=""):
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(data, f"{path}.{key}" if path else key, "is missing", key)
            return default
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.error(data, f"{path}.{key}" if path else key, "should be text", key)
            return default
        return str(value).strip()

    def code(self, data, key, path):
        value = self.text(data, key, path)
        if value and not CODE.match(value):
            self.error(data, f"{path}.{key}", f"“{value}” should be lower case letters, digits, - or _", key)
        return value

    def unique_code(self, item, key, path, seen: set, where=""):
        code = self.code(item, key, path)
        if code in seen:
            self.error(item, f"{path}.{key}", f"“{code}” is used twice{where}", key)
        seen.add(code)
        return code

    def items(self, data, key, path, *, required=False):
        value = data.get(key)
        if value is None:
            if required:
                self.error(data, f"{path}.{key}" if path else key, "is missing", key)
            return []
        if not isinstance(value, list):
            self.error(data, f"{path}.{key}" if path else key, "should be a list", key)
            return []
        return value

    def mapping(self, item, path):
        if not isinstance(item, dict):
            self.error(item, path, "should be a set of named fields")
            return None
        return item

    def choices(self, data, key, path, allowed):
        values = self.items(data, key, path)
        for value in values:
            if value not in allowed:
                self.error(values, f"{path}.{key}", f"“{value}” is not one of: {', '.join(allowed)}")
        return tuple(v for v in values if v in allowed)

    def notes(self, data, key, path):
        notes = []
        for i, item in enumerate(self.items(data, key, path)):
            item = self.mapping(item, f"{path}.{key}[{i}]")
            if item is not None:
                notes.append(Note(self.text(item, "text", f"{path}.{key}[{i}]"),
                                  self.text(item, "source", f"{path}.{key}[{i}]")))
        return tuple(notes)

    def plain(self, data, key, path, required_fields=()):
        """Lists of simple records (contacts, training, services): check the named fields are there."""
        result = []
        for i, item in enumerate(self.items(data, key, path)):
            item = self.mapping(item, f"{key}[{i}]")
            if item is None:
                continue
            for name in required_fields:
                self.text(item, name, f"{key}[{i}]")
            result.append(item)
        return tuple(result)


def parse_pack(text: str, file: str = "pack.yaml", *, alongside: dict[str, tuple[str, ...]] | None = None) -> Pack:
    """Read one pack. `alongside` holds the categories (code -> tags) of the packs adopted with it,
    which its parents and rule conditions may refer to."""
    alongside = alongside or {}
    checker = _Checker(file)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (_Loader is a SafeLoader)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        raise PackInvalid([PackError(file, mark.line + 1 if mark else 0, "", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise PackInvalid([PackError(file, 1, "", "a pack is a set of named fields (format, pack, title, ...)")])
    if data.get("format") != FORMAT:
        checker.error(data, "format", f"should be {FORMAT}", "format")
    pack_id = checker.code(data, "pack", "")
    review_due = data.get("review_due")
    if not isinstance(review_due, date):
        checker.error(data, "review_due", "should be a date like 2026-09-01", "review_due")
        review_due = date.min
    categories = _categories(checker, data, set(alongside))
    codes = {c.code for c in categories} | set(alongside)
    tags = {t for c in categories for t in c.tags} | {t for ts in alongside.values() for t in ts}
    rules = _rules(checker, data, codes, tags)
    for key, fields in (("local_contacts", ("kind", "name", "source")), ("training", ("code", "title", "audience",
                        "every", "source")), ("support_services", ("name", "source")), ("retention",
                        ("records", "keep", "source")), ("hackett", ("code", "label", "description", "source"))):
        data[key] = checker.plain(data, key, "", fields)
    for i, contact in enumerate(data["local_contacts"]):
        if contact.get("kind") not in CONTACT_KINDS:
            checker.error(contact, f"local_contacts[{i}].kind", f"should be one of: {', '.join(CONTACT_KINDS)}", "kind")
    for i, course in enumerate(data["training"]):
        if course.get("audience") not in AUDIENCES:
            checker.error(course, f"training[{i}].audience", f"should be one of: {', '.join(AUDIENCES)}", "audience")
        every = str(course.get("every", ""))
        if not EVERY.match(every) and every != ONCE:
            checker.error(course, f"training[{i}].every", "should be like “3 years” or “12 months”, or “once”",
                          "every")
        # Optional, so packs written before it still load: without it the reminder comes on the day it is due.
        remind = course.get("remind_before")
        if remind is not None:
            if every == ONCE or not REMIND_BEFORE.match(str(remind)):
                checker.error(course, f"training[{i}].remind_before", "should say how long before a refreshed "
                              "course is due to remind, like “30 days”", "remind_before")
            checker.text(course, "remind_source", f"training[{i}]")
    template = data.get("safety_plan_template") or {}
    if template:
        template = checker.mapping(template, "safety_plan_template") or {}
        for i, section in enumerate(checker.items(template, "sections", "safety_plan_template", required=True)):
            section = checker.mapping(section, f"safety_plan_template.sections[{i}]")
            if section is not None:
                checker.text(section, "heading", f"safety_plan_template.sections[{i}]")
    ladders = _ladders(checker, data)
    windows, nrm_categories, nrm_source = _referrals(checker, data, codes)
    reporting = _reporting(checker, data)
    peer_groups = _peer_groups(checker, data)
    missing = _missing(checker, data)
    picture = _picture(checker, data, categories)
    policy_review = _policy_review(checker, data)
    hotspots = _hotspots(checker, data)
    retention_rules = _retention_rules(checker, data["retention"])
    context_assessment = _context_assessment(checker, data)
    subject_access = _subject_access(checker, data)
    transfer = _transfer(checker, data)
    if checker.errors:
        raise PackInvalid(checker.errors)
    return Pack(
        pack=pack_id, title=checker.text(data, "title", ""), version=checker.text(data, "version", ""),
        abbreviation=checker.text(data, "abbreviation", ""), source_document=checker.text(data, "source_document", ""),
        review_due=review_due, categories=categories, rules=rules, hackett=data["hackett"],
        local_contacts=data["local_contacts"], training=data["training"], support_services=data["support_services"],
        retention=data["retention"], safety_plan_template=dict(template), ladders=ladders,
        response_windows=windows, nrm_categories=nrm_categories, nrm_source=nrm_source, reporting=reporting,
        peer_groups=peer_groups,
        missing=missing, picture=picture, hotspots=hotspots,
        policy_review=policy_review, retention_rules=retention_rules,
        context_assessment=context_assessment, subject_access=subject_access,
        transfer=transfer,
    )


def _retention_rules(checker, items) -> tuple[RetentionRule, ...]:
    """retention: an item with a code dates records: applies_to (kinds of establishment, or allegation), starts
    (date_of_birth or allegation), keep (N years); a children's home's died_before_age and after_death come
    together; an allegation's until_age. An item without a code is guidance shown as written."""
    rules, seen = [], set()
    for i, item in enumerate(items):
        if "code" not in item:
            continue
        path = f"retention[{i}]"
        code = checker.unique_code(item, "code", path, seen)
        applies_to = checker.choices(item, "applies_to", path, APPLIES_TO)
        if not applies_to:
            checker.error(item, f"{path}.applies_to", f"name at least one of: {', '.join(APPLIES_TO)}", "applies_to")
        starts = checker.text(item, "starts", path)
        if starts and starts not in STARTS:
            checker.error(item, f"{path}.starts", f"should be one of: {', '.join(STARTS)}", "starts")
        counts = {}
        for key in ("keep", "died_before_age", "after_death", "until_age"):
            if key not in item:
                continue
            try:
                counts[key] = years(item[key])
            except ValueError as problem:
                checker.error(item, f"{path}.{key}", str(problem), key)
        if ("died_before_age" in item) != ("after_death" in item):
            checker.error(item, path, "died_before_age and after_death come together", "code")
        rules.append(RetentionRule(
            code=code, records=str(item.get("records", "")), applies_to=applies_to, starts=starts,
            keep_years=counts.get("keep", 0), source=str(item.get("source", "")),
            died_before_age=counts.get("died_before_age"), after_death_years=counts.get("after_death"),
            until_age=counts.get("until_age")))
    return tuple(rules)


def _referrals(checker, data, codes) -> tuple[tuple[ResponseWindow, ...], frozenset[str], str]:
    """referrals: response_windows (agency, deadline, source) and nrm (categories, source)."""
    section = checker.section(data, "referrals", {"response_windows", "nrm"})
    if section is None:
        return (), frozenset(), ""
    windows, agencies = [], set()
    for i, item in enumerate(checker.items(section, "response_windows", "referrals")):
        path = f"referrals.response_windows[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        agency = checker.text(item, "agency", path)
        if agency and agency not in AGENCIES:
            checker.error(item, f"{path}.agency", f"“{agency}” is not one of: {', '.join(AGENCIES)}", "agency")
        elif agency in agencies:
            checker.error(item, f"{path}.agency", f"“{agency}” is given two response windows", "agency")
        agencies.add(agency)
        try:
            deadline = Deadline.parse(checker.text(item, "deadline", path))
        except ValueError as problem:
            checker.error(item, f"{path}.deadline", str(problem), "deadline")
            continue
        windows.append(ResponseWindow(agency=agency, deadline=deadline, source=checker.text(item, "source", path)))
    nrm = section.get("nrm")
    if nrm is None:
        return tuple(windows), frozenset(), ""
    nrm = checker.mapping(nrm, "referrals.nrm")
    if nrm is None:
        return tuple(windows), frozenset(), ""
    if not nrm.get("categories"):
        checker.error(nrm, "referrals.nrm.categories", "name at least one category", "categories")
    categories = checker.choices(nrm, "categories", "referrals.nrm", sorted(codes))
    return tuple(windows), frozenset(categories), checker.text(nrm, "source", "referrals.nrm")


def _count(checker, data, key, path) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        checker.error(data, f"{path}.{key}", "should be a whole number, at least 1", key)
        return 0
    return value


def _missing(checker, data) -> Missing | None:
    """missing: return_interview (what, deadline, owner, source) and pattern (episodes, days, source)."""
    section = checker.section(data, "missing", {"return_interview", "pattern"})
    if section is None:
        return None
    interview = checker.mapping(section.get("return_interview") or _Map(), "missing.return_interview")
    pattern = checker.mapping(section.get("pattern") or _Map(), "missing.pattern")
    if interview is None or pattern is None:
        return None
    path = "missing.return_interview"
    deadline = Deadline(Unit.HOURS, 72)
    try:
        deadline = Deadline.parse(checker.text(interview, "deadline", path))
    except ValueError as problem:
        checker.error(interview, f"{path}.deadline", str(problem), "deadline")
    owner = checker.text(interview, "owner", path)
    if owner and owner not in ROLES:
        checker.error(interview, f"{path}.owner", f"“{owner}” is not one of: {', '.join(ROLES)}", "owner")
    return Missing(
        interview_what=checker.text(interview, "what", path), interview_deadline=deadline, interview_owner=owner,
        interview_source=checker.text(interview, "source", path),
        pattern_episodes=_count(checker, pattern, "episodes", "missing.pattern"),
        pattern_days=_count(checker, pattern, "days", "missing.pattern"),
        pattern_source=checker.text(pattern, "source", "missing.pattern"))


@dataclass(frozen=True)
class ExploitationPicture:
    """The `exploitation_picture:` section: which categories' risk factors and indicators a child's page of
    signs over time lists, which of those signs a missing episode is (going missing is itself a sign, CE 5.3,
    5.4, 7.8), and how long the periods compared are where an establishment has no terms. Each with its
    source. The page lists what was recorded; it never scores a child."""
    categories: tuple[str, ...]
    source: str
    missing_signs: tuple[str, ...]
    missing_source: str
    weeks_without_terms: int
    weeks_source: str


def _picture(checker, data, categories) -> ExploitationPicture | None:
    """exploitation_picture: categories (this pack's), source, missing_signs (wordings of their notes),
    missing_source, weeks_without_terms (1 to 52) and weeks_source."""
    path = "exploitation_picture"
    known = {"categories", "source", "missing_signs", "missing_source", "weeks_without_terms", "weeks_source"}
    section = checker.section(data, "exploitation_picture", known)
    if section is None:
        return None
    own = {c.code: c for c in categories}
    if not section.get("categories"):
        checker.error(section, f"{path}.categories", "name at least one of this pack's categories", "categories")
    chosen = checker.choices(section, "categories", path, sorted(own))
    wordings = {note.text for code in chosen for note in own[code].risk_factors + own[code].indicators}
    signs = tuple(str(sign) for sign in checker.items(section, "missing_signs", path))
    for sign in signs:
        if sign not in wordings:
            checker.error(section, f"{path}.missing_signs", f"“{sign}” is not a risk factor or indicator of the "
                          "categories listed, word for word", "missing_signs")
    weeks = section.get("weeks_without_terms")
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 52:
        checker.error(section, f"{path}.weeks_without_terms", "should be a whole number from 1 to 52",
                      "weeks_without_terms")
        weeks = 13
    return ExploitationPicture(
        categories=chosen, source=checker.text(section, "source", path), missing_signs=signs,
        missing_source=checker.text(section, "missing_source", path) if signs else "",
        weeks_without_terms=weeks, weeks_source=checker.text(section, "weeks_source", path))


def _categories(checker, data, elsewhere: set[str]) -> tuple[Category, ...]:
    result, items, seen = [], [], set()
    for i, item in enumerate(checker.items(data, "categories", "", required=True)):
        path = f"categories[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        code = checker.unique_code(item, "code", path, seen)
        tags = tuple(checker.items(item, "tags", path))
        items.append((i, item))
        result.append(Category(code=code, label=checker.text(item, "label", path), source=checker.text(item, "source",
                      path), parent=checker.text(item, "parent", path, required=False), tags=tags,
                      description=checker.text(item, "description", path, required=False),
                      indicators=checker.notes(item, "indicators", path),
                      risk_factors=checker.notes(item, "risk_factors", path)))
    for (i, item), category in zip(items, result, strict=True):
        if category.parent and category.parent not in seen | elsewhere:
            checker.error(item, f"categories[{i}].parent",
                          f"“{category.parent}” is not a category in this pack or those adopted with it", "parent")
    return tuple(result)


def _rules(checker, data, codes, tags) -> tuple[Rule, ...]:
    result, seen = [], set()
    for i, item in enumerate(checker.items(data, "rules", "", required=True)):
        path = f"rules[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        rule_id = checker.unique_code(item, "id", path, seen)
        when = checker.mapping(item.get("when") or _Map(), f"{path}.when") or _Map()
        unknown = set(when) - {"categories_any", "tags_any", "flags_all", "flags_none", "establishment_kinds",
                               "concern_tags_any"}
        for key in sorted(unknown):
            checker.error(when, f"{path}.when.{key}", "is not a condition Safekeep knows", key)
        condition = Condition(
            categories_any=frozenset(checker.choices(when, "categories_any", f"{path}.when", sorted(codes))),
            tags_any=frozenset(checker.choices(when, "tags_any", f"{path}.when", sorted(tags))),
            flags_all=frozenset(checker.choices(when, "flags_all", f"{path}.when", FLAGS)),
            flags_none=frozenset(checker.choices(when, "flags_none", f"{path}.when", FLAGS)),
            establishment_kinds=frozenset(checker.choices(when, "establishment_kinds", f"{path}.when",
                                                          ESTABLISHMENT_KINDS)),
            concern_tags_any=frozenset(checker.choices(when, "concern_tags_any", f"{path}.when", sorted(tags))),
        )
        actions, action_codes = [], set()
        for j, action in enumerate(checker.items(item, "actions", path, required=True)):
            apath = f"{path}.actions[{j}]"
            action = checker.mapping(action, apath)
            if action is None:
                continue
            code = checker.unique_code(action, "code", apath, action_codes, " in this rule")
            owner = checker.text(action, "owner", apath)
            if owner and owner not in OWNERS:
                checker.error(action, f"{apath}.owner", f"“{owner}” is not one of: {', '.join(OWNERS)}", "owner")
            try:
                deadline = Deadline.parse(checker.text(action, "deadline", apath))
            except ValueError as problem:
                checker.error(action, f"{apath}.deadline", str(problem), "deadline")
                deadline = Deadline.parse("immediately")
            once = action.get("once_per_concern", False)
            if not isinstance(once, bool):
                checker.error(action, f"{apath}.once_per_concern", "must be true or false", "once_per_concern")
                once = False
            actions.append(ActionSpec(code=code, what=checker.text(action, "what", apath), owner=owner,
                                      deadline=deadline,
                                      escalation=checker.choices(action, "escalation", apath, ROLES),
                                      notify=checker.choices(action, "notify", apath, RECIPIENTS),
                                      for_roles=checker.choices(action, "for_roles", apath, CHILD_ROLES),
                                      once_per_concern=once, met_by=_met_by(checker, action, apath)))
        result.append(Rule(id=rule_id, title=checker.text(item, "title", path), source=checker.text(item, "source",
                           path), when=condition, actions=tuple(actions)))
    return tuple(result)


# --- reporting: small numbers and terms in the governor and SLT reports ------------------------

REPORTING_FIELDS = {"small_numbers", "terms"}


def _reporting(checker, data) -> Reporting | None:
    """reporting: small_numbers (threshold, source) and terms (each term's name and the month it starts)."""
    section = checker.section(data, "reporting", REPORTING_FIELDS)
    if section is None:
        return None
    small = checker.mapping(section.get("small_numbers") or _Map(), "reporting.small_numbers") or _Map()
    threshold = small.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= 100:
        checker.error(small or section, "reporting.small_numbers.threshold",
                      "should be a whole number from 1 to 100: counts under it are hidden", "threshold")
        threshold = 1
    terms = checker.mapping(section.get("terms") or _Map(), "reporting.terms") or _Map()
    periods = []
    for i, item in enumerate(checker.items(terms, "periods", "reporting.terms", required=True)):
        path = f"reporting.terms.periods[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        month = item.get("starts_month")
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            checker.error(item, f"{path}.starts_month", "should be the month the term starts, 1 to 12", "starts_month")
        elif any(p.starts_month == month for p in periods):
            checker.error(item, f"{path}.starts_month", f"two terms start in month {month}", "starts_month")
        else:
            periods.append(Period(name=checker.text(item, "name", path), starts_month=month))
    return Reporting(threshold=threshold, threshold_source=checker.text(small, "source", "reporting.small_numbers"),
                     periods=tuple(periods), periods_source=checker.text(terms, "source", "reporting.terms"))


# --- peer_groups: the peer clusters and the patterns about them (CoC 2.4-2.5, CE 3.2, 5.1-5.2) ----------

@dataclass(frozen=True)
class PeerGroupRules:
    """How far back the peer clusters look, and when the safeguarding team's inbox shows a pattern about them.
    Each figure has its source. A pattern is something to look at, never a label on a child."""
    named_within_days: int  # a cluster joins children named together in concerns recorded this recently
    clusters_source: str
    grew_at_least_children: int  # a cluster this large ...
    grew_by: int  # ... with this many more children than it had ...
    grew_within_days: int  # ... this many days ago
    grew_source: str
    role_changed_within_days: int  # harmed in one concern, alleged responsible in another, one of them this recent
    role_changed_source: str
    # The clusters page shows the close groups within a cluster this large (None: the pack sets none, so none
    # are shown). Optional, so a revision written before it was part of the section still reads.
    close_groups_at_least_children: int | None = None
    close_groups_source: str = ""


PEER_GROUP_FIELDS = {"clusters": ("named_within_days",), "cluster_grew": ("at_least_children", "grown_by",
                     "within_days"), "role_changed": ("within_days",)}
PEER_GROUP_OPTIONAL = {"close_groups": ("at_least_children",)}


def _peer_groups(checker, data) -> PeerGroupRules | None:
    """peer_groups: clusters (named_within_days), cluster_grew (at_least_children, grown_by, within_days) and
    role_changed (within_days), each with its source; close_groups (at_least_children) if the pack sets it."""
    known = {**PEER_GROUP_FIELDS, **PEER_GROUP_OPTIONAL}
    section = checker.section(data, "peer_groups", known)
    if section is None:
        return None
    figures, sources, wrong = {}, {}, False
    present = {part: names for part, names in PEER_GROUP_OPTIONAL.items() if part in section}
    for part, names in {**PEER_GROUP_FIELDS, **present}.items():
        path = f"peer_groups.{part}"
        item = section.get(part)
        if item is None:
            checker.error(section, path, "is missing", part)
            item = _Map()
        item = checker.mapping(item, path) or _Map()
        for name in names:
            value = item.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
                checker.error(item or section, f"{path}.{name}", "should be a whole number from 1 to 3650", name)
                value, wrong = 1, True
            figures[(part, name)] = value
        sources[part] = checker.text(item, "source", path)
    if not wrong and figures[("cluster_grew", "grown_by")] > figures[("cluster_grew", "at_least_children")]:
        checker.error(section, "peer_groups.cluster_grew.grown_by",
                      "cannot be more than at_least_children: a cluster grows by at most its own size", "cluster_grew")
    return PeerGroupRules(
        named_within_days=figures[("clusters", "named_within_days")], clusters_source=sources["clusters"],
        grew_at_least_children=figures[("cluster_grew", "at_least_children")],
        grew_by=figures[("cluster_grew", "grown_by")], grew_within_days=figures[("cluster_grew", "within_days")],
        grew_source=sources["cluster_grew"], role_changed_within_days=figures[("role_changed", "within_days")],
        role_changed_source=sources["role_changed"],
        close_groups_at_least_children=figures.get(("close_groups", "at_least_children")),
        close_groups_source=sources.get("close_groups", ""))


# --- policy_review: the annual review of the policy (CoC 1.4, 5.5, 14.2-14.3) ---------------------------

# What may sit beside a review question: figures Safekeep already keeps (counts only, small numbers hidden).
EVIDENCE = ("trends", "peer_groups", "training", "outcomes", "change", "voices")
# Who a questionnaire is for: pupils and staff take part in the review (CoC 1.4), parents are consulted (CoC 5.5).
VOICE_AUDIENCES = ("pupils", "parents", "staff")
POLICY_REVIEW_FIELDS = {"open_before_days", "open_source", "questions", "questionnaires", "action_plan"}


@dataclass(frozen=True)
class ReviewQuestion:
    code: str
    text: str
    source: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class VoiceQuestion:
    code: str
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    audience: str
    title: str
    source: str
    questions: tuple[VoiceQuestion, ...]


@dataclass(frozen=True)
class PolicyReviewRules:
    """The annual review: when it may be opened, what it asks, whom it hears and how often its plan is reviewed."""
    open_before_days: int  # a review may be opened this many days before the pack's review date (or after it)
    open_source: str
    questions: tuple[ReviewQuestion, ...]
    questionnaires: tuple[Questionnaire, ...]
    answers_per_link: int  # a questionnaire link takes at most this many answers, then closes
    answers_source: str
    plan_review_every_days: int
    plan_source: str

    def questionnaire(self, audience: str) -> Questionnaire | None:
        return next((q for q in self.questionnaires if q.audience == audience), None)


def _whole(checker, item, key, path, low, high) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        checker.error(item, f"{path}.{key}", f"should be a whole number from {low} to {high:,}", key)
        return low
    return value


def _policy_review(checker, data) -> PolicyReviewRules | None:
    """policy_review: open_before_days (with open_source), questions (code, text, source, evidence),
    questionnaires (answers_per_link, answers_source, audiences of questions with options) and action_plan
    (review_every_days, source)."""
    section = checker.section(data, "policy_review", POLICY_REVIEW_FIELDS)
    if section is None:
        return None
    questions, seen = [], set()
    for i, item in enumerate(checker.items(section, "questions", "policy_review", required=True)):
        path = f"policy_review.questions[{i}]"
        item = checker.mapping(item, path)
        if item is not None:
            questions.append(ReviewQuestion(
                code=checker.unique_code(item, "code", path, seen), text=checker.text(item, "text", path),
                source=checker.text(item, "source", path), evidence=checker.choices(item, "evidence", path, EVIDENCE)))
    voices = checker.mapping(section.get("questionnaires") or _Map(), "policy_review.questionnaires") or _Map()
    questionnaires, audiences = [], set()
    for i, item in enumerate(checker.items(voices, "audiences", "policy_review.questionnaires", required=True)):
        path = f"policy_review.questionnaires.audiences[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        audience = checker.text(item, "audience", path)
        if audience not in VOICE_AUDIENCES or audience in audiences:
            checker.error(item, f"{path}.audience", f"should be one of {', '.join(VOICE_AUDIENCES)}, each once",
                          "audience")
        audiences.add(audience)
        asked, codes = [], set()
        for j, question in enumerate(checker.items(item, "questions", path, required=True)):
            qpath = f"{path}.questions[{j}]"
            question = checker.mapping(question, qpath)
            if question is None:
                continue
            given = checker.items(question, "options", qpath, required=True)
            if any(not isinstance(o, str) for o in given):
                # YAML reads a bare Yes or No as true or false: the pack must say the words it means.
                checker.error(question, f"{qpath}.options", "write each answer as text, in quotes (\"Yes\", "
                              "\"No\")", "options")
            options = [str(o).strip() for o in given]
            if len(options) < 2 or len(set(options)) != len(options):
                checker.error(question, f"{qpath}.options", "give two or more different answers to choose from",
                              "options")
            asked.append(VoiceQuestion(code=checker.unique_code(question, "code", qpath, codes),
                                       text=checker.text(question, "text", qpath), options=tuple(options)))
        questionnaires.append(Questionnaire(audience=audience, title=checker.text(item, "title", path),
                                            source=checker.text(item, "source", path), questions=tuple(asked)))
    plan = checker.mapping(section.get("action_plan") or _Map(), "policy_review.action_plan") or _Map()
    return PolicyReviewRules(
        open_before_days=_whole(checker, section, "open_before_days", "policy_review", 1, 365),
        open_source=checker.text(section, "open_source", "policy_review"), questions=tuple(questions),
        questionnaires=tuple(questionnaires),
        answers_per_link=_whole(checker, voices or section, "answers_per_link", "policy_review.questionnaires", 1,
                                100_000),
        answers_source=checker.text(voices, "answers_source", "policy_review.questionnaires"),
        plan_review_every_days=_whole(checker, plan or section, "review_every_days", "policy_review.action_plan", 1,
                                      366),
        plan_source=checker.text(plan, "source", "policy_review.action_plan"))


# --- hotspots: places, kinds of place and year groups where concerns gather (CoC 2.4-2.5, CE 5.1-5.2) -----

@dataclass(frozen=True)
class HotspotRule:
    """At least `concerns` concerns that happened within `days` days raise the flag. A place, a kind of place
    or a year group to look at, never a label."""
    concerns: int
    days: int
    source: str


@dataclass(frozen=True)
class Hotspots:
    place: HotspotRule  # one place on the establishment's list
    kind: HotspotRule  # one kind of place: on site, off site, online
    year_group: HotspotRule  # children of one year group (CoC 2.5(f))


HOTSPOT_PARTS = ("place", "kind", "year_group")


def _hotspots(checker, data) -> Hotspots | None:
    """hotspots: place, kind and year_group, each with concerns, days and source."""
    section = checker.section(data, "hotspots", HOTSPOT_PARTS)
    if section is None:
        return None
    rules = {}
    for part in HOTSPOT_PARTS:
        path = f"hotspots.{part}"
        if section.get(part) is None:
            checker.error(section, path, "is missing", part)
        item = checker.mapping(section.get(part) or _Map(), path) or _Map()
        rules[part] = HotspotRule(concerns=_count(checker, item, "concerns", path),
                                  days=_count(checker, item, "days", path), source=checker.text(item, "source", path))
    return Hotspots(**rules)


# --- context_assessment: a place, an online space or a peer group assessed and planned for (CoC 2.4-2.5, 7.3) ---

# What can be assessed: a place on the establishment's list, by its kind, or a saved peer group.
CONTEXT_KINDS = ("on_site", "off_site", "online", "peer_group")
CONTEXT_FIELDS = {"source", "contexts", "triangles", "plan"}


@dataclass(frozen=True)
class TriangleSide:
    code: str
    question: str
    hint: str
    source: str


@dataclass(frozen=True)
class Triangle:
    code: str
    title: str
    source: str
    sides: tuple[TriangleSide, ...]


@dataclass(frozen=True)
class ContextActionKind:
    """Something a context plan may do about the context (never about a child), its usual owner and time."""
    code: str
    label: str
    owner: str
    due_days: int
    source: str


@dataclass(frozen=True)
class ContextAssessmentRules:
    source: str
    triangles: tuple[Triangle, ...]
    triangle_for: dict  # context kind -> triangle code
    review_every_days: int  # a context plan is reviewed this many days after it is made, and after each review
    review_source: str
    actions: tuple[ContextActionKind, ...]

    def triangle(self, kind: str) -> Triangle | None:
        code = self.triangle_for.get(kind)
        return next((t for t in self.triangles if t.code == code), None)

    def action_kind(self, code: str) -> ContextActionKind | None:
        return next((a for a in self.actions if a.code == code), None)


def _context_assessment(checker, data) -> ContextAssessmentRules | None:
    """context_assessment: source; contexts (each context kind -> a triangle's code); triangles (code, title,
    source, three or more sides of code, question, hint, source); plan (review_every_days, review_source, actions of
    code, label, owner, due_days, source)."""
    path = "context_assessment"
    section = checker.section(data, "context_assessment", CONTEXT_FIELDS)
    if section is None:
        return None
    triangles, seen = [], set()
    for i, item in enumerate(checker.items(section, "triangles", path, required=True)):
        tpath = f"{path}.triangles[{i}]"
        item = checker.mapping(item, tpath)
        if item is None:
            continue
        sides, side_codes = [], set()
        for j, side in enumerate(checker.items(item, "sides", tpath, required=True)):
            spath = f"{tpath}.sides[{j}]"
            side = checker.mapping(side, spath)
            if side is not None:
                sides.append(TriangleSide(code=checker.unique_code(side, "code", spath, side_codes),
                                          question=checker.text(side, "question", spath),
                                          hint=checker.text(side, "hint", spath, required=False),
                                          source=checker.text(side, "source", spath)))
        if len(sides) < 3:
            checker.error(item, f"{tpath}.sides", "a triangle has three sides or more", "sides")
        triangles.append(Triangle(code=checker.unique_code(item, "code", tpath, seen),
                                  title=checker.text(item, "title", tpath), source=checker.text(item, "source", tpath),
                                  sides=tuple(sides)))
    contexts = checker.mapping(section.get("contexts") or _Map(), f"{path}.contexts") or _Map()
    triangle_for = {}
    for kind in CONTEXT_KINDS:
        code = contexts.get(kind)
        if code not in seen:
            checker.error(contexts, f"{path}.contexts.{kind}",
                          f"should name one of the triangles: {', '.join(sorted(seen)) or 'none given'}", kind)
        triangle_for[kind] = code
    for key in sorted(set(contexts) - set(CONTEXT_KINDS)):
        checker.error(contexts, f"{path}.contexts.{key}", f"is not a context: use {', '.join(CONTEXT_KINDS)}", key)
    plan = checker.mapping(section.get("plan") or _Map(), f"{path}.plan") or _Map()
    if section.get("plan") is None:
        checker.error(section, f"{path}.plan", "is missing", "plan")
    actions, codes = [], set()
    for i, item in enumerate(checker.items(plan, "actions", f"{path}.plan", required=True)):
        apath = f"{path}.plan.actions[{i}]"
        item = checker.mapping(item, apath)
        if item is None:
            continue
        owner = checker.text(item, "owner", apath)
        if owner and owner not in ROLES:
            checker.error(item, f"{apath}.owner", f"should be one of: {', '.join(ROLES)}", "owner")
        actions.append(ContextActionKind(code=checker.unique_code(item, "code", apath, codes),
                                         label=checker.text(item, "label", apath), owner=owner,
                                         due_days=_whole(checker, item, "due_days", apath, 1, 366),
                                         source=checker.text(item, "source", apath)))
    return ContextAssessmentRules(
        source=checker.text(section, "source", path), triangles=tuple(triangles), triangle_for=triangle_for,
        review_every_days=_whole(checker, plan, "review_every_days", f"{path}.plan", 1, 366),
        review_source=checker.text(plan, "review_source", f"{path}.plan"), actions=tuple(actions))


SUBJECT_ACCESS_FIELDS = ("respond_within_months", "extend_by_months", "owner", "what", "source")


def _subject_access(checker, data) -> SubjectAccess | None:
    """subject_access: respond_within_months, extend_by_months, owner, what and source."""
    section = checker.section(data, "subject_access", SUBJECT_ACCESS_FIELDS)
    if section is None:
        return None
    owner = checker.text(section, "owner", "subject_access")
    if owner and owner not in ROLES:
        checker.error(section, "subject_access.owner", f"“{owner}” is not one of: {', '.join(ROLES)}", "owner")
    return SubjectAccess(
        respond_within_months=_count(checker, section, "respond_within_months", "subject_access"),
        extend_by_months=_count(checker, section, "extend_by_months", "subject_access"),
        owner=owner, what=checker.text(section, "what", "subject_access"),
        source=checker.text(section, "source", "subject_access"))


TRANSFER_FIELDS = ("link_expires_after_days", "link_source", "wrong_codes_allowed", "wrong_codes_source")


def _transfer(checker, data) -> TransferLinkRules | None:
    """transfer: link_expires_after_days (1 to 90) and wrong_codes_allowed (1 to 20), each with its source."""
    section = checker.section(data, "transfer", TRANSFER_FIELDS)
    if section is None:
        return None
    return TransferLinkRules(
        link_expires_after_days=_whole(checker, section, "link_expires_after_days", "transfer", 1, 90),
        link_source=checker.text(section, "link_source", "transfer"),
        wrong_codes_allowed=_whole(checker, section, "wrong_codes_allowed", "transfer", 1, 20),
        wrong_codes_source=checker.text(section, "wrong_codes_source", "transfer"))


# --- ladders: who is told in turn when a step is late, and how fast ----------------------------

LADDER_FIELDS = {"named", "allegation", "pace"}


def _ladders(checker, data) -> Ladders | None:
    section = checker.section(data, "ladders", LADDER_FIELDS)
    if section is None:
        return None
    named, sources = {}, {}
    for i, item in enumerate(checker.items(section, "named", "ladders", required=True)):
        path = f"ladders.named[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        code = checker.unique_code(item, "code", path, set(named))
        roles = checker.choices(item, "roles", path, ROLES)
        if not roles:
            checker.error(item, f"{path}.roles", "name at least one role", "roles")
        named[code], sources[code] = roles, checker.text(item, "source", path)
    allegation = checker.mapping(section.get("allegation") or _Map(), "ladders.allegation") or _Map()
    stand_ins = {}
    for role, by in (checker.mapping(allegation.get("stand_ins") or _Map(), "ladders.allegation.stand_ins")
                     or _Map()).items():
        if role not in OWNERS or by not in ROLES:
            checker.error(allegation, "ladders.allegation.stand_ins", f"“{role}: {by}” should be a role that "
                          f"owns or escalates steps, then the role that stands in for it", "stand_ins")
        else:
            stand_ins[role] = by
    always_last = checker.text(allegation, "always_last", "ladders.allegation", required=False)
    if always_last and always_last not in ROLES:
        checker.error(allegation, "ladders.allegation.always_last", f"“{always_last}” is not one of: "
                      f"{', '.join(ROLES)}", "always_last")
    if allegation:
        sources["allegation"] = checker.text(allegation, "source", "ladders.allegation")
    return Ladders(named=named, stand_ins=stand_ins, always_last=always_last if always_last in ROLES else "",
                   pace=_pace(checker, section), sources=sources)


def _pace(checker, section) -> dict[Unit, Pace]:
    """Every kind of deadline needs its pace, so no late step is left without a next time to climb."""
    pace = {}
    for i, item in enumerate(checker.items(section, "pace", "ladders", required=True)):
        path = f"ladders.pace[{i}]"
        item = checker.mapping(item, path)
        if item is None:
            continue
        unit = checker.text(item, "deadline", path)
        if unit not in {u.value for u in Unit}:
            checker.error(item, f"{path}.deadline", f"“{unit}” is not one of: {', '.join(Unit)}", "deadline")
            continue
        if Unit(unit) in pace:
            checker.error(item, f"{path}.deadline", f"“{unit}” has two paces", "deadline")
        waits = {}
        for key in ("first_step_after", "then_every"):
            text = checker.text(item, key, path, required=key == "then_every")
            try:
                waits[key] = Interval.parse(text) if text else None
            except ValueError as problem:
                checker.error(item, f"{path}.{key}", str(problem), key)
                waits[key] = Interval(1, "hours")
        pace[Unit(unit)] = Pace(then_every=waits["then_every"] or Interval(1, "hours"),
                                first_step_after=waits["first_step_after"], source=checker.text(item, "source", path))
    missing = [unit.value for unit in Unit if unit not in pace]
    if section.get("pace") is not None and missing:
        checker.error(section, "ladders.pace", f"give a pace for every kind of deadline; missing: {', '.join(missing)}",
                      "pace")
    return pace

def _met_by(checker, action, apath) -> tuple[str, ...]:
    """`met_by: triage` or a list of them: the records that close the step when they are recorded."""
    if isinstance(action.get("met_by"), str):
        action["met_by"] = _List([action["met_by"]])
        action["met_by"].line = getattr(action, "key_lines", {}).get("met_by", getattr(action, "line", 0))
    return checker.choices(action, "met_by", apath, MET_BY)


def steps_met_by(packs, event: str) -> dict[str, bool]:
    """The codes of the steps a record meets, each with whether it is about the whole concern
    (once_per_concern) rather than one child."""
    met = {}
    for pack in packs:
        for rule in pack.rules:
            for spec in rule.actions:
                if event in spec.met_by:
                    met[spec.code] = met.get(spec.code, False) or spec.once_per_concern
    return met


def same_steps(packs) -> dict[str, frozenset[str]]:
    """For each step code, the codes of every step that is the same piece of work: owned by the same role and
    met by the same records ("call the police" and "report to the police", both the DSL's and both met by a
    referral to the police). A teacher's own duty (FGM, owned by staff) is never folded into the DSL's."""
    work = {spec.code: (spec.owner, frozenset(spec.met_by))
            for pack in packs for rule in pack.rules for spec in rule.actions}
    return {code: frozenset(other for other, theirs in work.items() if other == code or (mine[1] and theirs == mine))
            for code, mine in work.items()}


def load_pack(path: Path | str, *, alongside=None) -> Pack:
    path = Path(path)
    return parse_pack(path.read_text(encoding="utf-8"), file=path.name, alongside=alongside)


def categories_in(text: str) -> dict[str, tuple[str, ...]]:
    """A first, forgiving look at a pack: its category codes and tags, for checking the others."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    items = data.get("categories") if isinstance(data, dict) else None
    return {str(c["code"]): tuple(c.get("tags") or ()) for c in items or [] if isinstance(c, dict) and "code" in c}


def pack_id_in(text: str) -> str:
    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return ""
    return str(data.get("pack", "")) if isinstance(data, dict) else ""


def parse_packs(texts: dict[str, str]) -> list[Pack]:
    """Read packs adopted together (file name -> text): each may refer to the others' categories."""
    seen = {name: categories_in(text) for name, text in texts.items()}
    packs, errors = [], []
    for name, text in texts.items():
        others = {code: tags for other, cats in seen.items() if other != name for code, tags in cats.items()}
        try:
            packs.append(parse_pack(text, name, alongside=others))
        except PackInvalid as invalid:
            errors += invalid.errors
    errors += check_together(packs)
    if errors:
        raise PackInvalid(errors)
    return packs


def check_together(packs: list[Pack]) -> list[PackError]:
    """Packs adopted together must not give two categories the same code, and parents must exist."""
    errors, owner = [], {}
    for pack in packs:
        for category in pack.categories:
            if category.code in owner:
                errors.append(PackError(f"{pack.pack}.yaml", 0, f"categories.{category.code}",
                                        f"“{category.code}” is also a category of {owner[category.code]}"))
            owner.setdefault(category.code, pack.pack)
    waits = {}
    for pack in packs:
        for window in pack.response_windows:
            if window.agency in waits:
                errors.append(PackError(f"{pack.pack}.yaml", 0, f"referrals.response_windows.{window.agency}",
                                        f"“{window.agency}” is also given a response window by {waits[window.agency]}"))
            waits.setdefault(window.agency, pack.pack)
    # One return home interview and one pattern threshold: a second pack's `missing:` would leave it unclear.
    missing = [pack.pack for pack in packs if pack.missing is not None]
    for other in missing[1:]:
        errors.append(PackError(f"{other}.yaml", 0, "missing", f"missing episodes are also set by {missing[0]}"))
    # One hotspot flag: a second pack's `hotspots:` would leave it unclear which threshold holds.
    hotspots = [pack.pack for pack in packs if pack.hotspots is not None]
    for other in hotspots[1:]:
        errors.append(PackError(f"{other}.yaml", 0, "hotspots", f"the hotspot flag is also set by {hotspots[0]}"))
    return errors


SHIPPED = Path(__file__).with_name("packs")


@lru_cache(maxsize=32)
def parse_packs_once(texts: tuple[tuple[str, str], ...]) -> tuple[Pack, ...]:
    """parse_packs for (name, text) pairs, remembered: a stored version's text never changes."""
    return tuple(parse_packs(dict(texts)))


def shipped_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SHIPPED.glob("*.yaml"))}


def shipped_packs() -> list[Pack]:
    return parse_packs(shipped_texts())
