"""Each pin belongs to one site plan: a new plan starts with no pins, and an earlier plan keeps its own. The pins
already set were shown on each establishment's latest plan, so they are given to it."""

import django.db.models.deletion
from django.db import migrations, models


def pins_to_latest_plan(apps, schema_editor):
    SitePlan = apps.get_model("places", "SitePlan")
    PlacePin = apps.get_model("places", "PlacePin")
    latest = {}
    for plan_id, establishment_id in SitePlan.objects.order_by("added_at", "id").values_list("pk", "establishment_id"):
        latest[establishment_id] = plan_id
    for pin in PlacePin.objects.select_related("place"):
        plan_id = latest.get(pin.place.establishment_id)
        if plan_id is None:  # a pin is only ever set on a plan; without one it points at nothing
            pin.delete()
            continue
        pin.plan_id = plan_id
        pin.save(update_fields=["plan"])


class Migration(migrations.Migration):

    dependencies = [
        ("establishments", "0004_hotspot_thresholds"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="placepin",
            name="plan",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="pins",
                                    to="places.siteplan"),
        ),
        migrations.RunPython(pins_to_latest_plan, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="placepin",
            name="plan",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="pins",
                                    to="places.siteplan"),
        ),
        migrations.AlterField(
            model_name="placepin",
            name="place",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pins",
                                    to="establishments.location"),
        ),
        migrations.AddConstraint(
            model_name="placepin",
            constraint=models.UniqueConstraint(fields=("plan", "place"), name="place_pin_one_per_plan"),
        ),
    ]
