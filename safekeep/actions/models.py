from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safekeep.authz.roles import role_label
from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment
from safekeep.policy.deadlines import LONDON, Deadline, Unit


class Action(models.Model):
    """Something that must be done about a child, by a role or a person, by a due time.

    Required actions come from a policy pack rule and keep the pack version that required them;
    a DSL may add others. Deadlines are columns, so one query finds what is late, and one
    conditional update claims it (see escalate_overdue).
    """

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="actions")
    # None only for an action a governance or SLT meeting agreed in its exploitation risk review (CE 10.6,
    # safekeep.governance): it is about how the establishment works, not about one child.
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    # The concern that required it; becomes a foreign key when concerns arrive (issue 4).
    concern_id = models.BigIntegerField(null=True, blank=True)
    what = models.CharField(max_length=300)
    owner_role = models.CharField(max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="actions_owned")
    # The time allowed, as the policy gives it (1 working day; immediately; by a date): read by the sweep for
    # the ladder's pace, and worded for people by `deadline`.
    deadline_unit = models.CharField(max_length=20, choices=[(unit.value, unit.value) for unit in Unit])
    deadline_amount = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalation_ladder = models.JSONField(default=list)  # roles, in order
    escalation_level = models.PositiveSmallIntegerField(default=0)  # how many steps have been told
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    pack = models.CharField(max_length=60, blank=True)
    pack_version = models.CharField(max_length=40, blank=True)
    rule_id = models.CharField(max_length=80, blank=True)
    action_code = models.CharField(max_length=80, blank=True)
    source = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    completion_note = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    # The record whose recording met the step and closed it (a referral, a safety plan, a triage...), as the
    # packs' met_by names it; empty when a person closed it by hand.
    met_by_kind = models.CharField(max_length=40, blank=True)
    met_by_id = models.BigIntegerField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern_id": PERSONAL,
        "what": SPECIAL, "owner_role": NOT_PERSONAL, "owner": PERSONAL, "deadline_unit": NOT_PERSONAL,
        "deadline_amount": NOT_PERSONAL,
        "due_at": PERSONAL, "remind_at": NOT_PERSONAL, "reminded_at": NOT_PERSONAL,
        "escalation_ladder": NOT_PERSONAL, "escalation_level": NOT_PERSONAL, "next_escalation_at": NOT_PERSONAL,
        "pack": NOT_PERSONAL, "pack_version": NOT_PERSONAL, "rule_id": NOT_PERSONAL, "action_code": NOT_PERSONAL,
        "source": NOT_PERSONAL, "status": PERSONAL, "created_at": PERSONAL, "created_by": PERSONAL,
        "completed_at": PERSONAL, "completed_by": PERSONAL, "completion_note": SPECIAL, "cancel_reason": SPECIAL,
        "met_by_kind": NOT_PERSONAL, "met_by_id": PERSONAL,
    }

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_escalation_at"], condition=Q(status="open"), name="action_escalation_due"),
            models.Index(fields=["remind_at"], condition=Q(status="open", reminded_at__isnull=True),
                         name="action_reminder_due"),
            models.Index(fields=["establishment", "status", "due_at"]),
            # "Does this concern already have this step?" (a step set once per concern, a step met by a record).
            models.Index(fields=["concern_id", "action_code"], name="action_concern_step"),
            # The open rows in due order (overdue ones are the first of them): "My actions" is read a page at a
            # time from where the last ended, walking this and stopping at a page (1 s to 5 ms at 720k actions).
            models.Index(fields=["due_at", "id"], condition=Q(status="open"), name="action_open_by_due"),
        ]

    def __str__(self):
        return self.what

    @property
    def time_allowed(self) -> Deadline:
        return Deadline(Unit(self.deadline_unit), self.deadline_amount)

    @property
    def deadline(self) -> str:
        """The time allowed in words: "1 working day", "immediately", "by 5 March 2026"."""
        if self.deadline_unit == Unit.BY_DATE:
            return f"by {self.due_at.astimezone(LONDON):%-d %B %Y}"
        return str(self.time_allowed)

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.full_name
        return role_label(self.owner_role, self.establishment.kind)

    @property
    def met_by_record(self) -> tuple[str, str] | None:
        """The words for, and the address of, the record that met the step; its own page decides who sees it."""
        if not self.met_by_kind or self.met_by_id is None:
            return None
        if self.met_by_kind.startswith("referral."):
            return "the referral", reverse("referrals:detail", args=[self.met_by_id])
        if self.met_by_kind == "safety_plan":
            return "the safety plan", reverse("safetyplans:detail", args=[self.met_by_id])
        if self.met_by_kind == "triage":
            return "the DSL's triage of the concern", reverse("concerns:detail", args=[self.concern_id])
        if self.met_by_kind == "concern.sent":
            return "the concern, sent to the safeguarding team", reverse("concerns:detail", args=[self.met_by_id])
        if self.met_by_kind in ("transfer.sent", "transfer.received"):
            words = "the child protection file sent" if self.met_by_kind == "transfer.sent" else "the new school's receipt"
            return words, reverse("transfers:child_file", args=[self.child_id, self.establishment_id])
        if self.met_by_kind == "subject_access.answered":
            return "the subject access answer", reverse("subjectaccess:detail", args=[self.met_by_id])
        return None

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Mailbox(models.Model):
    """One address Safekeep emails about actions and concerns, and when it last did: nobody gets more than
    one such email in the digest window (settings.SAFEKEEP_EMAIL_DIGEST_WINDOW), outside an immediate risk."""

    address = models.EmailField(unique=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "address": PERSONAL, "last_sent_at": NOT_PERSONAL}

    def __str__(self):
        return self.address


class HeldNotice(models.Model):
    """A line of the next digest: what needs the person and a link, never case content."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="held")
    line = models.CharField(max_length=200)
    link = models.CharField(max_length=300)
    held_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "mailbox": PERSONAL, "line": NOT_PERSONAL, "link": NOT_PERSONAL,
                           "held_at": NOT_PERSONAL}

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self):
        return self.line
