from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative

from .enums import ImportKind, RunStatus


def upload_path(run: "ImportRun", filename: str) -> str:
    # The name people gave the file is kept in `file_name`; the stored name never comes from them.
    return f"imports/{run.created_at:%Y/%m}/{run.sha256[:16]}-{run.kind}.xlsx"


class ImportRun(models.Model):
    """One upload of one workbook for one cooperative, from check to apply.

    Every record an import creates or changes points back here (and to its sheet row), so the
    import history answers who brought what in, from which file.
    """

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="import_runs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    form = models.ForeignKey(
        "kopdes_forms.KopdesFormPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("form"),
    )
    # Submissions only: send each imported row into the form's workflow, or keep drafts.
    submit = models.BooleanField(_("send the submissions"), default=False)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("heading row"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    skip_invalid = models.BooleanField(_("import only the valid rows"), default=False)
    message = models.TextField(_("message"), blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_invalid = models.PositiveIntegerField(_("wrong rows"), default=0)
    rows_skipped = models.PositiveIntegerField(_("skipped rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # [{"row", "column", "code", "message"}], row and column as Excel shows them.
    errors = models.JSONField(default=list, blank=True)
    # Same shape: accepted rows with something the user should know (a member outside the villages).
    warnings = models.JSONField(default=list, blank=True)
    # The first changes, before and after: [{"row", "label", "fields": [[heading, before, after]]}].
    changes = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["cooperative", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def rows_valid(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ImportedRecord(models.Model):
    """Provenance every importable record carries: the run and sheet row it last came from."""

    import_run = models.ForeignKey(
        ImportRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("import"),
    )
    import_row = models.PositiveIntegerField(_("import row"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class ExportJob(models.Model):
    """A big export written in the background; the user downloads it when it is ready."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("list"), max_length=30)
    # The list's filters and the form (for submissions), as the list page had them.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")

    def __str__(self) -> str:
        return f"{self.kind} · {self.created_at:%Y-%m-%d %H:%M}"
