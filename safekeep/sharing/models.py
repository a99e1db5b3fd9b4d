from django.conf import settings
from django.db import models

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment

from . import lawful_basis


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_SOUGHT = "not_sought", "Not sought"


class SourceKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    MEETING = "meeting", "Meeting"
    CONSULTATION = "consultation", "Consultation"
    EXPORT = "export", "Export"
    OTHER = "other", "Recorded by hand"


class InformationShare(WrittenOnce):
    """One disclosure of information about children to someone outside the establishment (CoC 12.1).

    Says what was shared in a few words, never the case itself: the data protection officer reads this
    register and must not read what a concern says. Never edited: a correction is a new row that names
    the one it corrects.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="shares")
    children = models.ManyToManyField(Child, related_name="shares")
    recipient = models.CharField(max_length=200)  # the person told
    recipient_organisation = models.CharField(max_length=200)
    what = models.CharField(max_length=300)  # "concern record and chronology": a description, not content
    purpose = models.CharField(max_length=500)
    lawful_basis = models.CharField(max_length=40, choices=lawful_basis.CHOICES)
    consent = models.CharField(max_length=12, choices=Consent.choices)
    consent_note = models.TextField(blank=True)  # why it was shared without consent (required unless given)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    secure_handling_agreed = models.BooleanField()
    secure_handling_note = models.CharField(max_length=500, blank=True)
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    shared_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # The concern the share came from, when there is one: a share about an allegation is hidden, like the
    # allegation, from the adult it is about (DESIGN.md section 1).
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "children": PERSONAL, "recipient": PERSONAL,
        "recipient_organisation": PERSONAL, "what": SPECIAL, "purpose": SPECIAL, "lawful_basis": PERSONAL,
        "consent": PERSONAL, "consent_note": SPECIAL, "authorised_by": PERSONAL,
        "secure_handling_agreed": PERSONAL, "secure_handling_note": PERSONAL, "source_kind": PERSONAL,
        "source_id": NOT_PERSONAL, "shared_at": PERSONAL, "recorded_at": PERSONAL, "recorded_by": PERSONAL,
        "corrects": PERSONAL, "concern": SPECIAL,
    }

    class Meta:
        ordering = ["-shared_at", "-id"]
        indexes = [models.Index(fields=["establishment", "shared_at"]),
                   models.Index(fields=["source_kind", "source_id"])]

    def __str__(self):
        return f"Shared with {self.recipient_organisation} on {self.shared_at:%d %B %Y}"

    never_changed = "A share in the register is never changed: record a correction instead"

    @property
    def lawful_basis_reference(self) -> str:
        basis = lawful_basis.BY_CODE.get(self.lawful_basis)
        return basis.reference if basis else ""
