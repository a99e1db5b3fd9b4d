"""Every URL x every role x every relation to the object x GET and POST, against url_policy.yaml.

Fails on: a URL pattern missing from the policy (or a policy entry with no URL), an allow the
policy does not grant, a denial that is not a 404 (or 405) written to the audit log, and any
write other than the audit log and the session caused by a GET or by a denied request.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver

from safekeep.accounts.models import PersonalApiToken
from safekeep.audit.models import AuditEvent
from safekeep.authz.policy import EVERYONE, PUBLIC, SIGNED_IN, SUPERUSER, load_policy, rule_for_name
from safekeep.authz.roles import Role
from tests.world import LOCATIONS, build_world, make_user, sign_in

# Tables a refused request or a GET may still write: the audit log itself, sessions, caches, lockout counters.
ALLOWED_SIDE_TABLES = ("audit_auditevent", "django_session", "safekeep_cache", "axes_", "accounts_personalapitoken")
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

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)
    # Regex routes (allauth, admin): fill groups with a plausible value.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "1")), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")


def _values(world, rule, location, persona):
    values = {"version_id": world.pack_version.pk}
    if persona is not None:
        token = PersonalApiToken.objects.filter(user=persona).first() or PersonalApiToken.objects.create(
            user=persona, name="t", key_hash=PersonalApiToken.hash_key(f"k{persona.pk}"), hint="sk_x",
            expires_at="2100-01-01T00:00:00Z")
        values["token_id"] = token.pk
    if rule.object is None:
        return values
    if location == SUBJECT:
        return values | _allegation_about(world, persona, rule.object)
    est = world.establishments[location]
    by_object = {
        "child": {"child_id": world.children[location].pk, "pk": world.children[location].pk},
        "establishment": {"establishment_id": est.pk, "pk": est.pk, "contact_id": world.contacts[location].pk,
                          "location_id": world.places[location].pk},
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
        "concern": {"concern_id": world.concerns[location].pk, "pk": world.concerns[location].pk,
                    "involved_id": world.concerns[location].children_involved.get().pk,
                    "child_id": world.children[location].pk},
        "attachment": {"concern_id": world.concerns[location].pk, "pk": world.concerns[location].pk,
                       "attachment_id": world.attachments[location].pk},
    }
    if rule.object == "entry":
        entry = _entry(world, location)
        return values | {"entry_id": entry.pk, "pk": entry.pk}
    return values | by_object[rule.object]


# A relation no policy grants: the object belongs to an allegation about the person asking.
SUBJECT = "subject"
ALLEGATION_OBJECTS = ("concern", "action", "entry", "referral")


def _allegation_about(world, persona, object_type):
    """An allegation at "here" about the persona, with its child, action and chronology entry."""
    from safekeep.actions.models import Action
    from safekeep.chronology.models import ChronologyEntry
    from safekeep.concerns.models import Concern, ConcernChild
    from safekeep.referrals.models import Referral

    here, child = world.establishments["here"], world.children["here"]
    concern = Concern.objects.create(establishment=here, recorded_by=world.people["here"], about_adult=True,
                                     subject=persona, subject_relationship="staff",
                                     occurred_at=world.concerns["here"].occurred_at, narrative="About an adult",
                                     idempotency_key=f"allegation-{persona.pk}")
    involved = ConcernChild.objects.create(concern=concern, child=child, role="harmed")
    action = Action.objects.create(establishment=here, child=child, concern_id=concern.pk, what="Refer to the LADO",
                                   owner_role="dsl", deadline="1 working day", due_at=concern.occurred_at)
    entry = ChronologyEntry.objects.create(child=child, establishment=here, kind="concern.recorded",
                                           concern=concern, object_type="concern", object_id=str(concern.pk),
                                           summary="Concern recorded.", occurred_at=concern.occurred_at)
    referral = Referral.objects.create(establishment=here, child=child, concern=concern, agency="lado",
                                       agency_name="LADO", made_by=world.personas[Role.DSL], made_at=concern.occurred_at,
                                       how="email", what_shared="The allegation", consent="not_sought")
    return {"referral": {"referral_id": referral.pk, "pk": referral.pk},
            "concern": {"concern_id": concern.pk, "pk": concern.pk, "involved_id": involved.pk,
                        "child_id": child.pk},
            "action": {"action_id": action.pk, "pk": action.pk},
            "entry": {"entry_id": entry.pk, "pk": entry.pk}}[object_type]


def _entry(world, location):
    """An entry in the chronology of the child at this location (about the concern recorded there)."""
    from safekeep.chronology.models import ChronologyEntry

    child, concern = world.children[location], world.concerns[location]
    return ChronologyEntry.objects.filter(child=child).first() or ChronologyEntry.objects.create(
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


def _request(client, method, path):
    if method == "GET":
        return client.get(path)
    return client.post(path, {})


@pytest.mark.django_db
@pytest.mark.parametrize("name,route", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_url_matches_policy_for_every_role_and_relation(client, name, route):
    world = build_world()
    superuser = make_user("operator@example.org", world.organisations["one"])
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    rule = rule_for_name(name)
    assert rule is not None
    personas = [(role, user) for role, user in world.personas.items()] + [("superuser", superuser)]
    locations = LOCATIONS if rule.object else ("here",)
    if rule.object in ALLEGATION_OBJECTS:
        locations = (*locations, SUBJECT)
    failures = []
    for method in ("GET", "POST"):
        for role, persona in personas:
            for location in locations:
                expected = _expected(rule, method, role, location, persona.is_superuser)
                with transaction.atomic():
                    sign_in(client, persona)
                    path = _fill(route, _values(world, rule, location, persona))
                    denials_before = AuditEvent.objects.filter(outcome="denied").count()
                    with CaptureQueriesContext(connection) as queries:
                        response = _request(client, method, path)
                    denied_rows = AuditEvent.objects.filter(outcome="denied").count() - denials_before
                    cell = f"{method} {path} as {role} ({location})"
                    policy_refusal = response.status_code == 404 and denied_rows > 0
                    refused = policy_refusal or response.status_code == 405
                    # A view may answer 405 itself (the admin's logout takes POST only); only a 404 with an
                    # audited denial is a refusal by the policy.
                    if expected and policy_refusal:
                        failures.append(f"{cell}: refused ({response.status_code}) but the policy allows it")
                    if not expected:
                        if not refused:
                            failures.append(f"{cell}: answered {response.status_code} but the policy denies it")
                        elif response.status_code == 404 and denied_rows != 1:
                            failures.append(f"{cell}: denial not written to the audit log once")
                    if (method == "GET" or not expected) and _writes(queries.captured_queries):
                        failures.append(f"{cell}: wrote to {_writes(queries.captured_queries)}")
                    transaction.set_rollback(True)
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("name,route", PATTERNS, ids=[name for name, _ in PATTERNS])
def test_signed_out_and_no_second_factor_reach_nothing_private(client, name, route):
    world = build_world()
    rule = rule_for_name(name)
    learner = world.personas[Role.DSL]
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
                response = _request(client, method, path)
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
