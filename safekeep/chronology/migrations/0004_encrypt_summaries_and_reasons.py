"""Encrypt the chronology's words at rest, like the records they summarise (issue 10, section 5).

A summary repeats an addendum, a triage rationale, a meeting's decisions or a consultation's advice, each of
which is encrypted in its own table; until now the chronology kept a plaintext copy. The field reads a stored
plaintext as it is (the library passes through what it cannot decrypt), so rewriting every row through the
field encrypts the rows written before this. Going back writes the plaintext again.
"""

import encrypted_fields.fields
from django.db import migrations

BATCH = 500
TEXTS = (("ChronologyEntry", "summary"), ("KeyEventMark", "reason"))


def _batches(Model, field):
    """(id, text) of every row, a batch at a time; the field decrypts what is encrypted and passes plaintext."""
    last_id = 0
    while rows := list(Model.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", field)[:BATCH]):
        last_id = rows[-1][0]
        yield rows


def encrypt(apps, schema_editor):
    for model, field in TEXTS:
        Model = apps.get_model("chronology", model)
        for rows in _batches(Model, field):
            Model.objects.bulk_update([Model(pk=pk, **{field: text}) for pk, text in rows], [field])


def decrypt(apps, schema_editor):
    for model, field in TEXTS:
        Model = apps.get_model("chronology", model)
        table, column = schema_editor.quote_name(Model._meta.db_table), schema_editor.quote_name(field)
        for rows in _batches(Model, field):
            # The plaintext column is NOT NULL again: an empty reason (NULL when encrypted) is "".
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE id = %s",
                                   [(text or "", pk) for pk, text in rows])


class Migration(migrations.Migration):

    dependencies = [
        ("chronology", "0003_backfill_concern_categories_key_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="chronologyentry",
            name="summary",
            field=encrypted_fields.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="keyeventmark",
            name="reason",
            field=encrypted_fields.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
