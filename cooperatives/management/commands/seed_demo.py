from django.conf import settings
from django.core.management.base import BaseCommand

from cooperatives.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from finance.demo import ensure_demo_books
from forms.defaults import ensure_core_forms
from forms.demo import ensure_form_index
from loans.demo import ensure_demo_products
from workflows.demo import ensure_demo_workflows


class Command(BaseCommand):
    help = (
        "Load regions, demo cooperatives and members, a user for every role, the core forms and "
        "their approval workflows, and the demo cooperative's books (idempotent)."
    )

    def handle(self, *args: object, **options: object) -> None:
        counts = seed_demo()
        ensure_form_index()
        forms = ensure_core_forms()
        workflows = ensure_demo_workflows()
        products = ensure_demo_products()
        books = ensure_demo_books()
        self.stdout.write(
            f"Demo data: {counts['cooperatives']} cooperatives and {counts['members']} members "
            "created (0 means they were already there)."
        )
        self.stdout.write("Forms: " + ", ".join(form.title for form in forms) + ".")
        self.stdout.write("Approval workflows: " + ", ".join(w.name for w in workflows) + ".")
        self.stdout.write("Loan products: " + ", ".join(p.name for p in products) + ".")
        self.stdout.write(
            f"Books: {books['savings']} savings movements and {books['entries']} journal entries "
            "posted (0 means they were already there)."
        )
        if getattr(settings, "KOPDES_SHOW_DEMO_LOGINS", False):
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
            for user in DEMO_USERS:
                role = user.role.label if user.role else "superuser (Wagtail admin)"
                self.stdout.write(f"  {user.username:<22} {role}")
