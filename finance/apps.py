from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Cooperative books")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .monthly import register_prefill

        register_prefill()
