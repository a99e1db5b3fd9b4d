from django.conf import settings
from django.db import models

from safekeep.core.classification import NOT_PERSONAL, PERSONAL
from safekeep.establishments.models import Establishment


class TrainingCompletion(models.Model):
    """One person finished one course on one day (docs/domain/records-lifecycle.md).

    The course is named by its code in the packs, so a revised pack that changes the cycle changes when the
    training is next due without touching what was recorded. The same course on the same day is recorded once:
    loading a file again adds nothing. `reminded_at` is when the person was told it is due again soon: once
    for each completion, so once per course per person per cycle.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training")
    course_code = models.CharField(max_length=100)
    completed_on = models.DateField()
    evidence = models.CharField(max_length=300, blank=True)
    # Where it was recorded from (whose head or DSL recorded it), and by whom, when.
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "person": PERSONAL, "course_code": NOT_PERSONAL, "completed_on": PERSONAL,
        "evidence": PERSONAL, "establishment": NOT_PERSONAL, "recorded_by": PERSONAL, "recorded_at": NOT_PERSONAL,
        "reminded_at": PERSONAL,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "course_code", "completed_on"],
                                               name="training_once_per_person_course_day")]
        indexes = [models.Index(fields=["course_code", "person", "completed_on"])]
        ordering = ["-completed_on"]
