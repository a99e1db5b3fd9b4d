"""Every URL x every role x every relation to the object x GET and POST, against url_policy.yaml.

Fails on: a URL pattern missing from the policy (or a policy entry with no URL), an allow the
policy does not grant, an allowed request that does not reach its handler (anything but 2xx or 3xx;
an API POST may answer 400 problem+json for its empty body), a denial that is not a 404 (or 405)
written to the audit log, and any write other than the audit log and the session caused by a GET or
by a denied request. The subject of an allegation is refused every record that follows it, on every
URL naming one and in every list.
"""

import io
import re
from datetime import UTC, date, datetime

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, resolve
from PIL import Image
from pypdf import PdfReader
from rest_framework.parsers import MultiPartParser

from safekeep.accounts.models import PersonalApiToken
from safekeep.api.errors import PROBLEM
from safekeep.audit.models import AuditEvent
from safekeep.authz.policy import EVERYONE, PUBLIC, SIGNED_IN, SUPERUSER, load_policy, rule_for_name
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.chronology.services import chronology_pdf_request
from safekeep.establishments.models import TermDate
from safekeep.governance.selectors import establishment_report
from safekeep.governance.services import review_record
from safekeep.peergroups.services import peer_group_save
from safekeep.missing import services as missing_services
from safekeep.places.services import site_plan_upload
from safekeep.contexts.services import context_assess
from safekeep.packs import services as packs_services
from safekeep.subjectaccess import services as subject_access
from safekeep.concerns.services import concern_submit
from safekeep.core.clock import LONDON
from safekeep.policy.retention import add_years
from safekeep.retention.services import retention_hold_place
from tests.markers import allegation_markers, allegation_with_everything, markers_in
from tests.world import LOCATIONS, build_world, enrol_totp, give_role, make_user, sign_in

# Tables a refused request or a GET may still write: the audit log itself, sessions, caches, lockout counters.
ALLOWED_SIDE_TABLES = ("audit_auditevent", "django_session", "safekeep_cache", "axes_", "accounts_personalapitoken")
# Who may ask for a long chronology's PDF to be prepared (url_policy.yaml chronology:pdf_request).
CHRONOLOGY_PDF_ASKERS = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD, Role.REGIONAL_DIRECTOR, Role.GROUP_HEAD)
SENT_TO_SIGN_IN = re.compile(r"/accounts/login/|/account/two-factor-needed/")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\s+(INTO\s+)?\"?(\w+)", re.I)


def url_patterns():
    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace + (pattern.namespace + ":" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            else:
                yield namespace + (pattern.name or f"<unnamed {pattern.lookup_str}>"), prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns, "", ""))


PATTERNS = url_patterns()


def test_every_url_has_a_policy_entry_and_every_entry_a_url():
    names = {name for name, _ in PATTERNS}
    missing = sorted(name for name in names if rule_for_name(name) is None)
    assert missing == [], f"URLs with no entry in url_policy.yaml: {missing}"
    stale = sorted(n for n in load_policy() if not n.endswith("*") and n not in names)
    assert stale == [], f"url_policy.yaml names URLs that do not exist: {stale}"


def _fill(route: str, values: dict) -> str:
    def replace(match):
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        return "1" if converter == "int" or (converter is None and name.endswith("id")) else "x1"

    # Regex routes (allauth, admin) first: fill their groups with the value or a plausible one.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "1")), route)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")


def _values(world, rule, location, persona):
    values = {"version_id": world.pack_version.pk}
    if persona is not None:
        values |= world.own[persona.pk]
        values |= {"key": world.own[persona.pk]["reset_key" if rule.name.startswith("account_reset") else "email_key"]}
    if rule.object is None:
        return values
    est = world.establishments[location]
    by_object = {
        "child": {"child_id": world.children[location].pk, "pk": world.children[location].pk},
        "establishment": {"establishment_id": est.pk, "pk": est.pk, "contact_id": world.contacts[location].pk,
                          "location_id": world.places[location].pk, "term_id": world.terms[location].pk,
                          "plan_id": world.earlier_site_plans[location].pk},
        "person": {"user_id": world.people[location].pk, "membership_id": world.memberships[location].pk},
        "import": {"batch_id": world.batches[location].pk},
        "share": {"share_id": world.shares[location].pk, "pk": world.shares[location].pk},
        "meeting": {"meeting_id": world.meetings[location].pk, "pk": world.meetings[location].pk},
        "referral": {"referral_id": world.referrals[location].pk, "pk": world.referrals[location].pk},
        "nrm": {"tracker_id": world.nrm_trackers[location].pk, "pk": world.nrm_trackers[location].pk},
        "case": {"child_id": world.children[location].pk, "establishment_id": est.pk},
        "plan": {"plan_id": world.plans[location].pk, "pk": world.plans[location].pk},
        "sanction": {"sanction_id": world.sanctions[location].pk},
        "action": {"action_id": world.actions[location].pk, "pk": world.actions[location].pk},
        "episode": {"episode_id": world.episodes[location].pk},
        "review": {"review_id": world.reviews[location].pk, "pk": world.reviews[location].pk},
        "concern": {"concern_id": world.concerns[location].pk, "pk": world.concerns[location].pk,
                    "involved_id": world.concerns[location].children_involved.get().pk,
                    "child_id": world.children[location].pk},
        "attachment": {"concern_id": world.concerns[location].pk, "pk": world.concerns[location].pk,
                       "attachment_id": world.attachments[location].pk},
        "peergroup": {"group_id": world.peer_groups[location].pk},
        "contextassessment": {"assessment_id": world.context_assessments[location].pk},
        "sar": {"request_id": world.sars[location].pk, "pk": world.sars[location].pk},
        "allegation": {"concern_id": world.retention_allegations[location].pk},
    }
    if rule.object == "entry":
        entry = _entry(world, location)
        return values | {"entry_id": entry.pk, "pk": entry.pk}
    return values | by_object[rule.object]


def _entry(world, location):
    """An entry in the chronology of the child at this location, about the concern recorded there."""
    child, concern = world.children[location], world.concerns[location]
    return ChronologyEntry.objects.filter(child=child, concern=concern).first() or ChronologyEntry.objects.create(
        child=child, establishment=world.establishments[location], kind="concern.recorded", concern=concern,
        object_type="concern", object_id=str(concern.pk), summary="Concern recorded.", occurred_at=concern.occurred_at)


def _expected(rule, method, role, location, is_superuser):
    method_rule = rule.methods.get(method)
    if method_rule is None:
        return False
    if method_rule.access in (PUBLIC, SIGNED_IN, EVERYONE):
        return True
    if method_rule.access == SUPERUSER:
        return is_superuser
    if role not in method_rule.roles:
        return False
    return rule.object is None or location in method_rule.roles[role]


def _writes(queries):
    tables = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and not match.group(3).lower().startswith(ALLOWED_SIDE_TABLES):
            tables.append(match.group(3))
    return tables


def _request(client, method, path, api):
    if method == "GET":
        return client.get(path)
    if api and not _takes_files(path):
        # The API parses JSON: an empty object reaches the handler, which answers for the body.
        return client.post(path, "{}", content_type="application/json")
    return client.post(path, {})


def _takes_files(path) -> bool:
    """The photo upload takes a multipart form, as browsers and apps send files; every other endpoint JSON."""
    view = getattr(resolve(path).func, "cls", None)
    return view is not None and MultiPartParser in getattr(view, "parser_classes", ())


def _answered(response, method, api) -> bool:
    """An allowed request must reach its handler and be answered: 2xx or 3xx (a page POST with an empty
    form re-shows the form with its errors, 200, or redirects, 302). An API POST with an empty JSON
    body may instead be refused by the handler as invalid: 400 with a problem+json body. Never 403,
    404, 405, 415 or 500."""
    status = response.status_code
    if status in (301, 302) and SENT_TO_SIGN_IN.search(response.headers.get("Location", "")):
        return False  # sent to sign in again: the handler never ran
    if 200 <= status < 400:
        return True
    return api and method == "POST" and status == 400 and response["Content-Type"].startswith(PROBLEM)


def _operators_admin_answered(response, policy_refusal) -> bool:
    """The Django admin (platform operators only) keeps its own rules behind the policy: read-only logs refuse
    "add" (403), logout takes POST only (405), made-up paths are 404. Enough that the policy let the request
    through to it and it did not fail."""
    return not policy_refusal and response.status_code < 500


def _is_api(name) -> bool:
    return name.startswith("api:")


def _signed_in(client, persona) -> str:
    """Sign in once; each cell starts from this session (a cell's writes, a sign-out among them, roll back
    with it, so putting the cookie back restores the session)."""
    sign_in(client, persona)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def equip(world):
    """What the matrix's URLs name besides the world's records: each persona's own API token, email and
    password-reset keys (with a second factor and recovery codes set up), and a term at each establishment."""
    world.own = {}  # persona -> URL values for their own things: API token, email and password-reset keys
    for persona in world.personas.values():
        enrol_totp(persona)
        RecoveryCodes.activate(persona)
        token = PersonalApiToken.objects.create(user=persona, name="t", key_hash=PersonalApiToken.hash_key(
            f"k{persona.pk}"), hint="sk_x", expires_at="2100-01-01T00:00:00Z")
        address = EmailAddress.objects.create(user=persona, email=persona.email, primary=True, verified=False)
        world.own[persona.pk] = {"token_id": token.pk, "email_key": EmailConfirmationHMAC(address).key,
                                 "uidb36": user_pk_to_url_str(persona),
                                 "reset_key": default_token_generator.make_token(persona)}
    world.reviews = _reviews(world)
    world.peer_groups = _peer_groups(world)
    world.episodes = _episodes(world)
    world.site_plans = _site_plans(world)
    world.context_assessments = _context_assessments(world)
    world.sars = _subject_access_requests(world)
    world.retention_allegations = _retention_allegations(world)
    world.terms = {location: TermDate.objects.create(establishment=establishment, name="Autumn term",
                                                     starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18))
                   for location, establishment in world.establishments.items()}
    _chronology_pdfs(world)


def _chronology_pdfs(world) -> None:
    """A chronology PDF prepared for each persona who may ask for one, of the child at their own establishment:
    their own, named in their URL values (the test settings' queue builds it at once)."""
    for role in CHRONOLOGY_PDF_ASKERS:
        persona = world.personas[role]
        asked = chronology_pdf_request(actor=persona, child_id=world.children["here"].pk, redact=False)
        world.own[persona.pk]["pdf_request_id"] = asked.pk


def _episodes(world) -> dict:
    """A missing episode, still open, for the child at each establishment, recorded by a safeguarding lead there."""
    episodes = {}
    for location, establishment in world.establishments.items():
        lead = make_user(f"missing-lead-{location}@example.org", establishment.organisation)
        give_role(lead, Role.DSL, establishment=establishment)
        episodes[location] = missing_services.episode_record(
            actor=lead, establishment=establishment, child=world.children[location], missing_from="home",
            went_missing_at=datetime(2026, 1, 5, 20, 0, tzinfo=UTC), reported_by="A parent")
    return episodes


def _site_plans(world) -> dict:
    """A site plan at each establishment, uploaded through the service by someone who may: the group head in
    organisation one, a safeguarding lead of its own at the establishment elsewhere. Each replaces an earlier
    plan, kept as history (world.earlier_site_plans)."""
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(picture, "PNG")
    plans, world.earlier_site_plans = {}, {}
    for location, establishment in world.establishments.items():
        actor = world.personas[Role.GROUP_HEAD]
        if location == "elsewhere":
            actor = make_user("places-lead-elsewhere@example.org", establishment.organisation)
            give_role(actor, Role.DSL, establishment=establishment)
        world.earlier_site_plans[location] = site_plan_upload(
            actor=actor, establishment=establishment,
            upload=SimpleUploadedFile("plan.png", picture.getvalue(), "image/png"))
        plans[location] = site_plan_upload(actor=actor, establishment=establishment,
                                           upload=SimpleUploadedFile("plan.png", picture.getvalue(), "image/png"))
    return plans


def _context_assessments(world) -> dict:
    """An assessment of the place on each establishment's list, by a safeguarding lead there, under the
    child-on-child abuse pack adopted for that establishment alone (its triangles and review period)."""
    versions = {v.pack: v for v in packs_services.shipped_packs_install()}
    assessments = {}
    for location, establishment in world.establishments.items():
        adopter = world.personas[Role.GROUP_HEAD]
        if location == "elsewhere":
            adopter = make_user("group-head-elsewhere@example.org", establishment.organisation)
            give_role(adopter, Role.GROUP_HEAD, organisation=establishment.organisation)
        packs_services.pack_adopt(actor=adopter, pack_version=versions["child-on-child-abuse"],
                                  organisation=establishment.organisation, establishment=establishment)
        lead = make_user(f"context-lead-{location}@example.org", establishment.organisation)
        give_role(lead, Role.DSL, establishment=establishment)
        assessments[location] = context_assess(
            actor=lead, establishment=establishment, location=world.places[location],
            answers={"harm": f"Pushing at {location}", "features": "No sight line", "capacity": "One on duty"},
            summary=f"Context summary {location}")
    return assessments


def _subject_access_requests(world) -> dict:
    """A subject access request for the child at each establishment, recorded by a safeguarding lead there."""
    requests = {}
    for location, establishment in world.establishments.items():
        lead = make_user(f"sar-lead-{location}@example.org", establishment.organisation)
        give_role(lead, Role.DSL, establishment=establishment)
        requests[location] = subject_access.request_record(
            actor=lead, establishment=establishment, child=world.children[location], requester_name="A parent",
            relationship="parent", received_how="letter", received_on=date(2026, 1, 5))
    return requests


def _reviews(world) -> dict:
    """An exploitation risk review (CE 10.6) at each establishment, recorded through the service by someone who
    may: the group head in organisation one, a head of its own at the establishment elsewhere."""
    reviews = {}
    for location, establishment in world.establishments.items():
        actor = world.personas[Role.GROUP_HEAD]
        if location == "elsewhere":
            actor = make_user("head-elsewhere@example.org", establishment.organisation)
            give_role(actor, Role.HEAD, establishment=establishment)
        reviews[location] = review_record(
            actor=actor, organisation=establishment.organisation, establishment=establishment, meeting="slt",
            held_on=date(2026, 1, 6), reviewed_by="The SLT", discussion="Exploitation risks this term",
            decisions="Keep watching", report=establishment_report(establishment), actions=[])
    return reviews


def _peer_groups(world) -> dict:
    """A peer group at each establishment, of its child and a second one, saved through the service by someone who
    may: the group head in organisation one, a DSL of its own at the establishment elsewhere."""
    groups = {}
    for location, establishment in world.establishments.items():
        actor = world.personas[Role.GROUP_HEAD]
        if location == "elsewhere":
            actor = make_user("dsl-elsewhere@example.org", establishment.organisation)
            give_role(actor, Role.DSL, establishment=establishment)
        friend = Child.objects.create(organisation=establishment.organisation, first_name="Friend",
                                      last_name=location.title(), date_of_birth=date(2012, 6, 1), year_group="Year 9")
        Enrolment.objects.create(child=friend, establishment=establishment, mis_id=f"F-{location}")
        groups[location] = peer_group_save(actor=actor, establishment=establishment, name=f"Group {location}",
                                           children=[world.children[location], friend])
    return groups


# Records about children, and the pages that list or find them: a governor reads totals only (DESIGN.md section 1).
CHILD_LEVEL_OBJECTS = {"child", "concern", "allegation", "case", "plan", "sanction", "referral", "nrm", "action", "meeting",
                       "attachment", "entry", "share", "peergroup", "episode", "contextassessment", "sar"}
CHILD_LEVEL_PREFIXES = ("children:", "concerns:", "cases:", "chronology:", "safetyplans:", "referrals:", "actions:",
                        "meetings:", "sharing:", "attachments:", "missing:", "api:child", "api:concern", "api:action",
                        "api:referral", "api:plan", "api:meeting", "api:sharing", "api:case", "api:sanction", "api:nrm",
                        "peergroups:", "exploitation:", "places:", "retention:", "contexts:", "subjectaccess:",
                        "api:subject-access")
# "My actions" is open to everyone and lists only what the person owns: no rule or review gives a governor an
# action (a governance review's actions are for the head and those who work actions, governance.services).
OWN_ACTIONS = ("actions:list", "api:action-list")


def test_a_governor_reaches_no_child_level_page_or_api():
    """The matrix checks every answer against the policy; this checks the policy gives a governor nothing about a
    child: no record of one, no list or search of them, in pages or the API, wherever it is."""
    reached = []
    for name, _ in PATTERNS:
        rule = rule_for_name(name)
        child_level = rule.object in CHILD_LEVEL_OBJECTS or name.startswith(CHILD_LEVEL_PREFIXES)
        if child_level and name not in OWN_ACTIONS and any(_expected(rule, method, Role.GOVERNOR, location, False)
                               for method in ("GET", "POST") for location in LOCATIONS):
            reached.append(name)
    assert reached == []
    # Adding to the annual policy review (opening it is a POST of its page) is for its leads, the head and the
    # safeguarding team, only: those URLs take no GET. Every governance page a person can open, a governor reads.
    lead_only = {"governance:policy_review_link", "governance:policy_review_plan"}
    governance = [name for name, _ in PATTERNS if name.startswith("governance:") and name not in lead_only]
    assert governance and all(_expected(rule_for_name(name), "GET", Role.GOVERNOR, "here", False)
                              for name in governance)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """One world for the whole module, built once through the services and rolled back at the end; each
    test runs in its own savepoint inside it and each cell in a savepoint of its own."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        operator = make_user("operator@example.org", world.organisations["one"])
        operator.is_superuser = operator.is_staff = True
        operator.save()
        world.personas["superuser"] = operator
        equip(world)
        world.allegations = _allegations(world)
        # The allegation about the safeguarding lead, held by the head: on the head's review list, never the lead's.
        retention_hold_place(actor=world.personas[Role.HEAD], allegation=world.allegations[Role.DSL]["concern"],
                             kind="police", reason="Operation Kestrel asked for it")
        yield world
        transaction.set_rollback(True)


@pytest.mark.parametrize("name,route", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_url_matches_policy_for_every_role_and_relation(client, db, matrix_world, name, route):
    world = matrix_world
    rule = rule_for_name(name)
    assert rule is not None
    api = _is_api(name)
    operators_admin = name.startswith("admin:")
    locations = LOCATIONS if rule.object else ("here",)
    failures = []
    for role, persona in world.personas.items():
        session = _signed_in(client, persona)
        for method in ("GET", "POST"):
            for location in locations:
                expected = _expected(rule, method, role, location, persona.is_superuser)
                with transaction.atomic():
                    client.cookies[settings.SESSION_COOKIE_NAME] = session
                    path = _fill(route, _values(world, rule, location, persona))
                    denials_before = AuditEvent.objects.filter(outcome="denied").count()
                    with CaptureQueriesContext(connection) as queries:
                        response = _request(client, method, path, api)
                        if response.streaming:  # read to its end, as a browser does, before the rollback
                            b"".join(response.streaming_content)
                    denied_rows = AuditEvent.objects.filter(outcome="denied").count() - denials_before
                    cell = f"{method} {path} as {role} ({location})"
                    policy_refusal = response.status_code == 404 and denied_rows > 0
                    refused = policy_refusal or response.status_code == 405
                    # A view may answer 405 itself (the admin's logout takes POST only) where the policy
                    # allows nobody; only a 404 with an audited denial is a refusal by the policy.
                    if expected and not (_operators_admin_answered(response, policy_refusal) if operators_admin
                                         else _answered(response, method, api)):
                        failures.append(f"{cell}: answered {response.status_code} but the policy allows it")
                    if not expected:
                        if not refused:
                            failures.append(f"{cell}: answered {response.status_code} but the policy denies it")
                        elif response.status_code == 404 and denied_rows != 1:
                            failures.append(f"{cell}: denial not written to the audit log once")
                    if (method == "GET" or not expected) and _writes(queries.captured_queries):
                        failures.append(f"{cell}: wrote to {_writes(queries.captured_queries)}")
                    transaction.set_rollback(True)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("name,route", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_signed_out_and_no_second_factor_reach_nothing_private(client, db, matrix_world, name, route):
    world = matrix_world
    rule = rule_for_name(name)
    learner = world.personas[Role.DSL]
    api = _is_api(name)
    for method in ("GET", "POST"):
        method_rule = rule.methods.get(method)
        if method_rule is None or method_rule.access == PUBLIC:
            continue
        path = _fill(route, _values(world, rule, "here", learner))
        for mfa in (None, False):
            with transaction.atomic():
                if mfa is False:
                    sign_in(client, learner, mfa=False)
                else:
                    client.logout()
                response = _request(client, method, path, api)
                status = response.status_code
                if mfa is False and method_rule.access == SIGNED_IN:
                    transaction.set_rollback(True)
                    continue
                location = response.headers.get("Location", "")
                blocked = status in (401, 403, 404) or (status == 302 and (
                    "/accounts/login/" in location or "/account/two-factor-needed/" in location))
                who = "signed out" if mfa is None else "without a second factor"
                assert blocked, f"{method} {path} {who}: answered {status} {location}"
                transaction.set_rollback(True)


# --- A relation no policy grants: the object follows an allegation about the person asking (ADR 0008) ---------

# Everyone who reaches children's records, or the sharing register, at "here" in some way.
SUBJECTS = (Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEAD, Role.REGIONAL_DIRECTOR, Role.GROUP_HEAD, Role.DPO)
# Every kind of record that can follow a concern, each with chronology entries of its own.
FOLLOWING = ("concern", "addendum", "triage", "attachment", "action", "referral", "outcome", "consultation",
             "meeting", "meeting_note", "share", "plan", "nrm")
# A URL about one object, by the policy's object kind: the records of the allegation it can name.
SUBJECT_KINDS = {"concern": ("concern",), "allegation": ("concern",), "attachment": ("attachment",), "action": ("action",),
                 "referral": ("referral",), "meeting": ("meeting",), "plan": ("plan",), "nrm": ("nrm",),
                 "entry": FOLLOWING}
# Pages and API answers that list records or a child's record, where an allegation's records could show.
LISTS = ("home", "concerns:inbox", "actions:list", "children:detail", "children:access_log", "chronology:child",
         "safetyplans:child", "meetings:list", "sharing:register", "sharing:export", "audit:log",
         "api:concern-inbox", "api:action-list", "api:child-chronology", "api:child-detail", "api:sharing",
         "trends:drill",
         "oversight:referrals_awaiting", "oversight:open_cases", "oversight:clocks_missed")
# The lists read more than one way: the chronology printed, the referrals past their window.
LIST_QUERIES = {"chronology:child": ("", "?print=1"), "oversight:referrals_awaiting": ("", "?window=late")}
ROUTES = dict(PATTERNS)



def _allegations(world) -> dict:
    """For each subject: an allegation about them at "here" (about a child of its own) and every record that
    follows it, written by someone on the allegation's route who is not them."""
    here = world.establishments["here"]
    made = {}
    for role in SUBJECTS:
        child = Child.objects.create(organisation=here.organisation, first_name="Child", last_name=f"Of {role.value}",
                                     date_of_birth=date(2013, 3, 1), year_group="Year 8")
        Enrolment.objects.create(child=child, establishment=here, mis_id=f"A-{role.value}")
        team = world.personas[Role.DEPUTY_DSL if role == Role.HEAD else Role.HEAD]
        made[role] = allegation_with_everything(
            tag=role.value, recorder=world.people["here"], subject=world.personas[role], team=team,
            establishment=here, child=child, contact=world.contacts["here"]) | {"child": child}
    return made


def _retention_allegations(world) -> dict:
    """An allegation about an adult described in words at each establishment, recorded by its member of staff,
    for the retention pages of an allegation; the one at "here" under a legal hold, so it is on the review list
    whatever its date, placed by the head there."""
    made = {}
    for location, establishment in world.establishments.items():
        made[location] = concern_submit(
            actor=world.people[location], establishment=establishment,
            children=[{"child": world.children[location], "role": "harmed", "categories": []}],
            occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC), narrative=f"Retention allegation {location}",
            idempotency_key=f"retention-allegation-{location}", about_adult=True, subject_relationship="contractor",
            subject_description=f"A visiting coach at {location}")[0]
    retention_hold_place(actor=world.personas[Role.HEAD], allegation=made["here"], kind="inquiry",
                         reason="A review of the coaching service")
    return made


def _subject_values(found, kind) -> list[dict]:
    """The URL values naming each record of this kind (for "entry", each chronology entry recording it)."""
    concern = found["concern"]
    record = found.get(kind)
    return {
        "concern": lambda: [{"concern_id": concern.pk, "pk": concern.pk, "child_id": found["child"].pk,
                             "involved_id": concern.children_involved.get().pk}],
        "attachment": lambda: [{"concern_id": concern.pk, "pk": concern.pk, "attachment_id": record.pk}],
        "action": lambda: [{"action_id": record.pk, "pk": record.pk}],
        "referral": lambda: [{"referral_id": record.pk, "pk": record.pk}],
        "meeting": lambda: [{"meeting_id": record.pk, "pk": record.pk}],
        "plan": lambda: [{"plan_id": record.pk, "pk": record.pk}],
        "nrm": lambda: [{"tracker_id": record.pk, "pk": record.pk}],
    }[kind]()


def _subject_cells():
    for name, route in PATTERNS:
        rule = rule_for_name(name)
        for kind in SUBJECT_KINDS.get(rule.object, ()):
            cell = (name, route, "entry" if rule.object == "entry" else kind, kind)
            yield pytest.param(*cell, id=f"{name}-{kind}")


@pytest.mark.parametrize("name,route,object_kind,record_kind", list(_subject_cells()))
def test_the_subject_of_an_allegation_is_refused_every_record_that_follows_it(
        client, db, matrix_world, name, route, object_kind, record_kind):
    rule = rule_for_name(name)
    api = _is_api(name)
    failures = []
    for role in SUBJECTS:
        found = matrix_world.allegations[role]
        persona = matrix_world.personas[role]
        if object_kind == "entry":
            named = [{"entry_id": entry.pk, "pk": entry.pk} for entry in found["entries"][record_kind]]
        else:
            named = _subject_values(found, record_kind)
        for values in named:
            for method in rule.methods:
                with transaction.atomic():
                    sign_in(client, persona)
                    path = _fill(route, _values(matrix_world, rule, "here", persona) | values)
                    denials_before = AuditEvent.objects.filter(outcome="denied").count()
                    response = _request(client, method, path, api)
                    denied = AuditEvent.objects.filter(outcome="denied").count() - denials_before
                    if response.status_code != 404 or denied != 1:
                        failures.append(f"{method} {path} as {role} (the allegation's subject): answered "
                                        f"{response.status_code}, {denied} denial(s) audited")
                    transaction.set_rollback(True)
    assert failures == [], "\n".join(failures)


def _list_cells():
    for kind in FOLLOWING:
        yield pytest.param(kind, id=kind)


@pytest.fixture(scope="module")
def subjects_lists(matrix_world, django_db_blocker):
    """What each subject is shown by every list they may open: fetched once, read by each kind's test."""
    client = Client()
    shown = {}
    with django_db_blocker.unblock(), transaction.atomic():
        for role in SUBJECTS:
            found = matrix_world.allegations[role]
            persona = matrix_world.personas[role]
            sign_in(client, persona)
            shown[role] = []
            for name in LISTS:
                rule = rule_for_name(name)
                if not _expected(rule, "GET", role, "here", False):
                    continue
                values = _values(matrix_world, rule, "here", persona) | {"child_id": found["child"].pk,
                                                                         "pk": found["child"].pk}
                path = _fill(ROUTES[name], values)
                for query in LIST_QUERIES.get(name, ("",)):
                    response = client.get(path + query)
                    assert response.status_code == 200, f"GET {path}{query} as {role}: {response.status_code}"
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    shown[role].append((path + query, markers_in(body.decode())))
        transaction.set_rollback(True)
    return shown


@pytest.mark.parametrize("record_kind", list(_list_cells()))
def test_the_subject_of_an_allegation_sees_none_of_it_in_any_list(subjects_lists, record_kind):
    """Lists, the child's record and chronology (page, print, API), the sharing register and its CSV file, the
    audit log: none shows the subject the words of a record that follows the allegation about them."""
    failures = [f"GET {path} as {role} (the allegation's subject) shows {sorted(markers & words)}"
                for role in SUBJECTS
                for words in [allegation_markers(role.value, record_kind)]
                for path, markers in subjects_lists[role] if markers & words]
    assert failures == [], "\n".join(failures)


def test_an_allowed_exploitation_page_shows_that_childs_signs_and_no_score(client, db, matrix_world):
    """What the allowed cells of exploitation:child show: the child it is about, the sentence that risk is judged
    by people, and nothing of what a concern says (issue 14 section 5)."""
    world, rule = matrix_world, rule_for_name("exploitation:child")
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "GET", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            text = client.get(f"/exploitation/child/{world.children[location].pk}/").content.decode()
            assert world.children[location].display_name in text, (role, location)
            assert "This page lists what was recorded; it gives no score." in text, (role, location)
            assert world.concerns[location].narrative not in text, (role, location)
            shown.append((role, location))
    assert {role for role, _ in shown} == {Role.DSL, Role.DEPUTY_DSL, Role.GROUP_HEAD}


def test_allowed_place_pages_show_that_establishments_places_and_no_concern_words(client, db, matrix_world):
    """What the allowed cells of the place pages show: the establishment's own place (the world's "Playground")
    with its counts, its heat table, the plan with its table, the thresholds with the pack's figures, and
    nothing of what a concern says (issue 14 section 1)."""
    world = matrix_world
    shown = []
    for role, persona in world.personas.items():
        client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
        for location in LOCATIONS:
            est, place = world.establishments[location], world.places[location]
            pages = {"places:establishment": (f"/places/establishments/{est.pk}/", ["Concerns by place", "Playground"]),
                     "places:detail": (f"/places/{place.pk}/", ["Playground", "Concerns here by day and time"]),
                     "places:plan": (f"/places/establishments/{est.pk}/plan/", ["Places on site", "Playground"]),
                     "places:thresholds": (f"/places/establishments/{est.pk}/thresholds/", ["Hotspot thresholds"]),
                     "places:plan_previous": (f"/places/establishments/{est.pk}/plan/"
                                              f"{world.earlier_site_plans[location].pk}/",
                                              ["Earlier site plan", "Where the places were pinned"])}
            for name, (path, words) in pages.items():
                if not _expected(rule_for_name(name), "GET", role, location, persona.is_superuser):
                    continue
                text = client.get(path).content.decode()
                assert est.name in text and all(word in text for word in words), (name, role, location)
                assert world.concerns[location].narrative not in text, (name, role, location)
                shown.append((name, role))
            if _expected(rule_for_name("places:plan_image"), "GET", role, location, persona.is_superuser):
                image = client.get(f"/places/establishments/{est.pk}/plan/image/")
                assert image["Content-Type"] == "image/png" and "no-store" in image["Cache-Control"]
                shown.append(("places:plan_image", role))
        if _expected(rule_for_name("places:group"), "GET", role, "here", persona.is_superuser):
            text = client.get("/places/group/").content.decode()
            assert "Concerns by place: the last 28 days" in text, role
            assert world.establishments["elsewhere"].name not in text, role
            shown.append(("places:group", role))
    assert {role for name, role in shown if name == "places:group"} == {Role.GROUP_HEAD}
    assert {role for name, role in shown if name == "places:detail"} == {Role.DSL, Role.DEPUTY_DSL, Role.GROUP_HEAD}
    assert {role for name, role in shown if name == "places:thresholds"} == {Role.DSL, Role.DEPUTY_DSL, Role.HEAD,
                                                                             Role.GROUP_HEAD}


def test_an_allowed_retention_page_shows_that_childs_rule_and_review_date(client, db, matrix_world):
    """What the allowed cells of retention:child show: the child, the rule of the kind of place they are at and its
    review date (a school's file: date of birth + 25 years; a home's: + 75), and nothing a concern says."""
    world, rule = matrix_world, rule_for_name("retention:child")
    due = {"school": "1 May 2037", "childrens_home": "1 May 2087"}
    shown = set()
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "GET", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            text = client.get(f"/retention/child/{world.children[location].pk}/").content.decode()
            assert world.children[location].display_name in text, (role, location)
            assert due[world.establishments[location].kind] in text, (role, location)
            assert world.concerns[location].narrative not in text, (role, location)
            shown.add(role)
    assert shown == {Role.DSL, Role.HEAD, Role.DPO}


def test_an_allowed_context_assessment_page_shows_that_places_assessment_and_its_plan(client, db, matrix_world):
    """What the allowed cells of contexts:detail show: the place it is about, the team's answers, the review date,
    and the plan; the form to change it only for those who assess there (issue 14 section 3)."""
    world, rule = matrix_world, rule_for_name("contexts:detail")
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "GET", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            assessment = world.context_assessments[location]
            text = client.get(f"/contexts/{assessment.pk}/").content.decode()
            assert "Playground" in text and f"Pushing at {location}" in text, (role, location)
            assert "The plan is to be reviewed by" in text, (role, location)
            assert ("Add the action" in text) == (role != Role.GROUP_HEAD), (role, location)
            shown.append((role, location))
    assert {role for role, _ in shown} == {Role.DSL, Role.DEPUTY_DSL, Role.HEAD, Role.GROUP_HEAD}


def test_an_allowed_chronology_pdf_shows_that_child_on_every_page_and_who_printed_it(client, db, matrix_world):
    """What the allowed cells of chronology:export_pdf give: that child's chronology as a PDF, their name and date
    of birth heading every page, and the name of whoever printed it at its foot (issue 15, section 3)."""
    world, rule = matrix_world, rule_for_name("chronology:export_pdf")
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "POST", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            child = world.children[location]
            response = client.post(f"/chronology/{child.pk}/pdf/", {})
            assert response["Content-Type"] == "application/pdf", (role, location)
            pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
            assert all(f"{child.display_name}, born 1 May 2012" in page for page in pages), (role, location)
            assert f"Printed by {persona.full_name}," in " ".join(" ".join(pages).split()), (role, location)
            shown.append((role, location))
    assert {role for role, _ in shown} == {Role.DSL, Role.DEPUTY_DSL, Role.HEAD, Role.REGIONAL_DIRECTOR,
                                           Role.GROUP_HEAD}


def test_an_allowed_prepared_chronology_pdf_is_the_askers_own_ready_to_download(client, db, matrix_world):
    """What the allowed cells of chronology:pdf_request and chronology:pdf_download give: the person's own PDF,
    prepared, offered for download; that child's name and date of birth on every page, and their own name as
    who printed it (issue 15, section 3)."""
    world = matrix_world
    shown = []
    for role, persona in world.personas.items():
        if not _expected(rule_for_name("chronology:pdf_request"), "GET", role, "here", persona.is_superuser):
            continue
        assert _expected(rule_for_name("chronology:pdf_download"), "GET", role, "here", persona.is_superuser)
        client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
        own = world.own[persona.pk]["pdf_request_id"]
        text = client.get(f"/chronology/pdf/{own}/").content.decode()
        assert "Your PDF is ready" in text and f'href="/chronology/pdf/{own}/download/"' in text, role
        response = client.get(f"/chronology/pdf/{own}/download/")
        assert response["Content-Type"] == "application/pdf", role
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
        child = world.children["here"]
        assert all(f"{child.display_name}, born 1 May 2012" in page for page in pages), role
        assert f"Printed by {persona.full_name}," in " ".join(" ".join(pages).split()), role
        shown.append(role)
    assert tuple(shown) == CHRONOLOGY_PDF_ASKERS


def test_allowed_transfer_pages_show_that_childs_file_and_that_establishments_import(client, db, matrix_world):
    """What the allowed cells of the child protection file's pages show (issue 15 section 2): the sender's page is
    that child's file at that establishment; the import page names that establishment; the public link pages,
    with no link behind them, say only that the link cannot be opened."""
    world = matrix_world
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            child, establishment = world.children[location], world.establishments[location]
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            if _expected(rule_for_name("transfers:child_file"), "GET", role, location, persona.is_superuser):
                text = client.get(f"/transfers/{child.pk}/{establishment.pk}/").content.decode()
                assert f"{child.display_name}'s child protection file" in text, (role, location)
                assert "Record that the child is leaving first" in text, (role, location)
                shown.append((role, location))
            if _expected(rule_for_name("transfers:import"), "GET", role, location, persona.is_superuser):
                text = client.get(f"/transfers/import/{establishment.pk}/").content.decode()
                assert "Import a child protection file" in text and establishment.name in text, (role, location)
                assert child.display_name in text, (role, location)  # the children there, to choose from
    assert shown == [(Role.DSL, "here"), (Role.DEPUTY_DSL, "here")]
    for path in ("/transfers/receive/x1/", "/transfers/receive/x1/download/pdf/"):
        assert "This link cannot be opened" in Client().get(path).content.decode()


def test_an_allowed_subject_access_request_shows_that_childs_request_and_its_due_date(client, db, matrix_world):
    """What the allowed cells of subjectaccess:detail show: the child it is about, who asked and when the answer is
    due (one calendar month from 5 January 2026: 5 February), and the way to prepare the answer only to those who
    read the child's records (the data protection officer sees the request, never the records)."""
    world, rule = matrix_world, rule_for_name("subjectaccess:detail")
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "GET", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            text = client.get(f"/subject-access/{world.sars[location].pk}/").content.decode()
            assert f"Subject access request: {world.children[location].display_name}" in text, (role, location)
            assert "A parent (a parent)" in text and "5 February 2026" in text, (role, location)
            assert ("Prepare the answer" in text) == (role != Role.DPO), (role, location)
            assert world.concerns[location].narrative not in text, (role, location)
            shown.append((role, location))
    assert {role for role, _ in shown} == {Role.DSL, Role.DEPUTY_DSL, Role.DPO}


def test_an_allowed_subject_access_request_in_the_api_is_that_childs_with_its_clock(client, db, matrix_world):
    """What the allowed cells of api:subject-access-detail answer: the request at that location, its child and
    its due date, and nothing of the child's records; the list holds exactly the requests the reader manages."""
    world, rule = matrix_world, rule_for_name("api:subject-access-detail")
    shown = []
    for role, persona in world.personas.items():
        for location in LOCATIONS:
            if not _expected(rule, "GET", role, location, persona.is_superuser):
                continue
            client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
            answer = client.get(f"/api/v1/subject-access/{world.sars[location].pk}/")
            body = answer.json()
            assert (body["id"], body["child"]["id"], body["due_on"]) == (
                world.sars[location].pk, world.children[location].pk, "2026-02-05"), (role, location)
            assert body["clock"]["action_id"] == world.sars[location].action_id, (role, location)
            assert world.concerns[location].narrative not in answer.content.decode(), (role, location)
            listed = {row["id"] for row in client.get("/api/v1/subject-access/").json()}
            assert world.sars[location].pk in listed and world.sars["elsewhere"].pk not in listed, (role, location)
            shown.append((role, location))
    assert {role for role, _ in shown} == {Role.DSL, Role.DEPUTY_DSL, Role.DPO}


def test_the_review_list_shows_an_allegation_only_to_those_who_may_read_it(client, db, matrix_world):
    """What the allowed cells of retention:list show of allegations (KCSIE Part four, ADR 0008): the held
    allegation at "here" to the safeguarding lead and the head, who read allegations there; to the data protection
    officer, who does not, nothing of it. The allegation about the safeguarding lead is on the head's list and never
    on the lead's own. And what retention:allegation and retention:death show to those allowed."""
    world, rule = matrix_world, rule_for_name("retention:list")
    held, about_lead = world.retention_allegations["here"], world.allegations[Role.DSL]["concern"]
    made_on = held.recorded_at.astimezone(LONDON).date()
    title, due = f"Allegation about an adult, {made_on:%-d %B %Y}", f"{add_years(made_on, 10):%-d %B %Y}"
    shown = {}
    for role, persona in world.personas.items():
        if not _expected(rule, "GET", role, "here", persona.is_superuser):
            continue
        client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, persona)
        text = client.get("/retention/").content.decode()
        shown[role] = {f"/retention/allegation/{held.pk}/" in text, f"/retention/allegation/{about_lead.pk}/" in text}
        assert "Retention allegation" not in text and "Kestrel" not in text, role
        if role != Role.DPO:
            assert title in text, role
    assert shown == {Role.DSL: {True, False}, Role.HEAD: {True}, Role.DPO: {False}}
    client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, world.personas[Role.DSL])
    assert f"/retention/allegation/{about_lead.pk}/" not in client.get("/retention/").content.decode()
    for role in (Role.DSL, Role.HEAD):
        client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, world.personas[role])
        text = client.get(f"/retention/allegation/{held.pk}/").content.decode()
        assert "An allegation about an adult described in words" in text and "A public inquiry or review" in text
        assert "kept 10 years from the allegation" in text and due in text, role
    for role in (Role.DSL, Role.DEPUTY_DSL, Role.HEAD):
        client.cookies[settings.SESSION_COOKIE_NAME] = _signed_in(client, world.personas[role])
        child = world.children["here"]
        text = client.get(f"/retention/child/{child.pk}/death/").content.decode()
        assert f"The date {child.display_name} died" in text and "Born 1 May 2012" in text, role
