from django.tasks import task


@task()
def load_import(batch_id: int) -> int:
    from .services import import_load

    return import_load(batch_id).processed_rows
