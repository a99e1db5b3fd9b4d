"""A peer group: a contextual-safeguarding record in its own right (DESIGN.md section 2), saved by the safeguarding
team from a cluster of children named together in concerns, or by hand, with its members and its own chronology
(CoC 2.4-2.5; CE 5.1-5.2)."""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class PeerGroup(WrittenOnce):
    """A group of children the safeguarding team watches together. Its name is the team's own words (it may
    say where the group meets or who is in it), so it is encrypted like a concern's."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField()
    from_cluster = models.BooleanField(default=False)  # saved from a cluster of the peer graph, or by hand
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "establishment": PERSONAL, "name": SPECIAL, "from_cluster": NOT_PERSONAL,
                           "created_by": PERSONAL, "created_at": PERSONAL}

    class Meta:
        ordering = ["-created_at", "-id"]

    never_changed = "A peer group is never renamed: write a note in its chronology"


class PeerGroupMember(WrittenOnce):
    group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="members")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "group": SPECIAL, "child": SPECIAL, "added_by": PERSONAL,
                           "added_at": PERSONAL}

    class Meta:
        ordering = ["child__last_name", "child__first_name", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "child"], name="peer_group_member_unique")]


class PeerGroupEntry(WrittenOnce):
    """The group's own chronology: when it was saved, who joined it, and the team's notes. Never edited."""

    class Kind(models.TextChoices):
        SAVED = "saved", "Saved"
        JOINED = "joined", "Children added"
        NOTE = "note", "Note"

    group = models.ForeignKey(PeerGroup, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()

    data_classification = {"id": NOT_PERSONAL, "group": SPECIAL, "kind": NOT_PERSONAL, "occurred_at": SPECIAL,
                           "recorded_at": PERSONAL, "recorded_by": PERSONAL, "text": SPECIAL}

    class Meta:
        ordering = ["-occurred_at", "-id"]

    never_changed = "A peer group's chronology is never edited: write another note"
