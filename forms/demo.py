"""Demo and default content of the forms app: the form index page the forms live under."""

from django.contrib.auth.models import Permission
from wagtail.models import GroupPagePermission

from cooperatives.services import form_admin_group
from website.models import HomePage

from .models import FormIndexPage

# What form administrators may do under /formulir/: build forms and publish new versions.
FORM_ADMIN_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def ensure_form_index() -> FormIndexPage:
    """The /formulir/ index page, created once under the home page, with the form
    administrators' page permissions on it."""
    index = FormIndexPage.objects.first()
    if index is None:
        home = HomePage.objects.get()
        index = home.add_child(instance=FormIndexPage(title="Formulir", slug="formulir"))
        index.save_revision().publish()
    group = form_admin_group()
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=FORM_ADMIN_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    return index
