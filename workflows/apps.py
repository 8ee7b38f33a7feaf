from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    label = "kopdes_workflows"
    verbose_name = _("Approval workflows")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signals import quiet_wagtail_mail_for_submissions

        quiet_wagtail_mail_for_submissions()
