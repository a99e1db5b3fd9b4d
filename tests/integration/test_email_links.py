"""Every link in every email opens, for the person it was sent to, the page it promises (issue 11, section 3).

The demo's casework, then a morning's work: more concerns, a referral, an allegation about an adult, steps
left late until the ladder climbs, reminders and digests. Each email's links are opened as its recipient."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import resolve

from safekeep.accounts.models import User
from safekeep.actions.escalation import escalate_overdue, send_reminders
from safekeep.actions.models import Action
from safekeep.actions.notifications import send_digests
from safekeep.audit.models import AuditEvent
from safekeep.children.models import Child
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.demo import data as demo
from safekeep.establishments.models import Establishment
from safekeep.referrals import services as referrals
from tests.world import sign_in

# Committing, as the demo command does (the children's load runs after its transaction commits): each email
# task runs when the change that queued it commits, as the worker would pick it up.
pytestmark = pytest.mark.django_db(transaction=True)

# What each kind of link promises, as the page it must open.
PROMISED = {"actions:detail": "action_id", "concerns:detail": "concern_id", "home": None,
            "account_reset_password_from_key": None}  # the invitation to set a password


def _morning(time_machine):
    staff, dsl = User.objects.get(email="staff@harbour.example"), User.objects.get(email="dsl@harbour.example")
    school = Establishment.objects.get(name="Manor Field School")
    pupils = list(Child.objects.filter(enrolments__establishment=school).order_by("last_name", "first_name")[3:9])
    for index, (pupil, category) in enumerate(zip(pupils, ["cse", "neglect", "online_grooming", "county_lines"],
                                                  strict=False)):
        with transaction.atomic():
            concerns.concern_submit(
                actor=staff, establishment=school, occurred_at=clock.now() - timedelta(hours=1),
                children=[{"child": pupil, "role": "harmed", "categories": [category]}],
                narrative="Seen getting into a car after school", idempotency_key=f"links-{index}",
                immediate_risk=index == 0)
        time_machine.shift(timedelta(minutes=3))
    with transaction.atomic():
        concerns.concern_submit(
            actor=staff, establishment=school, occurred_at=clock.now() - timedelta(hours=1),
            children=[{"child": pupils[4], "role": "harmed", "categories": ["allegation_about_adult"]}],
            narrative="A supply teacher messaged her on Snapchat", idempotency_key="links-adult", about_adult=True,
            subject_description="A supply teacher, Mr Grey", subject_relationship="contractor")
    referrals.referral_record(
        actor=dsl, establishment=school, child=pupils[1], agency="childrens_services",
        contact=school.local_contacts.first(), made_at=clock.now(), how="phone", reference="HSF-2",
        what_shared="The concern", consent="given", lawful_basis="public-task-safeguarding",
        secure_handling_agreed=True)
    # Nobody does anything for two days: reminders, then the ladder, minute by minute, then the digests.
    late = max(Action.objects.filter(status=Action.Status.OPEN).values_list("due_at", flat=True))
    while clock.now() < late + timedelta(days=2):
        time_machine.shift(timedelta(hours=1))
        send_reminders()
        escalate_overdue()
        send_digests()
    time_machine.shift(timedelta(minutes=11))
    send_digests()


def test_every_link_in_every_email_opens_for_its_recipient(smtp_server, time_machine):
    time_machine.move_to(clock.now().replace(hour=9, minute=0, second=0, microsecond=0), tick=False)
    demo.build()
    _morning(time_machine)
    assert len(smtp_server.messages) > 10
    assert AuditEvent.objects.filter(action="action.escalate").exists()  # the ladder climbed and emailed
    kinds, recipients = set(), set()
    clients = {}
    for message in smtp_server.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        links = re.findall(re.escape(settings.SAFEKEEP_BASE_URL) + r"(/\S*)", body)
        assert links, body
        person = User.objects.filter(email=message["To"]).first()
        if person is None:  # the organisation's shared safeguarding address: its reader signs in as themselves
            assert all(link == "/" for link in links), (message["To"], links)
            continue
        recipients.add(person.email)
        client = clients.get(person.pk) or sign_in(Client(), person)
        clients[person.pk] = client
        for link in links:
            response = client.get(link)
            assert response.status_code == 200, (person.email, message["Subject"], link)
            match = resolve(link)
            assert match.view_name in PROMISED, link
            kinds.add(match.view_name)
            if match.view_name == "actions:detail":  # the step the email is about, not another
                assert response.context["action"].pk == match.kwargs["action_id"]
            if match.view_name == "concerns:detail":
                assert response.context["concern"].pk == match.kwargs["concern_id"]
    # The scenario reached every kind of link and the people a DSL's day involves.
    assert kinds == set(PROMISED)
    for email in ("dsl@harbour.example", "deputy@harbour.example", "head@harbour.example",
                  "governor@harbour.example"):
        assert email in recipients, email
