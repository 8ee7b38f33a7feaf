"""Submission reviews in the Wagtail admin's Reports menu, beside Wagtail's own workflow reports
(which list only pages and snippets an editor may change, so never submissions)."""

import datetime
from typing import Any

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from cooperatives.scoping import scope_queryset

from .models import ApprovalTaskState


class SubmissionReviewsReport(ReportView):
    """Every approval step run on submissions the admin may see, newest first; exportable to
    .xlsx and .csv like Wagtail's own reports."""

    page_title = _("Submission reviews")
    header_icon = "tasks"
    index_url_name = "submission_reviews_report"
    index_results_url_name = "submission_reviews_report_results"
    list_export = [
        "submission.reference",
        "submission.form_page.title",
        "cooperative.name",
        "task.name",
        "get_status_display",
        "started_at",
        "due_at",
        "finished_at",
        "finished_by",
        "escalation_level",
    ]
    export_headings = {
        "submission.reference": _("Reference number"),
        "submission.form_page.title": _("Form"),
        "cooperative.name": _("Cooperative"),
        "task.name": _("Step"),
        "get_status_display": _("Status"),
        "started_at": _("Started"),
        "due_at": _("Due"),
        "finished_at": _("Finished"),
        "finished_by": _("Decided by"),
        "escalation_level": _("Passed up"),
    }

    @cached_property
    def columns(self) -> list[Column]:
        return [
            TitleColumn(
                "reference",
                label=_("Reference number"),
                accessor="submission.reference",
                get_url=lambda state: reverse("task_detail", args=[state.pk]),
            ),
            Column("form", label=_("Form"), accessor="submission.form_page.title"),
            Column("cooperative", label=_("Cooperative"), accessor="cooperative.name"),
            Column("step", label=_("Step"), accessor="task.name"),
            StatusTagColumn("status", label=_("Status"), accessor="get_status_display"),
            DateColumn("started_at", label=_("Started")),
            DateColumn("due_at", label=_("Due")),
            DateColumn("finished_at", label=_("Finished")),
        ]

    def get_queryset(self) -> Any:
        return (
            scope_queryset(ApprovalTaskState.objects.all(), self.request.user)
            .select_related("task", "submission__form_page", "cooperative", "finished_by")
            .order_by("-started_at", "-pk")
        )

    def get_filename(self) -> str:
        return f"telaah-isian-{datetime.date.today():%Y-%m-%d}"


@hooks.register("register_admin_urls")
def register_report_urls() -> list[Any]:
    return [
        path(
            "reports/submission-reviews/",
            SubmissionReviewsReport.as_view(),
            name="submission_reviews_report",
        ),
        path(
            "reports/submission-reviews/results/",
            SubmissionReviewsReport.as_view(results_only=True),
            name="submission_reviews_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_report_menu_item() -> MenuItem:
    return MenuItem(
        _("Submission reviews"),
        reverse("submission_reviews_report"),
        name="submission-reviews",
        icon_name="tasks",
        order=850,
    )
