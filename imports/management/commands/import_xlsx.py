import hashlib
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from cooperatives.selectors import cooperative_of_village
from forms.models import KopdesFormPage
from imports.enums import ImportKind, RunStatus
from imports.models import ImportRun
from imports.reader import WorkbookError
from imports.services import ImportRefused, import_file


def run_report(run: ImportRun, *, dry_run: bool) -> dict[str, Any]:
    """The command's JSON contract (DESIGN.md §6)."""
    if run.status == RunStatus.APPLIED:
        status = "applied"
    elif dry_run and run.status == RunStatus.CANCELLED:
        status = "dry_run"
    else:
        status = "rejected"
    return {
        "file": {"sha256": run.sha256, "sheet": run.sheet},
        "status": status,
        "message": run.message,
        "rows": {
            "total": run.rows_total,
            "valid": run.rows_valid,
            "invalid": run.rows_invalid,
            "skipped": run.rows_skipped,
        },
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "errors": run.errors,
    }


class Command(BaseCommand):
    help = (
        "Import a workbook into one cooperative's books. Nothing is imported when a row is "
        "wrong, unless --skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=ImportKind.values)
        parser.add_argument(
            "--cooperative", required=True, help="Code of one of the cooperative's villages."
        )
        parser.add_argument("--form", default="", help="Form slug (kind submissions).")
        parser.add_argument("--sheet", default="", help="Sheet name; default the first visible.")
        parser.add_argument("--submit", action="store_true", help="Send imported submissions.")
        parser.add_argument(
            "--user",
            default="",
            help="Username the import is made by (required for submissions: they need an author).",
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--skip-invalid", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        cooperative = cooperative_of_village(code=options["cooperative"])
        if cooperative is None:
            raise CommandError(
                _("No cooperative covers village %(code)s.") % {"code": options["cooperative"]}
            )
        form = None
        if options["form"]:
            form = KopdesFormPage.objects.live().filter(slug=options["form"]).first()
            if form is None:
                raise CommandError(
                    _("No published form has the slug “%(slug)s”.") % {"slug": options["form"]}
                )
        uploader = None
        if options["user"]:
            uploader = get_user_model().objects.filter(username=options["user"]).first()
            if uploader is None:
                raise CommandError(_("No user “%(name)s”.") % {"name": options["user"]})
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            run = import_file(
                cooperative=cooperative,
                kind=options["kind"],
                data=data,
                file_name=path.name,
                uploaded_by=uploader,
                form=form,
                submit=options["submit"],
                sheet=options["sheet"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except (WorkbookError, ImportRefused) as error:
            message = getattr(error, "message", str(error))
            if options["json"]:
                code = getattr(error, "code", None) or "refused"
                report = {
                    "file": {"sha256": hashlib.sha256(data).hexdigest(), "sheet": ""},
                    "status": "rejected",
                    "message": message,
                    "rows": {"total": 0, "valid": 0, "invalid": 0, "skipped": 0},
                    "created": 0,
                    "updated": 0,
                    "unchanged": 0,
                    "errors": [{"row": 0, "column": "", "code": code, "message": message}],
                }
                self.stdout.write(json.dumps(report, ensure_ascii=False))
                raise SystemExit(1) from error
            raise CommandError(message) from error
        report = run_report(run, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
        else:
            self.stdout.write(f"{report['status']}: {run.message}")
            for problem in run.errors[:50]:
                where = f"{problem['column']}{problem['row']}" if problem["row"] else ""
                self.stdout.write(f"  {where} {problem['message']}")
            if len(run.errors) > 50:
                self.stdout.write(f"  … {len(run.errors) - 50} more")
        if report["status"] == "rejected" or run.rows_invalid:
            raise SystemExit(1)
