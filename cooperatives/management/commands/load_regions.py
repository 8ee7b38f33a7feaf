from django.core.management.base import BaseCommand

from cooperatives.services import regions_load


class Command(BaseCommand):
    help = "Load every Kalimantan Timur region (Kemendagri codes) from the committed extract."

    def handle(self, *args: object, **options: object) -> None:
        result = regions_load()
        self.stdout.write(
            f"Regions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
