"""A subject access request for a child's records (UK GDPR Art. 15), its one-month clock (Art. 12(3)), and the
decisions about what its answer withholds and why (DPA 2018 Schedules 2 and 3). Who asked is encrypted, as is
each decision's description of what it is about (it names a third party)."""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class SubjectAccessRequest(WrittenOnce):
    """Who asked for the child's records, how and when it reached the establishment, and when the answer is
    due: one calendar month from receipt, or later if extended with the reason told to the requester."""

    class Relationship(models.TextChoices):
        CHILD = "child", "The child themselves"
        PARENT = "parent", "A parent"
        PARENTAL_RESPONSIBILITY = "parental_responsibility", "Someone else with parental responsibility"
        REPRESENTATIVE = "representative", "Someone acting for the child, such as a solicitor"

    class ReceivedHow(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        OTHER = "other", "Another way"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="subject_access_requests")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="subject_access_requests")
    requester_name = EncryptedTextField()
    relationship = models.CharField(max_length=30, choices=Relationship.choices)
    received_how = models.CharField(max_length=20, choices=ReceivedHow.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    action = models.ForeignKey("actions.Action", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    extension_reason = EncryptedTextField(null=True, blank=True)
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    extended_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    # Extending it once, and deciding what it withholds once: nothing else is ever changed.
    changeable_fields = frozenset({"due_on", "extension_reason", "extended_by", "extended_at", "decided_by",
                                   "decided_at"})
    never_changed = "A subject access request is never changed: extend it or decide what it withholds"

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "requester_name": PERSONAL,
        "relationship": PERSONAL, "received_how": PERSONAL, "received_on": PERSONAL, "due_on": PERSONAL,
        "action": PERSONAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL, "extension_reason": PERSONAL,
        "extended_by": PERSONAL, "extended_at": PERSONAL, "decided_by": PERSONAL, "decided_at": PERSONAL,
    }

    class Meta:
        ordering = ["due_on", "id"]

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class Exemption(models.TextChoices):
    """Why information is withheld from a subject access answer (DPA 2018 Schedules 2 and 3)."""
    THIRD_PARTY = "third_party", "Third-party data (DPA 2018 Sch 2 para 16)"
    SERIOUS_HARM = "serious_harm", "Serious harm (DPA 2018 Sch 3 para 7)"
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (DPA 2018 Sch 2 para 19)"
    CRIME = "crime", "Crime and taxation (DPA 2018 Sch 2 para 2)"


class RedactionDecision(WrittenOnce):
    """One proposed redaction, kept or withheld by a person, with the exemption for what was withheld.
    item: what it is about, as Safekeep found it in its records ("child:12", "person:4", "outcome:7")."""

    class Kind(models.TextChoices):
        OTHER_CHILD = "other_child", "Another child named in the same concerns, shares or meetings"
        STAFF = "staff", "A member of staff who recorded something"
        AGENCY = "agency", "Information from or about another agency"

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.PROTECT, related_name="decisions")
    item = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = EncryptedTextField()
    withheld = models.BooleanField()
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    data_classification = {
        "id": NOT_PERSONAL, "request": PERSONAL, "item": PERSONAL, "kind": PERSONAL, "description": SPECIAL,
        "withheld": PERSONAL, "exemption": PERSONAL, "decided_by": PERSONAL, "decided_at": PERSONAL,
    }

    class Meta:
        ordering = ["kind", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="one_decision_per_item")]
