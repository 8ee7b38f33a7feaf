"""/api/v1/ endpoints of imports: upload, read a run (progress, preview, errors), confirm or
cancel it, and download templates and the wrong rows. The same services as the portal."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cooperatives.scoping import get_in_scope_or_404, scope_queryset, visible_cooperatives
from cooperatives.serializers import ErrorSerializer
from forms.models import KopdesFormPage

from .enums import ImportKind
from .models import ImportRun
from .reader import WorkbookError
from .reports import XLSX, error_rows_workbook, template_bytes
from .selectors import may_import
from .serializers import (
    ConfirmSerializer,
    ImportRunDetailSerializer,
    ImportRunSerializer,
    UploadSerializer,
)
from .services import (
    ImportRefused,
    import_run_cancel,
    import_run_confirm,
    import_run_create,
    refusal_message,
)

RUN_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Import id.")
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Not found or not yours to see.")
)
REFUSED = OpenApiResponse(
    ErrorSerializer, description=gettext_lazy("Not possible in the import's state.")
)


def _refused(error: ImportRefused) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)


class ImportRunViewSet(viewsets.GenericViewSet):
    serializer_class = ImportRunSerializer

    def get_queryset(self) -> QuerySet[ImportRun]:
        if getattr(self, "swagger_fake_view", False):
            return ImportRun.objects.none()
        runs = scope_queryset(ImportRun.objects.select_related("uploaded_by"), self.request.user)
        cooperative = self.request.query_params.get("cooperative")
        if cooperative:
            if not cooperative.isdigit():
                raise ApiValidationError({"cooperative": ["A cooperative id is a number."]})
            runs = runs.filter(cooperative_id=int(cooperative))
        return runs

    def _run(self, pk: Any) -> ImportRun:
        return get_in_scope_or_404(
            ImportRun.objects.select_related("cooperative", "uploaded_by", "form"),
            self.request.user,
            pk=pk,
        )

    def _acting(self, pk: Any) -> ImportRun:
        run = self._run(pk)
        if not may_import(user=self.request.user, cooperative=run.cooperative):
            raise PermissionDenied
        return run

    @extend_schema(
        operation_id="imports_list",
        summary=gettext_lazy("Imports you may see"),
        parameters=[
            OpenApiParameter("cooperative", OpenApiTypes.INT, description="Only this cooperative.")
        ],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportRunSerializer(page, many=True).data)

    @extend_schema(
        operation_id="imports_create",
        summary=gettext_lazy("Upload a workbook"),
        description=gettext_lazy(
            "Stores the file and queues its check; poll the import until its status is “ready” "
            "(preview) or “rejected”. Nothing is written before it is confirmed."
        ),
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: ImportRunSerializer,
            400: OpenApiResponse(description="Bad file or field."),
            403: ErrorSerializer,
            404: NOT_FOUND,
        },
    )
    def create(self, request: Request) -> Response:
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cooperative = get_in_scope_or_404(
            visible_cooperatives(request.user), request.user, via="", pk=data["cooperative"].pk
        )
        if not may_import(user=request.user, cooperative=cooperative):
            raise PermissionDenied
        upload = data["file"]
        try:
            run = import_run_create(
                cooperative=cooperative,
                kind=data["kind"],
                data=upload.read(),
                file_name=upload.name,
                uploaded_by=request.user,
                form=data.get("form"),
                submit=data["submit"],
                sheet=data["sheet"].strip(),
            )
        except (WorkbookError, ImportRefused) as error:
            return Response({"file": [refusal_message(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="imports_retrieve",
        summary=gettext_lazy("One import: progress, preview, wrong rows"),
        parameters=[RUN_PK],
        responses={200: ImportRunDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(ImportRunDetailSerializer(self._run(pk)).data)

    @extend_schema(
        operation_id="imports_confirm",
        summary=gettext_lazy("Confirm a checked import"),
        description=gettext_lazy(
            "Queues the apply: every valid row is written in one transaction, or none. A file "
            "with wrong rows is refused (409) unless skip_invalid is true."
        ),
        parameters=[RUN_PK],
        request=ConfirmSerializer,
        responses={202: ImportRunSerializer, 403: ErrorSerializer, 404: NOT_FOUND, 409: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        run = self._acting(pk)
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            run = import_run_confirm(
                run=run, by=request.user, skip_invalid=serializer.validated_data["skip_invalid"]
            )
        except ImportRefused as error:
            return _refused(error)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="imports_cancel",
        summary=gettext_lazy("Cancel an import that was not applied"),
        parameters=[RUN_PK],
        request=None,
        responses={200: ImportRunSerializer, 403: ErrorSerializer, 404: NOT_FOUND, 409: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        run = self._acting(pk)
        try:
            run = import_run_cancel(run=run, by=request.user)
        except ImportRefused as error:
            return _refused(error)
        return Response(ImportRunSerializer(run).data)

    @extend_schema(
        operation_id="imports_error_rows",
        summary=gettext_lazy("The wrong rows as a workbook, with a column saying what is wrong"),
        parameters=[RUN_PK],
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="error-rows")
    def error_rows(self, request: Request, pk: Any = None) -> HttpResponse:
        run = self._run(pk)
        response = HttpResponse(error_rows_workbook(run), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="baris-salah-impor-{run.pk}.xlsx"'
        return response


@extend_schema(
    operation_id="import_templates_retrieve",
    summary=gettext_lazy("An import template"),
    description=gettext_lazy(
        "The .xlsx template of an import kind (members, savings, cashbook, loans), or of a "
        "published form with kind=submissions and ?form=<id>: headings, an example row, "
        "dropdowns and a Petunjuk sheet."
    ),
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH),
        OpenApiParameter("form", OpenApiTypes.INT, description="Form id (kind submissions)."),
    ],
    responses={(200, XLSX): OpenApiTypes.BINARY, 404: NOT_FOUND},
)
@api_view(["GET"])
def import_template(request: Request, kind: str) -> HttpResponse:
    form = None
    if kind == ImportKind.SUBMISSIONS:
        form_id = request.query_params.get("form", "")
        form = KopdesFormPage.objects.live().filter(pk=form_id if form_id.isdigit() else 0).first()
        if form is None:
            raise Http404
    elif kind not in ImportKind.values:
        raise Http404
    response = HttpResponse(template_bytes(kind, form), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="templat-{form.slug if form else kind}.xlsx"'
    )
    return response
