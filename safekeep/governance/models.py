"""The exploitation risk review of a governance or SLT meeting (CE 10.6): a recorded item of each meeting.

It keeps the termly report as it stood when the meeting looked at it (the published figures only: small
numbers already hidden, no child, no names), who reviewed it, the discussion, the decisions and the actions
agreed (real Actions, with owners and due dates). Written once; the next review reads it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from encrypted_fields.fields import EncryptedTextField

from safekeep.actions.models import Action
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment, Organisation
from safekeep.packs.models import PolicyPackVersion


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


class PolicyReview(models.Model):
    """The annual review of the child-on-child abuse policy at one establishment (CoC 1.4, 14.2-14.3).

    Opened by the head or the DSL as the pack's review date nears; each review question (CoC 14.2) answered
    beside the figures Safekeep already has, kept as they stood when it was opened (published figures only:
    small numbers hidden); pupils, parents and staff heard through anonymous questionnaires (CoC 1.4, 5.5); an
    action plan of real Actions (CoC 14.3). Adopting the revised pack closes it, with the summary of what it
    decided, which the policy page shows.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="policy_reviews")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="policy_reviews")
    pack = models.CharField(max_length=60)  # the pack reviewed (its id): a revision of it closes the review
    reviewed_version = models.ForeignKey(PolicyPackVersion, on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField()  # the figures beside the questions, as published (governance.selectors)
    # What the review decided, written for the governors and the policy page: no child is named in it.
    summary = models.TextField(blank=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_version = models.ForeignKey(PolicyPackVersion, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")

    data_classification = {
        "id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "establishment": NOT_PERSONAL, "pack": NOT_PERSONAL,
        "reviewed_version": NOT_PERSONAL, "evidence": NOT_PERSONAL, "summary": PERSONAL, "actions": NOT_PERSONAL,
        "opened_by": PERSONAL, "opened_at": NOT_PERSONAL, "closed_at": NOT_PERSONAL,
        "closed_by_version": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["establishment", "pack"], condition=Q(closed_at__isnull=True),
                                               name="one_open_policy_review")]

    def __str__(self):
        return f"Policy review opened {self.opened_at:%-d %B %Y}"


class PolicyReviewAnswer(models.Model):
    """The answer to one review question (CoC 14.2). Encrypted: answering "how have similar cases been handled"
    can call for case detail. Read by the head and the DSL only, never by governors."""

    review = models.ForeignKey(PolicyReview, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=60)  # the code of the pack's question
    text = EncryptedTextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "review": NOT_PERSONAL, "question": NOT_PERSONAL,
                           "text": SPECIAL, "written_by": PERSONAL, "written_at": NOT_PERSONAL}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "question"], name="one_answer_per_question")]


class VoiceLink(models.Model):
    """A questionnaire link for one audience (pupils, parents or staff; CoC 1.4, 5.5): anyone with the address
    may answer, without signing in. It keeps who made it, never who answered."""

    review = models.ForeignKey(PolicyReview, on_delete=models.PROTECT, related_name="links")
    audience = models.CharField(max_length=20)
    token = models.CharField(max_length=64, unique=True)  # unguessable: the address is the only key
    answers = models.PositiveIntegerField(default=0)  # how many have answered (capped by the pack)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "review": NOT_PERSONAL, "audience": NOT_PERSONAL,
                           "token": NOT_PERSONAL, "answers": NOT_PERSONAL, "created_by": PERSONAL,
                           "created_at": NOT_PERSONAL, "closed_at": NOT_PERSONAL}

    class Meta:
        ordering = ["created_at", "id"]


class VoiceAnswer(models.Model):
    """One option chosen for one question. Anonymous by design: no person, no address, no time, and no link
    between the choices of one answerer (each choice is its own row), so only counts can be read back."""

    link = models.ForeignKey(VoiceLink, on_delete=models.PROTECT, related_name="choices")
    question = models.CharField(max_length=60)
    option = models.CharField(max_length=200)

    data_classification = {"id": NOT_PERSONAL, "link": NOT_PERSONAL, "question": NOT_PERSONAL,
                           "option": NOT_PERSONAL}

    class Meta:
        indexes = [models.Index(fields=["link", "question", "option"])]
