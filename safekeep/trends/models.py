"""Summary tables for the trend pages (issue 13 sections 2 and 5; ADR 0011).

The pages never count concerns: they add up these rows, which the worker refreshes from a watermark. Each row
is one count for one establishment, one calendar month (UK time) and one value of one measure, so any period
made of whole months, and any set of establishments a person may see, is a sum over a few rows.
"""

from django.db import models

from safekeep.core.classification import NOT_PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment


class TrendCount(models.Model):
    """How many concerns (or actions, or referrals) of one kind, at one establishment, in one month."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month, in the UK
    measure = models.CharField(max_length=30)  # what is counted: see safekeep/trends/measures.py
    value = models.CharField(max_length=100, blank=True)  # the value counted ("" where it was not recorded)
    count = models.PositiveIntegerField()

    # Counts of concerns by category or SEND status at one establishment are about children's welfare, even
    # with no name: treated as special category, as the records they are counted from.
    data_classification = {"id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "month": NOT_PERSONAL,
                           "measure": NOT_PERSONAL, "value": SPECIAL, "count": SPECIAL}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["establishment", "month", "measure", "value"],
                                               name="trend_count_unique")]
        # A page reads the establishments it may see over a run of months and sums each measure's values: on
        # PostgreSQL from the index alone (the count is carried in it), never from the table.
        indexes = [models.Index(fields=["month", "establishment", "measure", "value"], include=["count"],
                                name="trend_count_period")]


class TrendRefresh(models.Model):
    """When the summaries were last brought up to date: one row. `figures_as_of` is the watermark, the moment
    the last refresh started reading; the page shows it ("Figures as of 14:05")."""

    figures_as_of = models.DateTimeField()
    refreshed_at = models.DateTimeField()
    full = models.BooleanField(default=False)  # the last refresh rebuilt everything (refresh_trends)
    months_refreshed = models.PositiveIntegerField(default=0)  # establishment-months recounted

    data_classification = {"id": NOT_PERSONAL, "figures_as_of": NOT_PERSONAL, "refreshed_at": NOT_PERSONAL,
                           "full": NOT_PERSONAL, "months_refreshed": NOT_PERSONAL}
