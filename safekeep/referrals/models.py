"""Referrals to other agencies and the answers to them; no-names consultations; the NRM tracker.

Sources: CoC 8.2 (consent before a non-urgent referral), 9.3 (anyone can refer; the DSL is told),
2.5 h (challenge threshold decisions), 10.4 (no-names consultation); CE 6.4-6.6 (trafficking and
the NRM); Working Together 2023 (the local authority decides within one working day).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment, LocalContact


class Agency(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
    PLACING_AUTHORITY = "placing_authority", "Placing authority"
    POLICE_EMERGENCY = "police_emergency", "Police, in an emergency (999)"
    POLICE = "police", "Police, not an emergency"
    LADO = "lado", "Local authority designated officer (LADO)"
    PREVENT = "prevent", "Prevent"
    EARLY_HELP = "early_help", "Early help"
    CAMHS = "camhs", "Child and adolescent mental health services (CAMHS)"
    OFSTED = "ofsted", "Ofsted (a notification from a children's home)"
    OTHER = "other", "Another agency"


class Consent(models.TextChoices):
    GIVEN = "given", "Discussed; the child and parents or carers agreed"
    REFUSED = "refused", "Discussed; they did not agree, and the referral is made without consent"
    NOT_SOUGHT = "not_sought", "Not discussed first"


# The step that chases the agency's answer to a referral (its clock: the packs' response windows).
CHASE_STEP = "referral-chase"


class Referral(WrittenOnce):
    """A referral someone made to an agency about one child. Never edited: answers are ReferralOutcomes."""

    class How(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Secure email"
        ONLINE_FORM = "online_form", "Online form"
        IN_PERSON = "in_person", "In person"
        LETTER = "letter", "Letter"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="referrals")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="referrals")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    # The contact it went to, kept in words too: a local contact can later be removed.
    contact = models.ForeignKey(LocalContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agency_name = models.CharField(max_length=200)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    how = models.CharField(max_length=20, choices=How.choices)
    reference = models.CharField(max_length=100, blank=True)
    what_shared = EncryptedTextField()
    urgent = models.BooleanField(default=False)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_note = EncryptedTextField(null=True, blank=True)
    # The reminder to chase the agency's answer, on the action list (its clock and escalation).
    chase_action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # Whether its chase is still open: the agency has not given its decision. Set by referral_record with the
    # chase and cleared in the transaction that closes the chase (receivers.py), so the home pages read the
    # few referrals awaiting an answer from their own index rather than every referral ever made (issue 12).
    awaiting_answer = models.BooleanField(default=False)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL, "agency": SPECIAL,
        "contact": NOT_PERSONAL, "agency_name": SPECIAL, "made_by": PERSONAL, "made_at": PERSONAL,
        "recorded_at": PERSONAL, "how": NOT_PERSONAL, "reference": SPECIAL, "what_shared": SPECIAL,
        "urgent": SPECIAL, "consent": SPECIAL, "consent_note": SPECIAL, "chase_action": NOT_PERSONAL,
        "awaiting_answer": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["child", "made_at"]),
                   models.Index(fields=["establishment"], condition=Q(awaiting_answer=True),
                                name="referral_awaiting_answer")]

    changeable_fields = frozenset({"chase_action", "awaiting_answer"})
    never_changed = "A referral is never edited: record the agency's answer, or a new referral"


class ReferralOutcome(WrittenOnce):
    """What the agency decided, and the DSL's response to it (CoC 2.5 h: challenge a threshold decision)."""

    class Outcome(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Received; no decision yet"
        ACCEPTED = "accepted", "Accepted"
        NO_FURTHER_ACTION = "nfa", "No further action"
        STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
        SECTION_17 = "s17", "Child in need assessment (section 17)"
        SECTION_47 = "s47", "Child protection enquiry (section 47)"
        POLICE_INVESTIGATION = "police", "Police investigation"
        EARLY_HELP = "early_help", "Passed to early help"
        OTHER = "other", "Other"

    class Response(models.TextChoices):
        AGREE = "agree", "The DSL agrees"
        CHALLENGE = "challenge", "The DSL challenges the decision"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    received_at = models.DateTimeField()
    note = EncryptedTextField(null=True, blank=True)
    response = models.CharField(max_length=20, choices=Response.choices)
    challenge = EncryptedTextField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    data_classification = {
        "id": NOT_PERSONAL, "referral": SPECIAL, "outcome": SPECIAL, "received_at": PERSONAL, "note": SPECIAL,
        "response": SPECIAL, "challenge": SPECIAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL,
    }

    class Meta:
        ordering = ["-received_at", "-id"]

    never_changed = "An agency's answer is never changed: record the next one"


class Consultation(WrittenOnce):
    """A no-names consultation with children's services or the LADO about a borderline case (CoC 10.4).
    No child is named to the agency, so nothing is shared; it is linked to the child's record here."""

    class With(models.TextChoices):
        CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
        LADO = "lado", "Local authority designated officer (LADO)"
        POLICE = "police", "Police"
        OTHER = "other", "Another agency"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="consultations")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consultations")
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="consultations")
    agency = models.CharField(max_length=30, choices=With.choices)
    spoke_to = models.CharField(max_length=200)
    held_at = models.DateTimeField()
    advice = EncryptedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL, "agency": SPECIAL,
        "spoke_to": PERSONAL, "held_at": PERSONAL, "advice": SPECIAL, "recorded_by": PERSONAL,
        "recorded_at": PERSONAL,
    }

    class Meta:
        ordering = ["-held_at", "-id"]

    never_changed = "A consultation record is never changed: add another"


class NrmTracker(models.Model):
    """A child's National Referral Mechanism referral, as the DSL follows it (CE 6.4-6.6).

    The establishment is never the first responder: the local authority or police submit. The DSL
    records what they hear; each change is written to the chronology and the audit log.
    """

    class Decision(models.TextChoices):
        AWAITED = "awaited", "Awaited"
        POSITIVE = "positive", "Positive"
        NEGATIVE = "negative", "Negative"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="nrm_trackers")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="nrm_trackers")
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="nrm_trackers")
    opened_at = models.DateTimeField(auto_now_add=True)
    first_responder = models.CharField(max_length=200, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    reasonable_grounds = models.CharField(max_length=10, choices=Decision.choices, default=Decision.AWAITED)
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=Decision.choices, default=Decision.AWAITED)
    conclusive_grounds_on = models.DateField(null=True, blank=True)
    guardian = models.CharField(max_length=200, blank=True)  # independent child trafficking guardian
    guardian_contact = models.CharField(max_length=200, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "concern": SPECIAL,
        "opened_at": SPECIAL, "first_responder": SPECIAL, "submitted_on": SPECIAL, "reference": SPECIAL,
        "reasonable_grounds": SPECIAL, "reasonable_grounds_on": SPECIAL, "conclusive_grounds": SPECIAL,
        "conclusive_grounds_on": SPECIAL, "guardian": PERSONAL, "guardian_contact": PERSONAL,
    }

    class Meta:
        ordering = ["-opened_at", "-id"]
