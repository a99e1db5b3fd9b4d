from django.conf import settings
from django.db import models
from django.db.models import Q

from safekeep.authz.roles import role_label
from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment


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
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="actions")
    # The concern that required it; becomes a foreign key when concerns arrive (issue 4).
    concern_id = models.BigIntegerField(null=True, blank=True)
    what = models.CharField(max_length=300)
    owner_role = models.CharField(max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="actions_owned")
    deadline = models.CharField(max_length=40)  # as the policy words it: "1 working day"
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

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern_id": PERSONAL,
        "what": SPECIAL, "owner_role": NOT_PERSONAL, "owner": PERSONAL, "deadline": NOT_PERSONAL,
        "due_at": PERSONAL, "remind_at": NOT_PERSONAL, "reminded_at": NOT_PERSONAL,
        "escalation_ladder": NOT_PERSONAL, "escalation_level": NOT_PERSONAL, "next_escalation_at": NOT_PERSONAL,
        "pack": NOT_PERSONAL, "pack_version": NOT_PERSONAL, "rule_id": NOT_PERSONAL, "action_code": NOT_PERSONAL,
        "source": NOT_PERSONAL, "status": PERSONAL, "created_at": PERSONAL, "created_by": PERSONAL,
        "completed_at": PERSONAL, "completed_by": PERSONAL, "completion_note": SPECIAL, "cancel_reason": SPECIAL,
    }

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["next_escalation_at"], condition=Q(status="open"), name="action_escalation_due"),
            models.Index(fields=["remind_at"], condition=Q(status="open", reminded_at__isnull=True),
                         name="action_reminder_due"),
            models.Index(fields=["establishment", "status", "due_at"]),
        ]

    def __str__(self):
        return self.what

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.full_name
        return role_label(self.owner_role, self.establishment.kind)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
