"""Portal pages of imports: upload, the run's progress and preview, confirm or cancel, and the
files that go with a run (the original, the wrong rows). Thin: services decide, selectors read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cooperatives.selectors import cooperative_get
from forms.models import KopdesFormPage
from forms.services import may_fill

from .enums import WORKING_STATUSES, ImportKind, RunStatus
from .forms import ConfirmForm, UploadForm
from .models import ImportRun
from .reader import WorkbookError
from .reports import XLSX, error_rows_workbook, template_bytes
from .selectors import import_history, import_run_get, may_import
from .services import (
    ImportRefused,
    import_run_cancel,
    import_run_confirm,
    import_run_create,
    refusal_message,
)

HISTORY_PAGE_SIZE = 20
PROBLEMS_SHOWN = 200


def _fillable_forms(user: Any, cooperative: Any) -> Any:
    live = KopdesFormPage.objects.live().order_by("title")
    allowed = [
        page.pk for page in live if may_fill(user=user, form_page=page, cooperative=cooperative)
    ]
    return live.filter(pk__in=allowed)


@login_required
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The cooperative's imports: upload a workbook, download templates, read the history."""
    cooperative = cooperative_get(user=request.user, pk=pk)
    allowed = may_import(user=request.user, cooperative=cooperative)
    form = None
    if allowed:
        choices = _fillable_forms(request.user, cooperative)
        form = UploadForm(request.POST or None, request.FILES or None, forms_queryset=choices)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_run_create(
                    cooperative=cooperative,
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    file_name=upload.name,
                    uploaded_by=request.user,
                    form=form.cleaned_data.get("form_page"),
                    submit=form.cleaned_data.get("submit", False),
                    sheet=form.cleaned_data.get("sheet", "").strip(),
                )
            except (WorkbookError, ImportRefused) as error:
                form.add_error("file", refusal_message(error))
            else:
                return redirect("import_run_detail", run.pk)
    elif request.method == "POST":
        raise PermissionDenied
    runs = Paginator(import_history(user=request.user, cooperative=cooperative), HISTORY_PAGE_SIZE)
    return render(
        request,
        "imports/import_start.html",
        {
            "cooperative": cooperative,
            "form": form,
            "page_obj": runs.get_page(request.GET.get("page")),
            "kinds": [choice for choice in ImportKind if choice != ImportKind.SUBMISSIONS],
            "template_forms": _fillable_forms(request.user, cooperative) if allowed else [],
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
def import_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = import_run_get(user=request.user, pk=pk)
    allowed = may_import(user=request.user, cooperative=run.cooperative)
    return render(
        request,
        "imports/run_detail.html",
        {
            "run": run,
            "cooperative": run.cooperative,
            "working": run.status in WORKING_STATUSES,
            "may_act": allowed and run.status == RunStatus.READY,
            "confirm_form": ConfirmForm(),
            "problems": run.errors[:PROBLEMS_SHOWN],
            "more_problems": max(0, len(run.errors) - PROBLEMS_SHOWN),
            "warnings": run.warnings[:PROBLEMS_SHOWN],
            "more_warnings": max(0, len(run.warnings) - PROBLEMS_SHOWN),
            "row_problems": run.rows_invalid > 0,
        },
    )


@login_required
def import_run_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress bar polls."""
    run = import_run_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "label": run.get_status_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "percent": run.percent,
            "working": run.status in WORKING_STATUSES,
        }
    )


def _acting_run(request: HttpRequest, pk: int) -> ImportRun:
    run = import_run_get(user=request.user, pk=pk)
    if not may_import(user=request.user, cooperative=run.cooperative):
        raise PermissionDenied
    return run


@login_required
@require_POST
def import_run_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _acting_run(request, pk)
    form = ConfirmForm(request.POST)
    skip_invalid = form.is_valid() and form.cleaned_data["skip_invalid"]
    try:
        import_run_confirm(run=run, by=request.user, skip_invalid=skip_invalid)
    except ImportRefused as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Import confirmed. It is being written now."))
    return redirect("import_run_detail", run.pk)


@login_required
@require_POST
def import_run_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _acting_run(request, pk)
    try:
        import_run_cancel(run=run, by=request.user)
    except ImportRefused as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Import cancelled. Nothing was written."))
    return redirect("import_start", run.cooperative_id)


@login_required
def import_run_file(request: HttpRequest, pk: int) -> FileResponse:
    """The workbook as uploaded: the provenance of every record the run wrote."""
    run = import_run_get(user=request.user, pk=pk)
    response = FileResponse(
        run.file.open("rb"), as_attachment=True, filename=run.file_name, content_type=XLSX
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def import_run_error_rows(request: HttpRequest, pk: int) -> HttpResponse:
    """The wrong rows as a workbook with the same headings and a column saying what is wrong:
    fix them there and upload that file again."""
    run = import_run_get(user=request.user, pk=pk)
    return _xlsx(error_rows_workbook(run), f"baris-salah-impor-{run.pk}.xlsx")


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty book to fill in, for one import kind."""
    if kind not in ImportKind.values or kind == ImportKind.SUBMISSIONS:
        raise Http404
    return _xlsx(template_bytes(kind), f"templat-{kind}.xlsx")


@login_required
def form_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A book whose columns are the fields of one published form."""
    page = get_object_or_404(KopdesFormPage.objects.live(), pk=pk)
    return _xlsx(template_bytes(ImportKind.SUBMISSIONS, page), f"templat-{page.slug}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
