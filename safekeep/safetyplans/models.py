"""Safety plans (child-on-child policy section 11 and Appendix 3), the DSL's decision for a child
without one (CoC 11.2, 11.4), and sanctions (CoC section 13). See docs/domain/safety-plans-and-sanctions.md.

Nothing here is edited after it is written: a plan's content lives in its versions, and a revision is
a new version with who, when and why; a review or a withdrawal is a new row. The plan row itself
carries only its lifecycle (its next review date, the open review action, and whether it is closed).
Text about the child is encrypted at rest (the library stores an empty text as NULL, hence null=True).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class PlanRole(models.TextChoices):
    # CoC 11.1 (harmed, alleged to be responsible, at risk) and 11.4 (witnesses, where the DSL decides).
    # Child-on-child policy 1.3: no child is labelled; "alleged to be responsible" is the phrase.
    HARMED = "harmed", "Harmed or affected"
    ALLEGED_RESPONSIBLE = "alleged_responsible", "Alleged to be responsible"
    AT_RISK = "at_risk", "At risk from another child"
    WITNESS = "witness", "Witness"
    BYSTANDER = "bystander", "Bystander"


# A plan for these roles follows a recorded "plan needed" decision (CoC 11.4).
DECIDED_ROLES = (PlanRole.WITNESS, PlanRole.BYSTANDER)


class SafetyPlan(WrittenOnce):
    class Status(models.TextChoices):
        OPEN = "open", "In place"
        CLOSED = "closed", "Closed"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="safety_plans")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="safety_plans")
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="safety_plans")
    role = models.CharField(max_length=30, choices=PlanRole.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    review_due = models.DateField(null=True, blank=True)  # the next review; none once closed
    review_action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_reason = EncryptedTextField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL, "role": SPECIAL,
        "created_by": PERSONAL, "created_at": PERSONAL, "status": SPECIAL, "review_due": SPECIAL,
        "review_action": SPECIAL, "closed_at": PERSONAL, "closed_by": PERSONAL, "close_reason": SPECIAL,
    }
    # Only the lifecycle moves; what the plan says is in its versions.
    changeable_fields = frozenset({"status", "review_due", "review_action", "closed_at", "closed_by",
                                   "close_reason"})
    never_changed = "A safety plan is never edited: revise it (a new version)"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["establishment", "child", "role"], condition=Q(status="open"),
                                               name="one_open_safety_plan_per_child_and_role")]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SafetyPlanVersion(WrittenOnce):
    """What the plan says, as agreed on a date (CoC Appendix 3 sections, and changes to the school day)."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reason = EncryptedTextField(null=True, blank=True)  # why it was revised (none for the first version)
    situations_to_avoid = EncryptedTextField(null=True, blank=True)
    check_ins_who = EncryptedTextField(null=True, blank=True)
    check_ins_how_often = EncryptedTextField(null=True, blank=True)
    reporting = EncryptedTextField(null=True, blank=True)
    mental_health = EncryptedTextField(null=True, blank=True)
    wellbeing_support = EncryptedTextField(null=True, blank=True)
    coping_strategies = EncryptedTextField(null=True, blank=True)
    reach_out = EncryptedTextField(null=True, blank=True)
    # The support services (Appendix 2) and local contacts chosen, by name, one a line: a plan says who
    # it named at the time, even if the list changes later.
    support_chosen = EncryptedTextField(null=True, blank=True)
    long_term_support = EncryptedTextField(null=True, blank=True)
    timetable_changes = EncryptedTextField(null=True, blank=True)
    location_changes = EncryptedTextField(null=True, blank=True)
    transport_changes = EncryptedTextField(null=True, blank=True)
    agreed_with_child = models.BooleanField(default=False)
    agreed_with_parents = models.BooleanField(default=False)
    agreed_with_others = EncryptedTextField(null=True, blank=True)
    agreed_on = models.DateField()
    review_due = models.DateField()

    data_classification = {
        "id": NOT_PERSONAL, "plan": SPECIAL, "number": NOT_PERSONAL, "created_by": PERSONAL, "created_at": PERSONAL,
        "reason": SPECIAL, "situations_to_avoid": SPECIAL, "check_ins_who": SPECIAL, "check_ins_how_often": SPECIAL,
        "reporting": SPECIAL, "mental_health": SPECIAL, "wellbeing_support": SPECIAL, "coping_strategies": SPECIAL,
        "reach_out": SPECIAL, "support_chosen": SPECIAL, "long_term_support": SPECIAL,
        "timetable_changes": SPECIAL, "location_changes": SPECIAL, "transport_changes": SPECIAL,
        "agreed_with_child": SPECIAL, "agreed_with_parents": SPECIAL, "agreed_with_others": SPECIAL,
        "agreed_on": SPECIAL, "review_due": SPECIAL,
    }

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_unique")]

    never_changed = "A safety plan version is never changed: revise the plan"

    @property
    def support_list(self) -> list[str]:
        return [line for line in (self.support_chosen or "").splitlines() if line.strip()]

    @property
    def agreed_with(self) -> str:
        """Who the plan was agreed with, in words: "The child; their parents or carers; Ms Shah". A blank
        "others" is stored as nothing, so it is left out rather than shown."""
        people = ["The child"] * self.agreed_with_child
        people += ["their parents or carers" if people else "Their parents or carers"] * self.agreed_with_parents
        people += [self.agreed_with_others] if self.agreed_with_others else []
        return "; ".join(people)


class SafetyPlanReview(WrittenOnce):
    class Outcome(models.TextChoices):
        REVISED = "revised", "Revised (a new version)"
        NO_CHANGE = "no_change", "Reviewed, no change"

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(SafetyPlanVersion, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = EncryptedTextField(null=True, blank=True)
    next_review_due = models.DateField()

    data_classification = {"id": NOT_PERSONAL, "plan": SPECIAL, "version": SPECIAL, "reviewed_by": PERSONAL,
                           "reviewed_at": PERSONAL, "outcome": SPECIAL, "note": SPECIAL, "next_review_due": SPECIAL}

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    never_changed = "A review is never changed: record another"


class PlanDecision(WrittenOnce):
    """The DSL's decision whether a child without a plan needs one (CoC 11.2, 11.4). Never edited: a later
    decision is a new row, and the latest one stands."""

    class Decision(models.TextChoices):
        NEEDED = "needed", "A safety plan is needed"
        NOT_NEEDED = "not_needed", "No safety plan is needed"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="plan_decisions")
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="plan_decisions")
    role = models.CharField(max_length=30, choices=PlanRole.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = EncryptedTextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL,
                           "role": SPECIAL, "decision": SPECIAL, "reason": SPECIAL, "decided_by": PERSONAL,
                           "decided_at": PERSONAL}

    class Meta:
        ordering = ["-decided_at", "-id"]

    never_changed = "A decision is never changed: record a new one"


class Sanction(WrittenOnce):
    """A sanction for a child in a child-on-child case (CoC 13). Never edited; a withdrawal is a new record."""

    class Kind(models.TextChoices):
        RESTORATIVE = "restorative", "Restorative or reflective work"
        LOSS_OF_PRIVILEGES = "loss_of_privileges", "Loss of privileges"
        DETENTION = "detention", "Detention"
        INTERNAL = "internal", "Time away from lessons in school (internal)"
        SUSPENSION = "suspension", "Suspension (fixed-period exclusion)"
        PERMANENT_EXCLUSION = "permanent_exclusion", "Permanent exclusion"
        OTHER = "other", "Other"

    # CoC 13.6: exclusion only as a last resort; these need the reason other options were not enough.
    EXCLUSIONS = ("suspension", "permanent_exclusion")

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="sanctions")
    concern = models.ForeignKey("concerns.Concern", on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    what = EncryptedTextField()
    why = EncryptedTextField()
    safeguarding_considerations = EncryptedTextField()
    last_resort_reason = EncryptedTextField(null=True, blank=True)
    police_or_childrens_services = models.BooleanField(default=False)
    partnership_note = EncryptedTextField(null=True, blank=True)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL, "kind": SPECIAL,
        "what": SPECIAL, "why": SPECIAL, "safeguarding_considerations": SPECIAL, "last_resort_reason": SPECIAL,
        "police_or_childrens_services": SPECIAL, "partnership_note": SPECIAL, "decided_on": SPECIAL,
        "recorded_by": PERSONAL, "recorded_at": PERSONAL,
    }

    class Meta:
        ordering = ["-decided_on", "-id"]

    never_changed = "A sanction is never changed: withdraw it and record another"

    @property
    def is_exclusion(self) -> bool:
        return self.kind in self.EXCLUSIONS


class SanctionWithdrawal(WrittenOnce):
    sanction = models.OneToOneField(Sanction, on_delete=models.PROTECT, related_name="withdrawal")
    reason = EncryptedTextField()
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "sanction": SPECIAL, "reason": SPECIAL, "withdrawn_by": PERSONAL,
                           "withdrawn_at": PERSONAL}

    never_changed = "A withdrawal is never changed"

    @property
    def concern_id(self):
        return self.sanction.concern_id
