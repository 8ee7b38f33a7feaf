"""Wagtail's own form page, exactly as its documentation builds one. Only the benchmark settings
install this app, so its migration never reaches a real database."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField


class AnchorFormField(AbstractFormField):
    page = ParentalKey("AnchorFormPage", on_delete=models.CASCADE, related_name="form_fields")


class AnchorFormPage(AbstractForm):
    """Renders every field on one page; a valid POST stores a FormSubmission and renders the
    landing page."""
