"""/api/v1/ endpoints for forms and submissions.

The views are thin and drive the very StepForm and services the portal uses (forms.views): the
API turns JSON answers into the form data a StepForm expects, so an answer is judged, and its
message worded, the same way on both paths. Reads go through cooperatives.scoping: a submission
outside the user's scope answers 404, and so does anyone else's draft. Writes are the author's
alone: anyone else, even an officer who may read a sent submission, gets 404 on a write, as on
the portal's step and review pages.
"""

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from wagtail.models import PageLogEntry, Revision

from cooperatives.scoping import get_in_scope_or_404, scope_queryset, visible_cooperatives
from cooperatives.serializers import ErrorSerializer

from .enums import EDITABLE_STATUSES, SubmissionStatus
from .filling import StepForm, explanation_name, step_form_data
from .json_schema import form_json_schema
from .models import KopdesFormPage, Submission
from .serializers import (
    FormSerializer,
    FormVersionSerializer,
    StepErrorSerializer,
    StepSaveSerializer,
    SubmissionFilterSerializer,
    SubmissionSerializer,
    SubmissionStartSerializer,
    SubmissionSummarySerializer,
    SubmitErrorSerializer,
    SubmitSerializer,
)
from .services import (
    StaleSubmissionError,
    SubmissionError,
    book_values,
    schema_for_revision,
    submission_save_step,
    submission_start,
    submission_submit,
    typed_answers,
)
from .views import attachment_response

NOT_FOUND = OpenApiResponse(ErrorSerializer, description=gettext_lazy("Not found or not yours."))
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "Stale version (someone saved since you read it) or the submission can no longer be "
        "changed."
    ),
)
FORM_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Form id.")
SUBMISSION_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Submission id."
)

# --- Reads -------------------------------------------------------------------------------------


def live_forms() -> QuerySet[KopdesFormPage]:
    return KopdesFormPage.objects.live().order_by("title", "pk")


def published_revisions(form_page: KopdesFormPage) -> QuerySet[Revision]:
    """The revisions of `form_page` that were ever published (its versions), newest first."""
    published = PageLogEntry.objects.filter(
        page_id=form_page.pk, action="wagtail.publish", revision__isnull=False
    ).values("revision_id")
    return form_page.revisions.filter(pk__in=published).order_by("-created_at", "-pk")


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related("form_page", "cooperative", "author")


def visible_submissions(*, user: Any) -> QuerySet[Submission]:
    """Submissions in the user's scope, without other people's drafts."""
    return scope_queryset(_submissions(), user).exclude(
        Q(status=SubmissionStatus.DRAFT) & ~Q(author_id=user.pk)
    )


def visible_submission(*, user: Any, pk: int) -> Submission:
    submission = get_in_scope_or_404(_submissions(), user, pk=pk)
    if submission.status == SubmissionStatus.DRAFT and submission.author_id != user.pk:
        raise Http404
    return submission


def own_submission(*, user: Any, pk: int) -> Submission:
    """A submission the user may write: in scope and their own (anyone else gets 404)."""
    submission = get_in_scope_or_404(_submissions(), user, pk=pk)
    if submission.author_id != user.pk:
        raise Http404
    return submission


# Messages by question code (a name the viewset's `list` method cannot shadow).
Messages = dict[str, list[str]]


def step_form_errors(form: StepForm) -> dict[str, Any]:
    """A StepForm's errors as the API shows them: by question code, group rows as
    "group.row.column" (rows from 0), the form's own messages in non_field_errors."""
    errors: dict[str, list[str]] = {}
    non_field = [str(message) for message in form.non_field_errors()]
    reasons = {explanation_name(code): code for code in form.specs}
    for code, messages in form.errors.items():
        if code in reasons:
            errors[f"explanations.{reasons[code]}"] = [str(message) for message in messages]
        elif code != "__all__":
            errors[code] = [str(message) for message in messages]
    for code, formset in form.formsets.items():
        if formset.non_form_errors():
            errors[code] = [str(message) for message in formset.non_form_errors()]
        for number, row in enumerate(formset.forms):
            for name, messages in row.errors.items():
                key = f"{code}.{number}" if name == "__all__" else f"{code}.{number}.{name}"
                errors[key] = [str(message) for message in messages]
    return {"errors": errors, "non_field_errors": non_field}


def _conflict(error: ValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)


# --- Views -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        operation_id="forms_list",
        summary=gettext_lazy("Published forms"),
        responses={200: FormSerializer},
    ),
    retrieve=extend_schema(
        operation_id="forms_retrieve",
        summary=gettext_lazy("One published form"),
        parameters=[FORM_PK],
        responses={200: FormSerializer, 404: NOT_FOUND},
    ),
)
class FormViewSet(viewsets.ReadOnlyModelViewSet):
    """Published forms. They belong to no cooperative: every signed-in user may read them."""

    serializer_class = FormSerializer

    def get_queryset(self) -> QuerySet[KopdesFormPage]:
        return live_forms()

    @extend_schema(
        operation_id="forms_versions_list",
        summary=gettext_lazy("Published versions of a form"),
        parameters=[FORM_PK],
        responses={200: FormVersionSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: int) -> Response:
        form_page = self.get_object()
        rows = [
            {
                "id": revision.pk,
                "created_at": revision.created_at,
                "live": revision.pk == form_page.live_revision_id,
            }
            for revision in published_revisions(form_page)
        ]
        return Response(FormVersionSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="forms_versions_schema",
        summary=gettext_lazy("JSON Schema of one form version"),
        description=gettext_lazy(
            "A JSON Schema (draft 2020-12) of the version's answers. Conditional questions carry "
            "x-kopdes-visible-when, the steps and rules are in x-kopdes-steps and x-kopdes-rules; "
            "file questions are uploaded as multipart."
        ),
        parameters=[
            FORM_PK,
            OpenApiParameter(
                "revision_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="Version (revision) id.",
            ),
        ],
        responses={
            (200, "application/schema+json"): OpenApiTypes.OBJECT,
            (404, "application/json"): NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<revision_id>\d+)/schema")
    def version_schema(self, request: Request, pk: int, revision_id: str) -> Response:
        form_page = self.get_object()
        revision = get_object_or_404(published_revisions(form_page), pk=int(revision_id))
        schema = form_json_schema(
            schema_for_revision(revision.pk),
            title=f"{form_page.title} (v{revision.pk})",
            schema_id=request.build_absolute_uri(),
        )
        return Response(schema)


@extend_schema_view(
    list=extend_schema(
        operation_id="submissions_list",
        summary=gettext_lazy("Submissions in your scope"),
        description=gettext_lazy("Other people's drafts are never listed."),
        parameters=[SubmissionFilterSerializer],
        responses={
            200: SubmissionSummarySerializer,
            400: OpenApiResponse(description="Bad filter"),
        },
    ),
    retrieve=extend_schema(
        operation_id="submissions_retrieve",
        summary=gettext_lazy("One submission"),
        parameters=[SUBMISSION_PK],
        responses={200: SubmissionSerializer, 404: NOT_FOUND},
    ),
)
class SubmissionViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self) -> Any:
        return SubmissionSummarySerializer if self.action == "list" else SubmissionSerializer

    def get_queryset(self) -> QuerySet[Submission]:
        if getattr(self, "swagger_fake_view", False):
            return Submission.objects.none()
        params = SubmissionFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        queryset = visible_submissions(user=self.request.user).order_by("-updated_at", "-id")
        if filters.get("form"):
            queryset = queryset.filter(form_page_id=filters["form"])
        if filters.get("status"):
            queryset = queryset.filter(status=filters["status"])
        if filters.get("cooperative"):
            queryset = queryset.filter(cooperative_id=filters["cooperative"])
        if filters.get("period"):
            queryset = queryset.filter(period__startswith=filters["period"])
        return queryset

    def _detail(self, submission: Submission, code: int = status.HTTP_200_OK) -> Response:
        serializer = SubmissionSerializer(submission, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        serializer = SubmissionSummarySerializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._detail(visible_submission(user=request.user, pk=pk))

    @extend_schema(
        operation_id="submissions_file",
        summary=gettext_lazy("Download an uploaded file"),
        description=gettext_lazy(
            "The file as it was uploaded, as an attachment, for anyone who may read the "
            "submission (token or session)."
        ),
        parameters=[
            SUBMISSION_PK,
            OpenApiParameter(
                "file_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="File id."
            ),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    def file(self, request: Request, pk: int, file_id: int) -> FileResponse:
        submission = visible_submission(user=request.user, pk=pk)
        return attachment_response(get_object_or_404(submission.files.all(), pk=file_id))

    @extend_schema(
        operation_id="submissions_start",
        summary=gettext_lazy("Start a draft"),
        description=gettext_lazy(
            "Starts a draft on the form's published version. Sending an idempotency_key you "
            "already used returns that draft (200) instead of a new one (201)."
        ),
        request=SubmissionStartSerializer,
        responses={
            201: SubmissionSerializer,
            200: SubmissionSerializer,
            400: OpenApiResponse(description=gettext_lazy("A value is missing or not valid.")),
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("You may not fill this form for this cooperative."),
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("The key was used for another form or cooperative."),
            ),
        },
    )
    def create(self, request: Request) -> Response:
        user = request.user
        start = SubmissionStartSerializer(
            data=request.data, forms=live_forms(), cooperatives=visible_cooperatives(user)
        )
        start.is_valid(raise_exception=True)
        form_page = start.validated_data["form"]
        cooperative = start.validated_data["cooperative"]
        key = start.validated_data["idempotency_key"]
        earlier = Submission.objects.filter(author_id=user.pk, idempotency_key=key).first()
        if earlier is not None:
            if (earlier.form_page_id, earlier.cooperative_id) != (form_page.pk, cooperative.pk):
                return Response(
                    {"detail": _("This key already started a draft of another form.")},
                    status=status.HTTP_409_CONFLICT,
                )
            return self._detail(visible_submission(user=user, pk=earlier.pk))
        try:
            submission = submission_start(
                form_page=form_page,
                cooperative=cooperative,
                author=user,
                idempotency_key=key,
                prefill=True,
            )
        except PermissionDenied as error:
            return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
        except SubmissionError as error:
            return Response({"errors": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return self._detail(submission, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="submissions_steps_save",
        summary=gettext_lazy("Save one step's answers"),
        description=gettext_lazy(
            "Checked exactly as on the portal: the messages are the portal's. Send JSON "
            '{"version": n, "answers": {...}}, or multipart/form-data with a "version" part, an '
            '"answers" part holding the JSON and one file part per file question. A hidden '
            "conditional question is not stored."
        ),
        parameters=[
            SUBMISSION_PK,
            OpenApiParameter(
                "step", OpenApiTypes.INT, OpenApiParameter.PATH, description="Step, from 0."
            ),
        ],
        request={
            "application/json": StepSaveSerializer,
            "multipart/form-data": StepSaveSerializer,
        },
        responses={
            200: SubmissionSerializer,
            400: OpenApiResponse(StepErrorSerializer, description="The answers are not valid."),
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["put"], url_path=r"steps/(?P<step>\d+)")
    def save_step(self, request: Request, pk: int, step: str) -> Response:
        submission = own_submission(user=request.user, pk=pk)
        if submission.status not in EDITABLE_STATUSES:
            return _conflict(
                SubmissionError(
                    _("This submission is %(status)s and can no longer be changed.")
                    % {"status": submission.get_status_display().lower()}
                )
            )
        schema = schema_for_revision(submission.revision_id)
        index = int(step)
        if index >= len(schema.steps):
            raise Http404
        body, bad_body = self._step_body(request)
        if bad_body:
            return Response(
                {"errors": bad_body, "non_field_errors": []}, status=status.HTTP_400_BAD_REQUEST
            )
        data, conversion_errors = step_form_data(schema, index, body["answers"])
        books = book_values(submission)
        stored = submission.explanations or {}
        given = body.get("explanations") or {}
        figures_here = {s.code for s in schema.steps[index].fields if s.code in books}
        for code in given:
            if code not in figures_here:
                conversion_errors[f"explanations.{code}"] = [
                    _("This step has no figure from the books with this code.")
                ]
        for code in figures_here:
            data[explanation_name(code)] = given.get(code, stored.get(code, ""))
        if conversion_errors:
            return Response(
                {"errors": conversion_errors, "non_field_errors": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        form = StepForm(
            data,
            request.FILES,
            schema=schema,
            step=schema.steps[index],
            cooperative=submission.cooperative,
            answers=typed_answers(submission),
            existing_files=frozenset(submission.files.values_list("field_code", flat=True)),
            purpose=submission.form_page.purpose,
            book_values=books,
            explanations=stored,
        )
        if not form.is_valid():
            return Response(step_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        try:
            submission = submission_save_step(
                submission=submission,
                by=request.user,
                step=index,
                answers=form.step_answers(),
                files=form.uploaded_files(),
                expected_version=body["version"],
                explanations=form.step_explanations(),
                prefill=True,
            )
        except SubmissionError as error:  # stale, or sent meanwhile
            return _conflict(error)
        except ValidationError as error:  # a file too large, found while storing it
            return Response(
                {"errors": error.message_dict, "non_field_errors": []},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._detail(visible_submission(user=request.user, pk=submission.pk))

    def _step_body(self, request: Request) -> tuple[dict[str, Any], Messages]:
        """version and answers from a JSON or a multipart body, or errors saying what is off."""
        raw: dict[str, Any] = {
            "version": request.data.get("version"),
            "answers": request.data.get("answers", {}),
            "explanations": request.data.get("explanations", {}),
        }
        for part in ("answers", "explanations"):
            if isinstance(raw[part], str):  # multipart: a JSON text part
                try:
                    raw[part] = json.loads(raw[part] or "{}")
                except ValueError:
                    message = (
                        _("The answers are not valid JSON.")
                        if part == "answers"
                        else _("The explanations are not valid JSON.")
                    )
                    return raw, {part: [message]}
        body = StepSaveSerializer(data=raw)
        if not body.is_valid():
            return raw, {k: [str(m) for m in v] for k, v in body.errors.items()}
        return dict(body.validated_data), {}

    @extend_schema(
        operation_id="submissions_submit",
        summary=gettext_lazy("Send a complete draft"),
        description=gettext_lazy(
            "Checks every answer and rule on the submission's own form version and the form's "
            "period rule, then gives it a reference number."
        ),
        parameters=[SUBMISSION_PK],
        request=SubmitSerializer,
        responses={
            200: SubmissionSerializer,
            400: OpenApiResponse(SubmitErrorSerializer, description="What stops sending it."),
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int) -> Response:
        submission = own_submission(user=request.user, pk=pk)
        body = SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            sent = submission_submit(
                submission=submission,
                by=request.user,
                expected_version=body.validated_data["version"],
            )
        except StaleSubmissionError as error:
            return _conflict(error)
        except SubmissionError as error:
            if getattr(error, "code", None) == "not_editable":
                return _conflict(error)
            return Response({"errors": error.messages}, status=status.HTTP_400_BAD_REQUEST)
        return self._detail(visible_submission(user=request.user, pk=sent.pk))
