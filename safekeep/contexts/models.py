"""A context assessed and planned for (issue 14 section 3; CoC 2.4-2.5, 2.5(h), 7.3; CE 5.1-5.2): a place on the
establishment's list, an online space (a place of kind online) or a saved peer group, assessed with the context
assessment triangle the child-on-child abuse pack gives for it, and the plan that follows. The plan's actions are
about the context, never a child (ADR 0012). What the team writes is encrypted, as a concern's narrative is, and
never edited: a review or a meeting is a new row."""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.actions.models import Action
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment, Location
from safekeep.peergroups.models import PeerGroup


class ContextAssessment(WrittenOnce):
    """One assessment of one context, with its plan's review date. A review moves the date on or closes the plan."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", "A place on the site"
        OFF_SITE = "off_site", "A place off the site"
        ONLINE = "online", "An online space"
        PEER_GROUP = "peer_group", "A peer group"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    peer_group = models.ForeignKey(PeerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    triangle = models.CharField(max_length=40)  # the pack's triangle code
    pack_version = models.CharField(max_length=40)  # the version of the pack whose triangle and review period it used
    summary = EncryptedTextField()  # what the team concluded: what most needs to change in this context
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    review_due_on = models.DateField()
    # The review on the action list, due on review_due_on, so a plan's review is reminded and escalated like any
    # action; each review completes it and opens the next.
    review_action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    changeable_fields = frozenset({"review_due_on", "review_action", "closed_at"})
    never_changed = "A context assessment is never edited: record a review of its plan"

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "kind": NOT_PERSONAL, "location": NOT_PERSONAL,
        "peer_group": SPECIAL, "triangle": NOT_PERSONAL, "pack_version": NOT_PERSONAL, "summary": SPECIAL,
        "assessed_by": PERSONAL, "assessed_at": PERSONAL, "review_due_on": NOT_PERSONAL, "review_action": PERSONAL,
        "closed_at": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["review_due_on", "-id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(location__isnull=False, peer_group__isnull=True)
                       | models.Q(location__isnull=True, peer_group__isnull=False)),
            name="context_assessment_one_context")]

    def __str__(self):
        return f"Context assessment {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ContextAnswer(WrittenOnce):
    """The team's answer to one side of the triangle, with the question as the pack asked it."""

    assessment = models.ForeignKey(ContextAssessment, on_delete=models.PROTECT, related_name="answers")
    side = models.CharField(max_length=40)
    question = models.CharField(max_length=300)
    answer = EncryptedTextField()

    data_classification = {"id": NOT_PERSONAL, "assessment": PERSONAL, "side": NOT_PERSONAL,
                           "question": NOT_PERSONAL, "answer": SPECIAL}

    class Meta:
        ordering = ["id"]


class ContextPlanAction(WrittenOnce):
    """An action of the plan: the action itself, about no child, is on the action list (safekeep.actions)."""

    assessment = models.ForeignKey(ContextAssessment, on_delete=models.PROTECT, related_name="plan_actions")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="context_plan")
    kind = models.CharField(max_length=40)  # the pack's plan action code: staff_on_duty, partnership_referral...

    data_classification = {"id": NOT_PERSONAL, "assessment": PERSONAL, "action": PERSONAL, "kind": NOT_PERSONAL}

    class Meta:
        ordering = ["id"]


class ContextReview(WrittenOnce):
    """A review of the plan: what changed, and whether the plan is kept (to the next review date) or closed."""

    class Outcome(models.TextChoices):
        CHANGED = "changed", "Changed: the plan goes on with changes"
        KEPT = "kept", "Kept: the plan goes on as it is"
        CLOSED = "closed", "Closed: the context is safer and the plan ends"

    assessment = models.ForeignKey(ContextAssessment, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    notes = EncryptedTextField()
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "assessment": PERSONAL, "outcome": NOT_PERSONAL, "notes": SPECIAL,
                           "next_review_on": NOT_PERSONAL, "reviewed_by": PERSONAL, "reviewed_at": PERSONAL}

    class Meta:
        ordering = ["-reviewed_at", "-id"]


class ContextMeeting(WrittenOnce):
    """A meeting about the context, not a child (CoC 2.5, 7.3): with the local partnership, the police, the
    transport company or the platform. Who came and what was agreed, in the team's words."""

    assessment = models.ForeignKey(ContextAssessment, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField()
    attendees = EncryptedTextField()
    notes = EncryptedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "assessment": PERSONAL, "held_on": PERSONAL, "attendees": PERSONAL,
                           "notes": SPECIAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL}

    class Meta:
        ordering = ["-held_on", "-id"]


class ContextReferral(WrittenOnce):
    """A referral about the context, not a child (CoC 2.5(h), 7.3): a place reported to the police or the community
    safety partnership, a platform reported to its operator. Kept apart from a child's referrals, which have
    their own answers and clocks; what was referred and the agency's reference are the team's words."""

    class Agency(models.TextChoices):
        POLICE = "police", "The police"
        COMMUNITY_SAFETY = "community_safety", "The community safety partnership"
        SAFEGUARDING_PARTNERSHIP = "safeguarding_partnership", "The local safeguarding children partnership"
        COUNCIL = "council", "The council (such as licensing, highways or parks)"
        TRANSPORT = "transport", "A transport company"
        PLATFORM = "platform", "The operator of an online platform"
        OTHER = "other", "Another agency"

    assessment = models.ForeignKey(ContextAssessment, on_delete=models.PROTECT, related_name="referrals")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    made_on = models.DateField()
    reason = EncryptedTextField()
    reference = EncryptedTextField(null=True, blank=True)  # optional (empty is stored as NULL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "assessment": PERSONAL, "agency": NOT_PERSONAL, "made_on": PERSONAL,
                           "reason": SPECIAL, "reference": PERSONAL, "recorded_by": PERSONAL,
                           "recorded_at": PERSONAL}

    class Meta:
        ordering = ["-made_on", "-id"]
