"""Downloads of the portal's lists as .xlsx. A small list is written while the user waits; a big
one (more than `exports.INLINE_EXPORT_ROWS` rows) becomes an ExportJob written in the
background, whose page offers the download once it is ready. Scope as everywhere: a cooperative
outside the user's scope answers 404, and a job is seen by the user who asked for it only."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from cooperatives.models import Cooperative
from cooperatives.selectors import cooperative_get
from forms.models import KopdesFormPage

from . import exports
from .models import ExportJob

# What each list passes on from the list page's query string.
_FILTERS = {
    "members": ("q", "status"),
    "submissions": ("q", "cooperative", "status", "period"),
}


def _params(request: HttpRequest, kind: str) -> dict[str, Any]:
    # As the list page reads them: its filter form validates them again.
    return {name: request.GET[name] for name in _FILTERS.get(kind, ()) if request.GET.get(name)}


def _download(
    request: HttpRequest,
    *,
    kind: str,
    cooperative: Cooperative | None,
    params: dict[str, Any],
) -> HttpResponse:
    rows = exports.export_count(
        kind=kind, user=request.user, cooperative=cooperative, params=params
    )
    if rows > exports.INLINE_EXPORT_ROWS:
        job = exports.export_job_create(
            kind=kind, user=request.user, cooperative=cooperative, params=params
        )
        return redirect("export_job_detail", job.pk)
    content = exports.export_bytes(
        kind=kind, user=request.user, cooperative=cooperative, params=params
    )
    name = exports.export_file_name(kind=kind, cooperative=cooperative, params=params)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def cooperative_export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One of the cooperative's lists (kind: a per-cooperative code of `exports.EXPORTS`,
    given by the URL pattern) as .xlsx."""
    cooperative = cooperative_get(user=request.user, pk=pk)
    export = exports.EXPORTS.get(kind)
    if export is None or not export.per_cooperative:
        raise Http404
    return _download(request, kind=kind, cooperative=cooperative, params=_params(request, kind))


@login_required
def submission_export(request: HttpRequest, form_pk: int) -> HttpResponse:
    """A form's submissions as the submission list shows them to the user (same scope, same
    filters): one row per submission, each repeating group on a sheet of its own."""
    page = get_object_or_404(KopdesFormPage, pk=form_pk)
    params = {**_params(request, "submissions"), "form": page.pk}
    return _download(request, kind="submissions", cooperative=None, params=params)


@login_required
def export_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = exports.export_job_get(user=request.user, pk=pk)
    finished = job.status in (ExportJob.Status.READY, ExportJob.Status.FAILED)
    export = exports.EXPORTS.get(job.kind)
    form_page = None
    if job.kind == "submissions":
        form_page = KopdesFormPage.objects.filter(pk=job.params.get("form")).first()
    return render(
        request,
        "imports/export_job.html",
        {
            "job": job,
            "finished": finished,
            "list_label": export.label if export else job.kind,
            "form_page": form_page,
        },
    )


@login_required
def export_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = exports.export_job_get(user=request.user, pk=pk)
    if job.status != ExportJob.Status.READY or not job.file:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=exports.XLSX,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
