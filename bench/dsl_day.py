"""A DSL's working day, in figures (issue 11): is every open action work still to do, and how much email?

Records the demo's casework and six typical concerns at Manor Field School on a Tuesday morning, then works
them as a DSL would: triage every child, refer the exploitation concerns to children's services, put safety
plans in place for the child-on-child concern, and the linked home's lead acknowledges the note on the child's
file there. The clock moves a minute at a time with time-machine, and everything crontask runs every minute
(reminders, escalation, the alert sweep, digests) runs each minute, until five in the afternoon.

Prints: open actions; duplicates (the same work open twice for one child, or a step about the whole concern
open once per child); actions already met by a record but still open; overdue ones; emails per person, and
the most any one person got in ten minutes and in an hour.

Run: SAFEKEEP_ENV=test .venv/bin/python bench/dsl_day.py
Uses a throwaway SQLite file (or DATABASE_URL), never your data.
"""

import inspect
import logging
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import throwaway  # noqa: F401,E402 (sets Django up on a throwaway database)

import time_machine  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.tasks import Task  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from safekeep.accounts.models import User  # noqa: E402
from safekeep.actions import services as actions  # noqa: E402
from safekeep.actions import tasks as action_tasks  # noqa: E402
from safekeep.actions.models import Action  # noqa: E402
from safekeep.children.models import Child  # noqa: E402
from safekeep.concerns import services as concerns  # noqa: E402
from safekeep.concerns import tasks as concern_tasks  # noqa: E402
from safekeep.concerns.models import Concern, ConcernChild, Triage  # noqa: E402
from safekeep.core import clock  # noqa: E402
from safekeep.demo import data as demo  # noqa: E402
from safekeep.establishments.models import Establishment  # noqa: E402
from safekeep.policy.packs import shipped_packs  # noqa: E402
from safekeep.referrals import services as referrals  # noqa: E402
from safekeep.referrals.models import Referral  # noqa: E402
from safekeep.safetyplans import services as plans  # noqa: E402
from safekeep.safetyplans.models import SafetyPlan  # noqa: E402

TUESDAY = datetime(2026, 11, 24, 8, 30, tzinfo=clock.LONDON)
# The bench's own reading of the policies, independent of the code it measures: the steps each record
# meets (CoC 9, 11; CE 10.1, 10.5; baseline). Two codes in one group are the same work for one child.
MEETS = {
    "referral to children's services": {"refer-local-authority", "ce-refer-local-authority",
                                        "ce-refer-local-authority-now", "ce-report-disclosure-local-authority",
                                        "ce-report-trafficking-local-authority", "refer-childrens-services"},
    "triage": {"dsl-review"},
    "safety plan": {"safety-plan-child-harmed", "safety-plan-child-responsible"},
    "the concern sent": {"ce-tell-dsl", "ce-tell-dsl-now", "ce-record-and-report-grooming", "ce-record-disclosure",
                         "ce-report-adult-concern"},
}
SAME_WORK = [*MEETS.values(), {"call-police", "ce-notify-police", "report-police", "ce-report-disclosure-police"},
             {"ce-notify-placing-authority", "ce-notify-placing-authority-now",
              "ce-report-disclosure-placing-authority"}]
# Six typical concerns: (categories per child as (role, category), immediate risk, disclosure).
SIX = [
    ([("harmed", "cse")], False, False),
    ([("harmed", "coc_sexual_harassment"), ("alleged_responsible", "coc_sexual_harassment"), ("witness", "")],
     False, False),
    ([("harmed", "neglect")], False, False),
    ([("harmed", "online_grooming")], False, False),
    ([("harmed", "cce")], False, True),
    ([("harmed", "coc_physical_abuse"), ("alleged_responsible", "coc_physical_abuse")], False, False),
]


def _every_minute():
    """What crontask runs every minute (the tasks that take no arguments), whatever this version has."""
    for module in (action_tasks, concern_tasks):
        for value in vars(module).values():
            if isinstance(value, Task) and not inspect.signature(value.func).parameters:
                value.call()


def _record(staff, school, pupils, index, spec):
    parts, immediate_risk, disclosure = spec
    children = [{"child": pupils.pop(0), "role": role, "categories": [category] if category else []}
                for role, category in parts]
    with transaction.atomic():
        concerns.concern_submit(actor=staff, establishment=school, children=children, idempotency_key=f"day-{index}",
                                occurred_at=clock.now() - timedelta(hours=1), immediate_risk=immediate_risk,
                                disclosure=disclosure, narrative="What I saw, in my own words.")


def _plan_values():
    today = clock.now().astimezone(clock.LONDON).date()
    return {"situations_to_avoid": "The back corridor at break", "check_ins_who": "Head of year",
            "check_ins_how_often": "Every morning", "reporting": "Tell the head of year", "coping_strategies": "",
            "support_chosen": [], "agreed_with_child": True, "agreed_with_parents": True, "agreed_on": today,
            "review_due": today + timedelta(days=28)}


def _work(dsl, home_lead, school):
    """The DSL's late morning: triage, referrals, safety plans; the home's lead acknowledges the note."""
    for involved in ConcernChild.objects.filter(concern__establishment=school).select_related("concern", "child"):
        if not involved.triages.exists():
            concerns.triage_record(actor=dsl, involved=involved, risk="medium", rationale="Read and considered.",
                                   categories=list(involved.categories), outcome="monitor")
    for involved in ConcernChild.objects.filter(concern__idempotency_key__in=["day-0", "day-4"]):
        referrals.referral_record(
            actor=dsl, establishment=school, child=involved.child, concern=involved.concern,
            agency="childrens_services", contact=school.local_contacts.first(), made_at=clock.now(), how="phone",
            what_shared="The concern and the chronology.", consent="given", lawful_basis="public-task-safeguarding",
            secure_handling_agreed=True)
    for involved in ConcernChild.objects.filter(concern__idempotency_key__in=["day-1", "day-5"],
                                                role__in=["harmed", "alleged_responsible"]):
        plans.safety_plan_create(actor=dsl, establishment=school, child=involved.child, concern=involved.concern,
                                 role=involved.role, values=_plan_values())
    for action in Action.objects.filter(status=Action.Status.OPEN, action_code="ce-note-on-linked-file"):
        actions.action_complete(actor=home_lead, action=action, note="Noted on the child's file here.")


def _work_key(code):
    return next((frozenset(group) for group in SAME_WORK if code in group), frozenset({code}))


def _figures(now):
    concern_wide = {spec.code for pack in shipped_packs() for rule in pack.rules for spec in rule.actions
                    if spec.once_per_concern}
    open_actions = list(Action.objects.filter(status=Action.Status.OPEN))
    groups = Counter((a.concern_id, None if a.action_code in concern_wide else a.child_id, _work_key(a.action_code))
                     for a in open_actions if a.concern_id)
    duplicates = sum(count - 1 for count in groups.values())
    met = 0
    for action in open_actions:
        code, child = action.action_code, action.child_id
        if code in MEETS["the concern sent"] and action.concern_id:
            met += 1
        elif code in MEETS["triage"] and Triage.objects.filter(involved__concern_id=action.concern_id).exists():
            met += 1
        elif code in MEETS["referral to children's services"] and Referral.objects.filter(
                child_id=child, agency="childrens_services").exists():
            met += 1
        elif code in MEETS["safety plan"] and SafetyPlan.objects.filter(child_id=child,
                                                                         concern_id=action.concern_id).exists():
            met += 1
    overdue = sum(1 for a in open_actions if a.due_at < now)
    return len(open_actions), duplicates, met, overdue


def _busiest(times, span):
    return max((sum(1 for t in times if start <= t < start + span) for start in times), default=0)


@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}})
def main():
    logging.disable(logging.WARNING)  # the task log would bury the figures
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        demo.build()
        mail.outbox = []
        staff, dsl = User.objects.get(email="staff@harbour.example"), User.objects.get(email="dsl@harbour.example")
        home_lead = User.objects.get(email="home-lead@harbour.example")
        school = Establishment.objects.get(name="Manor Field School")
        pupils = list(Child.objects.filter(enrolments__establishment=school, concerns_involved__isnull=True)
                      .order_by("last_name", "first_name", "pk"))
        received = defaultdict(list)  # address -> when each email came
        seen, recorded = 0, 0
        while clock.now() < TUESDAY.replace(hour=17, minute=0):
            now = clock.now()
            if now.hour >= 9 and recorded < len(SIX) and now.minute % 5 == 0:
                _record(staff, school, pupils, recorded, SIX[recorded])
                recorded += 1
            if (now.hour, now.minute) == (11, 0):
                _work(dsl, home_lead, school)
            _every_minute()
            for message in mail.outbox[seen:]:
                for address in message.to:
                    received[address].append(now)
            seen = len(mail.outbox)
            traveller.shift(timedelta(minutes=1))
        open_count, duplicates, met, overdue = _figures(clock.now())
        still_open = Counter(a.what[:70] for a in Action.objects.filter(status=Action.Status.OPEN))
    print(f"A DSL's day at Manor Field School ({Concern.objects.count()} concerns, demo casework included):")
    print(f"  open actions: {open_count}")
    print(f"  duplicates: {duplicates}")
    print(f"  met by a record but still open: {met}")
    print(f"  overdue at 5pm: {overdue}")
    for what, count in still_open.most_common():
        print(f"    {count:3} x {what}")
    print("  emails per person (all day; most in any 10 minutes; most in any hour):")
    for address, times in sorted(received.items(), key=lambda item: -len(item[1])):
        print(f"    {address:32} {len(times):3}  {_busiest(times, timedelta(minutes=10)):3}  "
              f"{_busiest(times, timedelta(hours=1)):3}")


if __name__ == "__main__":
    main()
