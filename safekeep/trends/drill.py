"""From a count to the concerns behind it: the same filters as the summary, applied to the concerns the person
may read (concerns_visible_to, the inbox's own selector), so a drill-down never shows more than the inbox would."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.shortcuts import render

from safekeep.audit.services import audit_record
from safekeep.concerns.models import ConcernChild
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core.clock import LONDON

from . import measures as m
from .services import any_category, has_category, with_decided_categories

DRILL_LIMIT = 50  # the newest concerns behind a count; a narrower period shows the others


def _start(month):
    return datetime(month.year, month.month, 1, tzinfo=LONDON)


def _harmed(**child):
    return Exists(ConcernChild.objects.filter(concern=OuterRef("pk"), role=ConcernChild.Role.HARMED,
                                              **{f"child__{key}": value for key, value in child.items()}))


def _with_categories(condition):
    return Exists(with_decided_categories(ConcernChild.objects.filter(concern=OuterRef("pk"))).filter(condition))


def behind(actor, *, establishment_ids, period, measure, value):
    """The concerns a count was made of, newest first, as many as DRILL_LIMIT (and one more, to say so)."""
    concerns = concerns_visible_to(actor).filter(about_adult=False, establishment_id__in=establishment_ids)
    months = period.months()
    if months:
        last = months[-1]
        end = datetime(last.year + last.month // 12, last.month % 12 + 1, 1, tzinfo=LONDON)
        concerns = concerns.filter(occurred_at__gte=_start(months[0]), occurred_at__lt=end)
    if measure == m.CATEGORY:
        concerns = concerns.filter(_with_categories(has_category(value)))
    elif measure == m.CHILD_ON_CHILD:
        concerns = concerns.filter(_with_categories(any_category(m.categories().child_on_child)))
    elif measure == m.YEAR_GROUP:
        concerns = concerns.filter(_harmed(year_group=value))
    elif measure == m.SEND:
        concerns = concerns.filter(_harmed(send_status=value))
    elif measure == m.LOOKED_AFTER:
        concerns = concerns.filter(_harmed(looked_after=value == "yes"))
    elif measure == m.PLACE_KIND:
        concerns = concerns.filter(place__kind=value) if value else concerns.filter(place__isnull=True)
    elif measure == m.WEEKDAY:
        concerns = concerns.annotate(day=ExtractIsoWeekDay("occurred_at", tzinfo=LONDON)).filter(
            occurred_approximately=False, day=int(value) if value.isdigit() else 0)
    elif measure == m.HOUR:
        concerns = concerns.annotate(hour=ExtractHour("occurred_at", tzinfo=LONDON)).filter(
            occurred_approximately=False, hour=int(value) if value.isdigit() else -1)
    with transaction.atomic():
        found = list(concerns.select_related("establishment").prefetch_related(
            Prefetch("children_involved", queryset=ConcernChild.objects.select_related("child").order_by("id")))
            .order_by("-occurred_at", "-pk")[:DRILL_LIMIT + 1])
        audit_record(actor=actor, action="concern.list", object_type="concern",
                     detail={"results": min(len(found), DRILL_LIMIT), "from": "trends", "measure": measure})
    return found[:DRILL_LIMIT], len(found) > DRILL_LIMIT


def _described(measure, value) -> str:
    kinds = m.categories()
    words = {
        m.ALL: lambda: "All concerns",
        m.CATEGORY: lambda: kinds.labels.get(value, value),
        m.CHILD_ON_CHILD: lambda: "Child-on-child concerns",
        m.YEAR_GROUP: lambda: f"Year group: {value or 'not recorded'}",
        m.SEND: lambda: f"SEND: {value}",
        m.LOOKED_AFTER: lambda: "Looked-after children" if value == "yes" else "Children not looked after",
        m.PLACE_KIND: lambda: m.PLACE_KINDS.get(value, value),
        m.WEEKDAY: lambda: m.WEEKDAYS.get(value, value),
        m.HOUR: lambda: f"From {int(value):02d}:00" if value.isdigit() else value,
    }
    return words.get(measure, words[m.ALL])()


def drill_page(request, form):
    if not form.is_valid():
        return render(request, "trends/drill.html", {"form": form, "concerns": []}, status=400)
    establishment_ids, period = form.chosen()
    measure, value = form.cleaned_data["measure"] or m.ALL, form.cleaned_data["value"]
    concerns, more = behind(request.user, establishment_ids=establishment_ids, period=period, measure=measure,
                            value=value)
    return render(request, "trends/drill.html", {"form": form, "concerns": concerns, "more": more,
                                                 "limit": DRILL_LIMIT, "period": period,
                                                 "described": _described(measure, value)})
