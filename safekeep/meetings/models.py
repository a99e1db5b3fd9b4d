from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.actions.models import Action
from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class Meeting(WrittenOnce):
    """A multi-agency, strategy or professionals meeting about one or more children (CE 10.5).

    Decisions and minutes are encrypted at rest (the encrypted-field library stores an empty text as NULL).
    Never edited: later notes are MeetingNote rows.
    """

    class Kind(models.TextChoices):
        MULTI_AGENCY = "multi_agency", "Multi-agency meeting"
        STRATEGY = "strategy", "Strategy discussion"
        PROFESSIONALS = "professionals", "Professionals meeting"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_at = models.DateTimeField()
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="meetings")
    children = models.ManyToManyField(Child, related_name="meetings")
    decisions = EncryptedTextField()
    minutes = EncryptedTextField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The concern the meeting follows, when there is one. A strategy meeting about an allegation must name
    # it: the meeting, its notes, its actions, its share and its chronology lines are then hidden, like the
    # allegation, from the adult it is about and from anyone who may not read allegations (ADR 0008).
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="meetings")

    data_classification = {
        "id": NOT_PERSONAL, "kind": SPECIAL, "held_at": PERSONAL, "establishment": PERSONAL, "children": SPECIAL,
        "decisions": SPECIAL, "minutes": SPECIAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL,
        "concern": SPECIAL,
    }

    class Meta:
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["establishment", "held_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.held_at:%d %B %Y}"

    never_changed = "A meeting record is never changed: add a note"


class Attendee(models.Model):
    """Someone at the meeting: often from another agency and not a Safekeep user, so a name, role and agency."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    agency = models.CharField(max_length=200)

    data_classification = {"id": NOT_PERSONAL, "meeting": PERSONAL, "name": PERSONAL, "role": PERSONAL,
                           "agency": PERSONAL}

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}, {self.agency}"


class MeetingAction(models.Model):
    """An action agreed at the meeting: the action itself is on the action list (safekeep.actions)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agreed_actions")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="meeting_link")

    data_classification = {"id": NOT_PERSONAL, "meeting": PERSONAL, "action": PERSONAL}

    class Meta:
        ordering = ["id"]


class MeetingNote(WrittenOnce):
    """Something added to a meeting record later (the record itself is never edited)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notes")
    text = EncryptedTextField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "meeting": PERSONAL, "text": SPECIAL, "added_by": PERSONAL,
                           "added_at": PERSONAL}

    class Meta:
        ordering = ["added_at", "id"]

    never_changed = "A note is never changed: add another"
