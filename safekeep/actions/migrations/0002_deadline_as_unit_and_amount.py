"""Deadlines stored as a unit and an amount, not words the escalation sweep parsed back; an index for
"does this concern already have this step?".

Existing words are read once here: "immediately", "24 hours", "1 working day", "5 school days" keep their
unit and amount; anything else ("by 5 March 2026", a safety plan's review date) was due by a date.
The words are written back the same way if the migration is reversed.
"""

import re

from django.db import migrations, models

WORDS = re.compile(r"^\s*(?:(immediately)|(\d+)\s+(hours?|working\s+days?|school\s+days?))\s*$", re.I)
UNITS = ("hours", "working days", "school days")


def unit_and_amount(words: str) -> tuple[str, int]:
    match = WORDS.match(words or "")
    if not match or (match.group(2) and int(match.group(2)) < 1):
        return "by date", 0
    if match.group(1):
        return "immediately", 0
    unit = re.sub(r"\s+", " ", match.group(3).lower()).rstrip("s")
    return next(u for u in UNITS if u.rstrip("s") == unit), int(match.group(2))


def fill_from_words(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    for action in Action.objects.only("pk", "deadline").iterator(chunk_size=500):
        unit, amount = unit_and_amount(action.deadline)
        Action.objects.filter(pk=action.pk).update(deadline_unit=unit, deadline_amount=amount)


def words_from_fields(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    for action in Action.objects.only("pk", "deadline_unit", "deadline_amount", "due_at").iterator(chunk_size=500):
        if action.deadline_unit == "by date":
            words = f"by {action.due_at:%-d %B %Y}"
        elif action.deadline_unit == "immediately":
            words = "immediately"
        else:
            unit = action.deadline_unit if action.deadline_amount != 1 else action.deadline_unit.rstrip("s")
            words = f"{action.deadline_amount} {unit}"
        Action.objects.filter(pk=action.pk).update(deadline=words)


class Migration(migrations.Migration):

    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="deadline_unit",
            field=models.CharField(choices=[("immediately", "immediately"), ("hours", "hours"),
                                            ("working days", "working days"), ("school days", "school days"),
                                            ("by date", "by date")], default="by date", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="action",
            name="deadline_amount",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="action",
            name="deadline",
            field=models.CharField(max_length=40, default=""),
        ),
        migrations.RunPython(fill_from_words, words_from_fields),
        migrations.RemoveField(
            model_name="action",
            name="deadline",
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["concern_id", "action_code"], name="action_concern_step"),
        ),
    ]
