from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "forms"
    label = "kopdes_forms"
    verbose_name = _("Forms")
    default_auto_field = "django.db.models.BigAutoField"
