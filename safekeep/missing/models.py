"""A child going missing from home, care or education, and the description kept ready for the police
(issue 14 section 4; CE 5.3, 5.4, 7.8). What was said and where the child was found are encrypted, as a
concern's narrative is."""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment


class MissingEpisode(models.Model):
    """One time a child went missing: when they went, when they came back, who reported it, the police
    reference and where they were found. Coming back opens the return home interview (return_action)."""

    class MissingFrom(models.TextChoices):
        HOME = "home", "Home"
        CARE = "care", "Care (their placement)"
        EDUCATION = "education", "Education (school or college)"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="missing_episodes")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="missing_episodes")
    missing_from = models.CharField(max_length=12, choices=MissingFrom.choices)
    went_missing_at = models.DateTimeField()
    reported_by = EncryptedTextField()  # who reported it, in their words (a care worker, a parent)
    police_reference = EncryptedTextField(null=True, blank=True)
    circumstances = EncryptedTextField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    where_found = EncryptedTextField(null=True, blank=True)
    # The return home interview the return opened (statutory guidance: within 72 hours of return).
    return_action = models.ForeignKey("actions.Action", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    return_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")

    data_classification = {
        "id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL, "missing_from": SPECIAL,
        "went_missing_at": SPECIAL, "reported_by": SPECIAL, "police_reference": SPECIAL, "circumstances": SPECIAL,
        "returned_at": SPECIAL, "where_found": SPECIAL, "return_action": PERSONAL, "recorded_by": PERSONAL,
        "recorded_at": PERSONAL, "return_recorded_by": PERSONAL,
    }

    class Meta:
        ordering = ["-went_missing_at", "-id"]
        # The inbox's pattern: a child's episodes at the team's establishments in the last days, counted.
        indexes = [models.Index(fields=["establishment", "went_missing_at"], name="missing_recent")]

    def __str__(self):
        return f"Missing episode {self.pk}"

    @property
    def is_open(self) -> bool:
        """Still missing: no return recorded."""
        return self.returned_at is None


class PoliceDescription(models.Model):
    """What the police are given when the child goes missing: how they look, the places they go, the people
    they know (the Philomena protocol). One current version per child; each update is a new row, so the
    earlier ones are kept as history."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="police_descriptions")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    appearance = EncryptedTextField()
    places = EncryptedTextField(null=True, blank=True)
    people = EncryptedTextField(null=True, blank=True)
    other = EncryptedTextField(null=True, blank=True)  # medical needs, phone, anything else the police ask
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()

    data_classification = {
        "id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL, "appearance": SPECIAL, "places": SPECIAL,
        "people": SPECIAL, "other": SPECIAL, "written_by": PERSONAL, "written_at": PERSONAL,
    }

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self):
        return f"Description {self.pk}"
