from django.apps import AppConfig


class AnchorConfig(AppConfig):
    name = "benchmarks.anchor"
    label = "anchor"
    verbose_name = "Benchmark anchors"
    default_auto_field = "django.db.models.BigAutoField"
