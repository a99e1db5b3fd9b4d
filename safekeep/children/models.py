from django.db import models
from django.db.models import Q

from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment, Organisation


class Child(models.Model):
    """A pupil or resident. Belongs to one organisation; enrolled or placed at one or more of its establishments."""

    class SendStatus(models.TextChoices):
        NONE = "none", "No special educational needs recorded"
        SUPPORT = "support", "SEN support"
        EHCP = "ehcp", "Education, health and care plan (EHCP)"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    # Recorded by the safeguarding lead or the head (children.services.child_death_record): a children's home
    # keeps the case records 15 years from the death of a child who dies before 18 (CH(E)R 2015 reg 36(2)(b)).
    died_on = models.DateField("Date of death", null=True, blank=True)
    gender = models.CharField(max_length=50, blank=True)
    # Unique pupil number: schools in England have one; children's homes often do not know it.
    upn = models.CharField("Unique pupil number (UPN)", max_length=13, blank=True)
    year_group = models.CharField(max_length=20, blank=True)
    send_status = models.CharField("SEND", max_length=10, choices=SendStatus.choices, default=SendStatus.NONE)
    looked_after = models.BooleanField("Looked after", default=False)
    placing_authority = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    data_classification = {
        "id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "first_name": PERSONAL, "last_name": PERSONAL,
        "preferred_name": PERSONAL, "date_of_birth": PERSONAL, "died_on": SPECIAL, "gender": PERSONAL, "upn": PERSONAL,
        "year_group": PERSONAL, "send_status": SPECIAL, "looked_after": SPECIAL, "placing_authority": SPECIAL,
        "created_at": NOT_PERSONAL, "updated_at": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "upn"], condition=~Q(upn=""), name="child_upn_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name the child uses, with the legal name only when it differs."""
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.preferred_name} {self.last_name} ({self.first_name})"
        return f"{self.first_name} {self.last_name}"


class Enrolment(models.Model):
    """A child on roll at a school or college, or placed at a children's home.

    A child can be at a school and its linked home at the same time (integrated education and care).
    """

    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", "On roll"
        PLACEMENT = "placement", "Placed"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="enrolments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ENROLMENT)
    # The MIS's own id (admission number); re-imports match on it so a file can be loaded twice safely.
    mis_id = models.CharField("MIS id", max_length=50, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL, "kind": PERSONAL,
                           "mis_id": PERSONAL, "start_date": PERSONAL, "end_date": PERSONAL}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "establishment"], name="enrolment_unique"),
            models.UniqueConstraint(fields=["establishment", "mis_id"], condition=~Q(mis_id=""),
                                    name="enrolment_mis_id_unique"),
        ]

    def __str__(self):
        return f"{self.child} at {self.establishment}"
