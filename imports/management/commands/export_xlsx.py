from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from cooperatives.selectors import cooperative_of_village
from forms.models import KopdesFormPage
from imports.exports import EXPORTS, ExportError, export_list


class Command(BaseCommand):
    help = (
        "Write one list of a cooperative as an .xlsx workbook, as the portal's download does, "
        "and print the number of rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=list(EXPORTS))
        parser.add_argument(
            "--cooperative", required=True, help="Code of one of the cooperative's villages."
        )
        parser.add_argument("--form", default="", help="Form slug (kind submissions).")
        parser.add_argument(
            "--user",
            default="",
            help="Export what this user may see (default: everything of the cooperative).",
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        cooperative = cooperative_of_village(code=options["cooperative"])
        if cooperative is None:
            raise CommandError(
                _("No cooperative covers village %(code)s.") % {"code": options["cooperative"]}
            )
        params: dict[str, Any] = {}
        if options["kind"] == "submissions":
            if not options["form"]:
                raise CommandError(_("Give the form with --form SLUG."))
            form = KopdesFormPage.objects.filter(slug=options["form"]).first()
            if form is None:
                raise CommandError(
                    _("No form has the slug “%(slug)s”.") % {"slug": options["form"]}
                )
            params["form"] = form.pk
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": options["user"]})
        path: Path = options["file"]
        try:
            with path.open("wb") as handle:
                rows = export_list(
                    kind=options["kind"],
                    user=user,
                    cooperative=cooperative,
                    params=params,
                    target=handle,
                )
        except Http404 as error:
            path.unlink(missing_ok=True)
            raise CommandError(_("The user may not see this cooperative.")) from error
        except (ExportError, ValueError, OSError) as error:
            path.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        self.stdout.write(str(rows))
