from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef, Subquery


def mark_decided(apps, schema_editor):
    """A concern every child of which has a decision was decided when its last child was: one UPDATE,
    whatever the number of concerns."""
    Concern = apps.get_model("concerns", "Concern")
    ConcernChild = apps.get_model("concerns", "ConcernChild")
    Triage = apps.get_model("concerns", "Triage")
    last_decision = (Triage.objects.filter(involved__concern_id=OuterRef("pk")).order_by()
                     .values("involved__concern_id").annotate(last=Max("triaged_at")).values("last"))
    waiting = ConcernChild.objects.filter(concern_id=OuterRef("pk"), triages__isnull=True)
    Concern.objects.filter(~Exists(waiting), Exists(ConcernChild.objects.filter(concern_id=OuterRef("pk")))).update(
        decided_at=Subquery(last_decision))


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0010_peer_links'),
        ('establishments', '0003_term_dates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='concern',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_decided, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='concern',
            index=models.Index(condition=models.Q(('decided_at__isnull', True)), fields=['establishment', 'recorded_at'], name='concern_undecided'),
        ),
    ]
