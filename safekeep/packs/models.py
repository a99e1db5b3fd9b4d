"""Stored policy packs and who has adopted them.

The rules themselves are pure data read by safekeep.policy; here we keep every version ever
loaded (so an action can always name the exact pack version that required it) and which
versions each organisation or establishment has adopted.
"""

from django.conf import settings
from django.db import models

from safekeep.core.classification import NOT_PERSONAL, PERSONAL
from safekeep.establishments.models import Establishment, Organisation


class PolicyPackVersion(models.Model):
    pack = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    text = models.TextField()  # the YAML exactly as loaded
    sha256 = models.CharField(max_length=64)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "pack": NOT_PERSONAL, "version": NOT_PERSONAL,
                           "title": NOT_PERSONAL, "text": NOT_PERSONAL, "sha256": NOT_PERSONAL,
                           "loaded_by": PERSONAL, "loaded_at": NOT_PERSONAL}

    class Meta:
        ordering = ["pack", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["pack", "version"], name="pack_version_unique")]

    def __str__(self):
        return f"{self.title} (version {self.version})"


class PackAdoption(models.Model):
    """An organisation (for all its establishments) or one establishment follows a pack version.

    An establishment's own adoption of a pack wins over its organisation's. Ended, never deleted.
    """

    pack_version = models.ForeignKey(PolicyPackVersion, on_delete=models.PROTECT, related_name="adoptions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pack_adoptions")
    establishment = models.ForeignKey(Establishment, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="pack_adoptions")
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    adopted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "pack_version": NOT_PERSONAL, "organisation": NOT_PERSONAL,
                           "establishment": NOT_PERSONAL, "adopted_by": PERSONAL, "adopted_at": NOT_PERSONAL,
                           "ended_at": NOT_PERSONAL}

    class Meta:
        ordering = ["-adopted_at"]
