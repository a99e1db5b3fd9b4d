from django.apps import AppConfig


class TrainingConfig(AppConfig):
    """Training currency: the courses the packs name, each person's completions, and who is due (CE 2.0, KCSIE)."""

    name = "safekeep.training"
    label = "training"
