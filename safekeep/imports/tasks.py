from django.tasks import task

# Both modules import each other (a load is queued by the service and run by the task), so each names the
# other's module and looks the function up when it runs.
from . import services


@task()
def load_import(batch_id: int) -> int:
    return services.import_load(batch_id).processed_rows
