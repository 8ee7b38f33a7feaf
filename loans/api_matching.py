"""/api/v1/ endpoint matching repayments from the imported books: the rows loans.matching
proposes (and those it cannot match, with the reason), and the confirmation that records the
treasurer's picks, all or nothing.

Thin, like the portal's page (loans/matching_views.py) and with its checks: a cooperative
outside the caller's scope answers 404 (cooperatives.selectors.cooperative_get), whoever sees it
but does not handle its loans 403 before the body is read. loans.matching proposes and records;
its refusals become 400 with the reasons by row key.
"""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cooperatives.models import Cooperative
from cooperatives.selectors import cooperative_get
from cooperatives.serializers import ErrorSerializer
from imports.enums import ImportKind, RunStatus
from imports.models import ImportRun

from .matching import Pick, repayment_candidates, repayments_match_confirm
from .selectors import may_handle_loans
from .serializers_matching import (
    LoanMatchConfirmSerializer,
    LoanMatchErrorsSerializer,
    LoanMatchListSerializer,
    LoanMatchRecordedSerializer,
)

RUN_PARAMETER = "import"

COOPERATIVE_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Cooperative id."
)
RUN = OpenApiParameter(
    RUN_PARAMETER,
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description=gettext_lazy(
        "Only the rows of this import (one of the cooperative's applied cash-book or "
        "loan-ledger imports)."
    ),
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("The cooperative (or the import) is not found or outside your scope."),
)
MAY_NOT_HANDLE = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "You may see the cooperative but not record its loans' payments (its operator, "
        "pengawas or loan officer may)."
    ),
)


def import_run_of(request: Request, cooperative: Cooperative) -> ImportRun | None:
    """The import the list is limited to (?import=<id>): 400 for a value that is not an id,
    404 unless it is one of the cooperative's applied cash-book or loan-ledger imports."""
    value = request.query_params.get(RUN_PARAMETER, "")
    if not value:
        return None
    if not value.isdigit():
        raise exceptions.ValidationError({RUN_PARAMETER: [_("A valid integer is required.")]})
    run = (
        ImportRun.objects.filter(
            cooperative=cooperative,
            kind__in=[ImportKind.CASHBOOK, ImportKind.LOANS],
            status=RunStatus.APPLIED,
            pk=int(value),
        )
        .only("pk", "file_name", "kind")
        .first()
    )
    if run is None:
        raise Http404
    return run


class LoanMatchView(APIView):
    """The proposals of one cooperative's imported books, and their confirmation."""

    def _cooperative(self, pk: Any) -> Cooperative:
        """The cooperative, if the caller sees it (else 404) and handles its loans (else 403)."""
        cooperative = cooperative_get(user=self.request.user, pk=pk)
        if not may_handle_loans(user=self.request.user, cooperative=cooperative):
            raise exceptions.PermissionDenied(
                _(
                    "Only the operator, the pengawas or a loan officer of %(cooperative)s may "
                    "record payouts and payments."
                )
                % {"cooperative": cooperative.name}
            )
        return cooperative

    @extend_schema(
        operation_id="loan_matches_list",
        summary=gettext_lazy("Repayments proposed from the imported books"),
        description=gettext_lazy(
            "The rows of the imported cash book (Buku Kas Umum) and loan ledger (Daftar "
            "Pinjaman) that read like loan payments and are not recorded yet: the proposals, "
            "each with the loan it matches or the loans to choose from, and the rows that "
            "cannot be matched, each with the reason. Nothing is written."
        ),
        parameters=[COOPERATIVE_PK, RUN],
        tags=["loans"],
        responses={
            200: LoanMatchListSerializer,
            400: OpenApiResponse(description=gettext_lazy("The import is not an id.")),
            403: MAY_NOT_HANDLE,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, pk: Any) -> Response:
        cooperative = self._cooperative(pk)
        run = import_run_of(request, cooperative)
        candidates = repayment_candidates(cooperative=cooperative, import_run=run)
        return Response(LoanMatchListSerializer(LoanMatchListSerializer.shape(candidates)).data)

    @extend_schema(
        operation_id="loan_matches_confirm",
        summary=gettext_lazy("Record the chosen rows as repayments"),
        description=gettext_lazy(
            "Each pick names a proposed row, the loan it is paid on (one of the row's choices) "
            "and the amount (at most the row's). All are recorded, split over the instalments "
            "as any payment is, with the row and its import kept on the repayment; or, when one "
            "pick fails (a row already recorded, another loan, too much…), none is and the "
            "reasons are given by row key."
        ),
        parameters=[COOPERATIVE_PK],
        tags=["loans"],
        request=LoanMatchConfirmSerializer,
        responses={
            201: LoanMatchRecordedSerializer,
            400: OpenApiResponse(
                LoanMatchErrorsSerializer,
                description=gettext_lazy(
                    "Nothing was recorded: a pick failed (the reasons by row key in errors) or "
                    "the body is not valid (the messages by field)."
                ),
            ),
            403: MAY_NOT_HANDLE,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, pk: Any) -> Response:
        cooperative = self._cooperative(pk)
        body = LoanMatchConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        picks = [Pick(**pick) for pick in body.validated_data["picks"]]
        result = repayments_match_confirm(cooperative=cooperative, by=request.user, picks=picks)
        if not result.ok:
            return Response({"errors": result.errors}, status=status.HTTP_400_BAD_REQUEST)
        answer = LoanMatchRecordedSerializer({"recorded": result.recorded})
        return Response(answer.data, status=status.HTTP_201_CREATED)
