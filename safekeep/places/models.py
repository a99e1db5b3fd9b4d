"""A place as a contextual-safeguarding record in its own right (DESIGN.md section 2; CoC 2.4-2.5, 2.5(e)-(f);
CE 5.1-5.2): the team's notes about it, the establishment's own site plan, and where each on-site place is
pinned on it. The place itself is the establishment's list (establishments.Location), kept by an administrator."""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment, Location


class PlaceNote(WrittenOnce):
    """The place's own chronology: what the team saw or did about the place (a patrol, a talk with the bus
    company, a camera moved). Free text that may name children, so encrypted like a concern's narrative."""

    place = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="notes")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()

    data_classification = {"id": NOT_PERSONAL, "place": NOT_PERSONAL, "occurred_at": PERSONAL,
                           "recorded_at": PERSONAL, "recorded_by": PERSONAL, "text": SPECIAL}

    class Meta:
        ordering = ["-occurred_at", "-id"]

    never_changed = "A note about a place is never edited: write another"


class SitePlan(WrittenOnce):
    """The establishment's own plan of its site, a PNG or JPEG checked by its content, re-encoded without
    metadata and encrypted in the database as attachments are (ADR 0007). A new upload replaces the plan
    shown and starts with no pins; earlier plans are kept with their pins, as history that is read and never
    changed."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()  # bytes of the cleaned file, before encryption
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    ciphertext = models.BinaryField()

    # A plan of the buildings is about no one, but it is kept like the records it serves.
    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "added_by": PERSONAL,
                           "added_at": PERSONAL, "content_type": NOT_PERSONAL, "size": NOT_PERSONAL,
                           "width": NOT_PERSONAL, "height": NOT_PERSONAL, "ciphertext": PERSONAL}

    class Meta:
        ordering = ["-added_at", "-id"]

    never_changed = "A site plan is never changed: upload another"


class PlacePin(models.Model):
    """Where an on-site place is on one of the establishment's site plans, in percent of the plan's width (x, from
    the left) and height (y, from the top). On the current plan it is moved by setting it again (audited); on an
    earlier plan it is history and never changes, since it points at the old drawing."""

    plan = models.ForeignKey(SitePlan, on_delete=models.PROTECT, related_name="pins")
    place = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="pins")
    x = models.PositiveSmallIntegerField()
    y = models.PositiveSmallIntegerField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    data_classification = {"id": NOT_PERSONAL, "plan": NOT_PERSONAL, "place": NOT_PERSONAL, "x": NOT_PERSONAL,
                           "y": NOT_PERSONAL, "set_by": PERSONAL, "set_at": PERSONAL}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "place"], name="place_pin_one_per_plan")]
