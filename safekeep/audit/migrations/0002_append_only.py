from django.db import migrations

from safekeep.audit import append_only


def forwards(apps, schema_editor):
    append_only.install(schema_editor.connection, tables=["audit_auditevent"])


def backwards(apps, schema_editor):
    append_only.remove(schema_editor.connection, tables=["audit_auditevent"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
