"""Demo and default content of the forms app: the form index page the forms live under."""

from website.models import HomePage

from .models import FormIndexPage


def ensure_form_index() -> FormIndexPage:
    """The /formulir/ index page, created once under the home page."""
    index = FormIndexPage.objects.first()
    if index is None:
        home = HomePage.objects.get()
        index = home.add_child(instance=FormIndexPage(title="Formulir", slug="formulir"))
        index.save_revision().publish()
    return index
