from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Revision, RevisionMixin, Workflow

from cooperatives.models import Cooperative

from .admin_forms import KopdesFormPageForm
from .blocks import RuleBlock, form_field_blocks
from .enums import FormPurpose, PeriodRule, SubmissionStatus


class FormIndexPage(Page):
    """Where the forms live in the page tree (/formulir/)."""

    intro = RichTextField(_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["website.HomePage"]
    subpage_types = ["kopdes_forms.KopdesFormPage"]
    max_count = 1

    class Meta:
        verbose_name = _("form index")

    def serve(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return redirect("form_list")


class KopdesFormPage(Page):
    """A form admins build in the Wagtail admin. Each publish is a new version (a Wagtail
    revision); a submission pins the revision it was started on, forever."""

    purpose: "models.CharField[str, str]" = models.CharField(
        _("purpose"), max_length=30, choices=FormPurpose.choices, default=FormPurpose.GENERAL
    )
    audience = models.JSONField(
        _("who may fill it"),
        default=list,
        blank=True,
        help_text=_("Roles that may fill this form for their cooperative."),
    )
    period_rule: "models.CharField[str, str]" = models.CharField(
        _("how often"), max_length=10, choices=PeriodRule.choices, default=PeriodRule.UNLIMITED
    )
    reference_prefix: "models.CharField[str, str]" = models.CharField(
        _("reference prefix"),
        max_length=6,
        default="KOP",
        help_text=_("Submissions get numbers such as KOP-2026-000123."),
    )
    intro = RichTextField(
        _("intro (Indonesian)"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    intro_en = RichTextField(
        _("intro (English)"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    approval_workflow = models.ForeignKey(
        Workflow,
        verbose_name=_("approval workflow"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The approval steps every submission of this form goes through. Empty: submissions "
            "are only received, not approved."
        ),
    )
    fields = StreamField(form_field_blocks(), blank=True, verbose_name=_("fields"))
    rules = StreamField([("rule", RuleBlock())], blank=True, verbose_name=_("rules"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("purpose"),
                FieldPanel("audience"),
                FieldPanel("period_rule"),
                FieldPanel("reference_prefix"),
                FieldPanel("approval_workflow"),
            ],
            heading=_("Use"),
        ),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
        FieldPanel("fields"),
        FieldPanel("rules"),
    ]
    parent_page_types = ["kopdes_forms.FormIndexPage"]
    subpage_types: list[str] = []
    base_form_class = KopdesFormPageForm

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def serve(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        from .views import form_start

        return form_start(request, form_page=self)


class Submission(RevisionMixin, models.Model):
    """One filling of a form for one cooperative, from draft to decision.

    `revision` is the form version it was started on; it is validated, shown and exported with
    that version forever, whatever the admin changes later. The submission's own revisions
    (RevisionMixin) keep each version of the answers as sent: a resubmission after "changes
    requested" adds one and keeps the old.
    """

    form_page = models.ForeignKey(
        KopdesFormPage, on_delete=models.PROTECT, related_name="submissions"
    )
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="submissions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    period = models.CharField(
        _("period"), max_length=7, blank=True, help_text=_("2026-11 for monthly, 2026 for yearly.")
    )
    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True)
    idempotency_key = models.CharField(max_length=64)
    # Bumped on every save: an edit based on an older copy is refused, not silently merged.
    version = models.PositiveIntegerField(default=1)
    current_step = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The figures the cooperative's records knew when they were filled in (the monthly report's
    # books), stored like the answers, by code; null when nothing was filled in for the draft.
    # An answer that differs from its figure here needs a reason in `explanations` (by code).
    prefilled = models.JSONField(_("figures from the books"), null=True, blank=True, default=None)
    explanations = models.JSONField(
        _("why answers differ from the books"), default=dict, blank=True
    )
    # Provenance of a submission brought in from a spreadsheet (see imports.models.ImportedRecord,
    # which this app cannot import): the import and the sheet row it came from.
    import_run = models.ForeignKey(
        "imports.ImportRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("import"),
    )
    import_row = models.PositiveIntegerField(_("import row"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"], name="submission_idempotency_per_author"
            ),
        ]
        indexes = [
            models.Index(fields=["form_page", "cooperative", "period"]),
            models.Index(fields=["cooperative", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference or f"{_('Draft')} #{self.pk}"


class SubmissionFile(models.Model):
    """A file uploaded into a submission's file field, kept in private storage and served only
    through a scoped view."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    field_code = models.CharField(max_length=50)
    file = models.FileField(upload_to="submissions/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submission file")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "field_code"], name="submission_file_one_per_field"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ReferenceCounter(models.Model):
    """The last reference number given per prefix and year."""

    prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
