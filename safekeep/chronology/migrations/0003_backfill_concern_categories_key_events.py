"""Fill in, for entries written before they existed, each entry's concern, the categories that applied to
its child, and whether it is a key event: the same answers chronology_add gives a new entry.

Triage entries written before this were recorded against the concern (object_type "concern", kind
"concern.triaged"); their decision is the child's latest triage at or before the entry was recorded.
"""

from django.db import migrations

BATCH = 1000
REFERRALS = {"childrens_services", "police", "lado"}


def _text(codes):
    codes = sorted({str(c) for c in codes or () if c})
    return f",{','.join(codes)}," if codes else ""


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def backfill(apps, schema_editor):
    Entry = apps.get_model("chronology", "ChronologyEntry")
    Concern = apps.get_model("concerns", "Concern")
    ConcernChild = apps.get_model("concerns", "ConcernChild")
    Addendum = apps.get_model("concerns", "Addendum")
    Triage = apps.get_model("concerns", "Triage")
    Action = apps.get_model("actions", "Action")

    last_id = 0
    while True:
        entries = list(Entry.objects.filter(pk__gt=last_id).order_by("pk")[:BATCH])
        if not entries:
            return
        last_id = entries[-1].pk
        ids = {kind: {_int(e.object_id) for e in entries if e.object_type == kind} - {None}
               for kind in ("concern", "addendum", "triage", "action")}
        triages = {t.pk: t for t in Triage.objects.filter(pk__in=ids["triage"]).select_related("involved")}
        concern_of = {
            "concern": {pk: pk for pk in Concern.objects.filter(pk__in=ids["concern"]).values_list("pk", flat=True)},
            "addendum": dict(Addendum.objects.filter(pk__in=ids["addendum"]).values_list("pk", "concern_id")),
            "triage": {pk: t.involved.concern_id for pk, t in triages.items()},
            "action": dict(Action.objects.filter(pk__in=ids["action"], concern_id__isnull=False)
                           .values_list("pk", "concern_id")),
        }
        existing = set(Concern.objects.filter(pk__in={c for m in concern_of.values() for c in m.values()})
                       .values_list("pk", flat=True))
        for entry in entries:
            concern_id = concern_of.get(entry.object_type, {}).get(_int(entry.object_id))
            # Actions keep their concern as a plain number: only a concern that exists is linked.
            entry.concern_id = concern_id if concern_id in existing else None
        concern_ids = {e.concern_id for e in entries if e.concern_id}
        involved = {(cc.concern_id, cc.child_id): cc for cc in ConcernChild.objects.filter(concern_id__in=concern_ids)}
        by_involved = {}
        for triage in Triage.objects.filter(involved__in=[cc.pk for cc in involved.values()]).order_by(
                "triaged_at", "id"):
            by_involved.setdefault(triage.involved_id, []).append(triage)
        flags = {c.pk: (c.disclosure or c.immediate_risk) for c in Concern.objects.filter(pk__in=concern_ids)}
        for entry in entries:
            cc = involved.get((entry.concern_id, entry.child_id))
            decision = triages.get(_int(entry.object_id)) if entry.object_type == "triage" else None
            if cc is not None and decision is None and entry.kind != "concern.recorded":
                earlier = [t for t in by_involved.get(cc.pk, []) if t.triaged_at <= entry.recorded_at]
                decision = earlier[-1] if earlier else None
            if cc is None:
                categories = decision.categories if decision else []
            elif entry.kind == "concern.recorded":
                categories = cc.categories
            else:
                categories = decision.categories if decision else cc.categories
            entry.categories = _text(categories)
            if entry.kind == "concern.recorded":
                entry.key_event = flags.get(entry.concern_id, False)
            elif entry.kind == "concern.triaged":
                entry.key_event = bool(decision and (decision.risk == "high" or decision.outcome in REFERRALS))
            elif entry.kind == "action.escalated":
                entry.key_event = True
        Entry.objects.bulk_update(entries, ["concern", "categories", "key_event"])


class Migration(migrations.Migration):

    dependencies = [
        ("chronology", "0002_concern_categories_key_events"),
        ("concerns", "0004_triage"),
        ("actions", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
