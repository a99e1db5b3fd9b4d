"""The exploitation risk review of a governance or SLT meeting (CE 10.6): a recorded item of each meeting.

It keeps the termly report as it stood when the meeting looked at it (the published figures only: small
numbers already hidden, no child, no names), who reviewed it, the discussion, the decisions and the actions
agreed (real Actions, with owners and due dates). Written once; the next review reads it.
"""

from django.conf import settings
from django.db import models

from safekeep.actions.models import Action
from safekeep.core.classification import NOT_PERSONAL, PERSONAL
from safekeep.establishments.models import Establishment, Organisation


class ExploitationReview(models.Model):
    class Meeting(models.TextChoices):
        GOVERNANCE = "governance", "Governing body or trust board meeting"
        SLT = "slt", "Senior leadership team (SLT) meeting"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="exploitation_reviews")
    # None: the trust's (organisation's) own review, of the trust report.
    establishment = models.ForeignKey(Establishment, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="exploitation_reviews")
    meeting = models.CharField(max_length=20, choices=Meeting.choices)
    held_on = models.DateField()
    reviewed_by = models.TextField()  # who reviewed it, as the meeting names them (governors are not all users)
    discussion = models.TextField()
    decisions = models.TextField()
    report = models.JSONField()  # the report as it stood: published figures only (governance.selectors)
    actions = models.ManyToManyField(Action, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Governance minutes: no child is named in them (the form says so), but members of staff may be.
    data_classification = {
        "id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "establishment": NOT_PERSONAL, "meeting": NOT_PERSONAL,
        "held_on": NOT_PERSONAL, "reviewed_by": PERSONAL, "discussion": PERSONAL, "decisions": PERSONAL,
        "report": NOT_PERSONAL, "actions": NOT_PERSONAL, "recorded_by": PERSONAL, "recorded_at": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "establishment", "held_on"])]

    def __str__(self):
        return f"Exploitation risk review, {self.held_on:%-d %B %Y}"

    @property
    def body(self) -> str:
        return self.establishment.name if self.establishment_id else f"{self.organisation.name} (the trust)"
