from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment, Location


class AdultRelationship(models.TextChoices):
    STAFF = "staff", "Member of staff"
    VOLUNTEER = "volunteer", "Volunteer"
    CONTRACTOR = "contractor", "Contractor or supply staff"
    OTHER = "other", "Another adult working with children"


class Concern(WrittenOnce):
    """What a member of staff saw, heard or was told. Never edited once submitted: corrected by addenda.

    The narrative, the child's own words and what the recorder did are encrypted at rest.
    (The encrypted-field library stores an empty text as NULL, so these columns allow NULL.)
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="concerns")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns")
    recorded_at = models.DateTimeField(auto_now_add=True)
    occurred_at = models.DateTimeField()
    occurred_approximately = models.BooleanField(default=False)
    place = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns")
    location = models.CharField(max_length=200, blank=True)  # where, in words, when it is not on the list
    narrative = EncryptedTextField()
    childs_words = EncryptedTextField(null=True, blank=True)
    action_taken = EncryptedTextField(null=True, blank=True)
    disclosure = models.BooleanField(default=False)
    immediate_risk = models.BooleanField(default=False)
    # Images or videos of a child are being shared (CoC 10.2): the DSL acts at once to stop them spreading.
    images_shared = models.BooleanField(default=False)
    told_dsl_in_person = models.BooleanField(null=True, blank=True)
    # A retry or a double click with the same key records nothing new (one key per recorder).
    idempotency_key = models.CharField(max_length=64)
    read_by_dsl_at = models.DateTimeField(null=True, blank=True)
    # When the last child in it had the DSL's decision (CoC 6.6); empty while a child still waits. Kept on
    # the concern, by triage_record, so "open concerns" is read from a small index of the undecided rather
    # than asked of every concern and its children (28 s for a group head at 1,000,000 concerns).
    decided_at = models.DateTimeField(null=True, blank=True)
    # How many wording suggestions the recorder was shown before sending (CE 9.0, CoC 1.3).
    language_prompts_shown = models.PositiveSmallIntegerField(default=0)
    # An allegation about an adult (DESIGN.md section 2) takes the restricted route: only the DSL,
    # deputy, head and group head see it, and never the person it is about.
    about_adult = models.BooleanField(default=False)
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    subject_relationship = models.CharField(max_length=20, choices=AdultRelationship.choices, blank=True)
    subject_description = EncryptedTextField(null=True, blank=True)

    data_classification = {
        "place": SPECIAL, "about_adult": SPECIAL, "subject": SPECIAL, "subject_relationship": SPECIAL,
        "subject_description": SPECIAL,
        "language_prompts_shown": NOT_PERSONAL,
        "id": NOT_PERSONAL, "establishment": PERSONAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL,
        "occurred_at": SPECIAL, "occurred_approximately": NOT_PERSONAL, "location": SPECIAL, "narrative": SPECIAL,
        "childs_words": SPECIAL, "action_taken": SPECIAL, "disclosure": SPECIAL, "immediate_risk": SPECIAL,
        "images_shared": SPECIAL, "told_dsl_in_person": SPECIAL, "idempotency_key": NOT_PERSONAL, "read_by_dsl_at": PERSONAL,
        "decided_at": PERSONAL,
    }

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [models.UniqueConstraint(fields=["recorded_by", "idempotency_key"],
                                               name="concern_idempotency_key_unique")]
        indexes = [models.Index(fields=["establishment", "read_by_dsl_at", "recorded_at"]),
                   # The inbox reads each band newest first from where the last page ended (keyset).
                   models.Index(fields=["recorded_at", "id"], name="concern_newest"),
                   # Allegations are few: every list leaves out those hidden from the reader, found here
                   # without reading every concern (allegations_hidden_from).
                   # With the id, the check reads the index alone, never the concerns themselves.
                   models.Index(fields=["establishment", "subject", "id"], condition=models.Q(about_adult=True),
                                name="concern_allegation"),
                   # The concerns still waiting for a decision are few: the home pages count them and the
                   # inbox lists them from here, whatever the number of concerns decided before.
                   models.Index(fields=["establishment", "recorded_at"], condition=models.Q(decided_at__isnull=True),
                                name="concern_undecided"),
                   # The hotspot flag and the place pages count concerns by when they happened at the reader's
                   # establishments (hotspots.py): a range of occurred_at within each establishment, with the
                   # place, so the per-place count reads the index alone.
                   models.Index(fields=["establishment", "occurred_at", "place"], name="concern_happened")]

    # The original is never changed after submission, apart from being marked as read, as decided for its
    # last child and, for an allegation described only in words, the DSL naming the adult's account so it
    # is hidden from them.
    changeable_fields = frozenset({"read_by_dsl_at", "decided_at", "subject"})
    never_changed = "A submitted concern is never edited: add an addendum"


class ConcernChild(models.Model):
    """A child involved in a concern, with their own role and their own categories (never copied across)."""

    class Role(models.TextChoices):
        # Child-on-child policy 1.3: no child is labelled; "alleged to be responsible" is the phrase.
        HARMED = "harmed", "Harmed or at risk"
        ALLEGED_RESPONSIBLE = "alleged_responsible", "Alleged to be responsible"
        WITNESS = "witness", "Witness"
        BYSTANDER = "bystander", "Bystander"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="children_involved")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="concerns_involved")
    role = models.CharField(max_length=30, choices=Role.choices)
    categories = models.JSONField(default=list, blank=True)  # codes from the adopted packs; empty: "don't know"
    # Signs the recorder noticed, as the adopted packs word them (the text is the key: packs have no codes
    # for indicators, and the wording is what a DSL compares across children).
    indicators = models.JSONField(default=list, blank=True)

    data_classification = {"id": NOT_PERSONAL, "concern": SPECIAL, "child": PERSONAL, "role": SPECIAL,
                           "categories": SPECIAL, "indicators": SPECIAL}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "child"], name="concern_child_unique")]


class Addendum(WrittenOnce):
    """Something added to a concern after it was sent: a correction or what happened next. Never edited."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    text = EncryptedTextField()

    data_classification = {"id": NOT_PERSONAL, "concern": SPECIAL, "added_by": PERSONAL, "added_at": PERSONAL,
                           "text": SPECIAL}

    class Meta:
        ordering = ["added_at", "id"]

    never_changed = "An addendum is never edited: add another"


class Triage(WrittenOnce):
    """The DSL's decision about one child in a concern. A later decision is a new row, never an overwrite."""

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        MONITOR = "monitor", "Monitor"
        EARLY_HELP = "early_help", "Early help"
        CHILDRENS_SERVICES = "childrens_services", "Referral to children's services"
        POLICE = "police", "Referral to the police"
        LADO = "lado", "Referral to the LADO"
        OTHER = "other", "Other"

    involved = models.ForeignKey(ConcernChild, on_delete=models.PROTECT, related_name="triages")
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    triaged_at = models.DateTimeField(auto_now_add=True)
    risk = models.CharField(max_length=10, choices=Risk.choices)
    rationale = EncryptedTextField()
    categories = models.JSONField(default=list, blank=True)
    categories_reason = EncryptedTextField(null=True, blank=True)
    hackett = models.CharField(max_length=20, blank=True)
    hackett_rationale = EncryptedTextField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    outcome_note = EncryptedTextField(null=True, blank=True)
    # Why a child under 13 was placed as "normal" with no further action, given the warning (CoC Appendix 1).
    under_13_reason = EncryptedTextField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "involved": SPECIAL, "under_13_reason": SPECIAL, "triaged_by": PERSONAL, "triaged_at": PERSONAL, "risk": SPECIAL,
        "rationale": SPECIAL, "categories": SPECIAL, "categories_reason": SPECIAL, "hackett": SPECIAL,
        "hackett_rationale": SPECIAL, "outcome": SPECIAL, "outcome_note": SPECIAL,
    }

    class Meta:
        ordering = ["-triaged_at", "-id"]

    never_changed = "A triage decision is never changed: record a new one"


class SubjectNaming(WrittenOnce):
    """Someone on the team proposes the account of the adult an allegation is about (or a correction of it),
    and a second person confirms or rejects it: the adult described never names the subject alone.

    While it waits, the proposed adult cannot see the allegation (it is safer to hide it from a colleague for
    a while than to show an adult the allegation about them), and neither they nor the proposer may confirm.
    """

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="subject_namings")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The name it replaces, for a correction of a wrong name.
    previous_subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    reason = EncryptedTextField(null=True, blank=True)  # why: required to correct a name
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(null=True, blank=True)  # why it was rejected

    data_classification = {
        "id": NOT_PERSONAL, "concern": SPECIAL, "subject": SPECIAL, "previous_subject": SPECIAL, "reason": SPECIAL,
        "proposed_by": PERSONAL, "proposed_at": PERSONAL, "outcome": SPECIAL, "decided_by": PERSONAL,
        "decided_at": PERSONAL, "decision_reason": SPECIAL,
    }

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["concern"], condition=models.Q(outcome="waiting"),
                                               name="subject_naming_one_waiting")]

    # Decided once: the outcome, who decided, when and why.
    changeable_fields = frozenset({"outcome", "decided_by", "decided_at", "decision_reason"})
    never_changed = "A proposed name is never changed: confirm or reject it, or propose a correction"


class PeerLink(models.Model):
    """Two children named together in concerns at an establishment: the edge of the peer graph (CoC 2.5(f)
    "friendship clusters"; CE 5.1-5.2, peer groups as the key risk or protective factor).

    One row per pair (the lower child id first), kept up to date in the transaction that records a concern
    (safekeep/concerns/peers.py), so the peer clusters are read from here, never rebuilt from every concern
    (ADR 0015). The roles each child had in the concerns naming both are kept as a set of bits (ROLE_BITS):
    CE 3.2, a young person can be both harmed and responsible. Allegations about adults are left out: their
    children are not a peer group, and the allegation stays hidden from its subject.
    """

    ROLE_BITS = {"harmed": 1, "alleged_responsible": 2, "witness": 4, "bystander": 8}

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    child_low = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    child_high = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    concern_count = models.PositiveIntegerField(default=0)
    first_named_at = models.DateTimeField()  # when the first concern naming both was recorded
    last_named_at = models.DateTimeField()
    low_roles = models.PositiveSmallIntegerField(default=0)  # ROLE_BITS of child_low's roles
    high_roles = models.PositiveSmallIntegerField(default=0)

    data_classification = {"id": NOT_PERSONAL, "establishment": PERSONAL, "child_low": SPECIAL,
                           "child_high": SPECIAL, "concern_count": SPECIAL, "first_named_at": SPECIAL,
                           "last_named_at": SPECIAL, "low_roles": SPECIAL, "high_roles": SPECIAL}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["establishment", "child_low", "child_high"], name="peer_link_unique"),
            models.CheckConstraint(condition=models.Q(child_low__lt=models.F("child_high")),
                                   name="peer_link_lower_child_first"),
        ]
        indexes = [models.Index(fields=["establishment", "first_named_at"], name="peer_link_first_named"),
                   models.Index(fields=["establishment", "last_named_at"], name="peer_link_last_named")]

    @classmethod
    def roles_of(cls, bits: int) -> list[str]:
        """The roles a set of bits stands for, in ConcernChild.Role's order."""
        return [role for role, bit in cls.ROLE_BITS.items() if bits & bit]
