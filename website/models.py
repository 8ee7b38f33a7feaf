from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """Root of the site's page tree. Its announcement is shown on every user's portal home, so
    the provincial admin can tell all 1,038 cooperatives something without a deploy."""

    announcement = RichTextField(
        _("announcement"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("Shown at the top of every user's home page in the portal."),
    )

    content_panels = [*Page.content_panels, FieldPanel("announcement")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        from django.shortcuts import redirect

        # The portal home at / renders the announcement with the user's own figures.
        return redirect("home")
