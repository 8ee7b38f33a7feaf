"""/api/v1/ endpoints for regions, cooperatives, members, the signed-in user and API tokens.

The views are thin. Every read of cooperative-owned data goes through cooperatives.scoping
(`scope_queryset`, `visible_cooperatives`, `get_in_scope_or_404`): an object outside the user's
scope answers 404, never 403. The read functions below are the API's selectors; they sit here
until cooperatives/selectors.py takes them.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from wagtail.users.models import UserProfile

from .models import Cooperative, Member, Region, RoleGrant
from .scoping import get_in_scope_or_404
from .selectors import (
    cooperative_directory,
    cooperative_get,
    member_get,
    member_list,
    user_is_officer,
)
from .serializers import (
    CooperativeFilterSerializer,
    CooperativeSerializer,
    ErrorSerializer,
    MemberFilterSerializer,
    MemberSerializer,
    MeSerializer,
    RegionFilterSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)

# --- Reads (the shared selectors serve the portal and the API alike) -------------------


def me_summary(*, user: Any) -> dict[str, Any]:
    """What MeSerializer shows: who the user is, their language and their role grants."""
    language = (
        UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    )
    return {
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "language": language or settings.LANGUAGE_CODE,
        "is_officer": user_is_officer(user=user),
        "role_grants": RoleGrant.objects.filter(user=user)
        .select_related("region", "cooperative")
        .order_by("role", "id"),
    }


# --- API tokens ----------------------------------------------------------------------------


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The username or password is wrong.")
    default_code = "invalid_credentials"


class AccountLockedOut(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _(
        "Too many failed sign-in attempts: this account is locked on this device for a while. "
        "Try again later or ask your administrator to unlock it."
    )
    default_code = "locked_out"


def api_token_obtain(*, request: Request, username: str, password: str) -> Token:
    """Check a username and password and return the user's API token (the same one until it is
    revoked).

    Goes through `django.contrib.auth.authenticate` with the request, so django-axes counts the
    failure per username and address and refuses a locked account even with the right password.
    Raises AccountLockedOut when axes locks (or has locked) the account, InvalidCredentials when
    the password or username is wrong or the account is inactive.
    """
    # Axes marks the object it is handed. Handing it the DRF request keeps the mark off the Django
    # request, so AxesMiddleware leaves this JSON answer alone instead of rendering its HTML page.
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise AccountLockedOut
    if user is None:
        raise InvalidCredentials
    # A token sign-in is a sign-in: last_login is updated, and axes logs it and clears the
    # failures counted against this username and address.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user: Any) -> None:
    """Delete the user's API token; idempotent."""
    Token.objects.filter(user=user).delete()


# --- Views ---------------------------------------------------------------------------------


def _filters(serializer_class: type[BaseSerializer], request: Request) -> dict[str, Any]:
    """Validated query parameters; a bad value answers 400 naming the parameter."""
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("Not found or outside your scope."))
BAD_FILTER = OpenApiResponse(description=_("A filter value is not valid."))


@extend_schema_view(
    list=extend_schema(
        operation_id="cooperatives_list",
        summary=_("Cooperatives in your scope"),
        parameters=[CooperativeFilterSerializer],
        responses={200: CooperativeSerializer, 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        operation_id="cooperatives_retrieve",
        summary=_("One cooperative"),
        responses={200: CooperativeSerializer, 404: NOT_FOUND},
    ),
)
class CooperativeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CooperativeSerializer

    def get_queryset(self) -> QuerySet[Cooperative]:
        if getattr(self, "swagger_fake_view", False):
            return Cooperative.objects.none()
        filters = _filters(CooperativeFilterSerializer, self.request)
        return cooperative_directory(
            user=self.request.user,
            search=filters.get("search", ""),
            status=filters.get("status", ""),
            regency_code=filters.get("regency", ""),
            district_code=filters.get("district", ""),
        )

    def get_object(self) -> Cooperative:
        return cooperative_get(user=self.request.user, pk=self.kwargs["pk"])


COOPERATIVE_PK = OpenApiParameter(
    "cooperative_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Cooperative id.")
)


@extend_schema_view(
    list=extend_schema(
        operation_id="cooperatives_members_list",
        summary=_("Members of one cooperative"),
        parameters=[COOPERATIVE_PK, MemberFilterSerializer],
        responses={200: MemberSerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        operation_id="cooperatives_members_retrieve",
        summary=_("One member"),
        parameters=[
            COOPERATIVE_PK,
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Member id.")
            ),
        ],
        responses={200: MemberSerializer, 404: NOT_FOUND},
    ),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Members of one cooperative in your scope; any other cooperative answers 404."""

    serializer_class = MemberSerializer

    def _show_nik_elsewhere(self) -> bool:
        # The schema documents the officer's view of a member (the field is optional there).
        return getattr(self, "swagger_fake_view", False) or user_is_officer(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "show_nik_elsewhere": self._show_nik_elsewhere(),
        }

    def _cooperative(self) -> Cooperative:
        return get_in_scope_or_404(
            Cooperative.objects.all(), self.request.user, via="", pk=self.kwargs["cooperative_pk"]
        )

    def get_queryset(self) -> QuerySet[Member]:
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        return member_list(
            user=self.request.user,
            cooperative=self._cooperative(),
            flag_duplicates=self._show_nik_elsewhere(),
            **_filters(MemberFilterSerializer, self.request),
        )

    def get_object(self) -> Member:
        return member_get(
            user=self.request.user,
            cooperative=self._cooperative(),
            pk=self.kwargs["pk"],
            flag_duplicates=self._show_nik_elsewhere(),
        )


@extend_schema_view(
    list=extend_schema(
        operation_id="regions_list",
        summary=_("Regions (official Kemendagri codes)"),
        parameters=[RegionFilterSerializer],
        responses={200: RegionSerializer, 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        operation_id="regions_retrieve",
        summary=_("One region"),
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=_("Official region code, e.g. 64.02.16.2002."),
            )
        ],
        responses={200: RegionSerializer, 404: NOT_FOUND},
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Provinces, regencies, districts and villages by their official codes."""

    # Public reference data, owned by no cooperative: not scoped, but still for signed-in users.

    serializer_class = RegionSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Region]:
        queryset = Region.objects.all()
        if self.action != "list":
            return queryset
        filters = _filters(RegionFilterSerializer, self.request)
        if filters.get("level"):
            queryset = queryset.filter(level=filters["level"])
        if filters.get("parent"):
            queryset = queryset.filter(parent_id=filters["parent"])
        return queryset


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve", summary=_("The signed-in user"), responses=MeSerializer
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(me_summary(user=request.user)).data)


class _TokenPermission(BasePermission):
    """Anyone may ask for a token; only a signed-in caller may revoke theirs."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method == "DELETE":
            return IsAuthenticated().has_permission(request, view)
        return AllowAny().has_permission(request, view)


class AuthTokenView(APIView):
    # POST a username and password for an API token; DELETE revokes the caller's token.

    permission_classes = [_TokenPermission]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_obtain",
        summary=_("Get an API token"),
        description=_(
            "Send a username and password; the answer holds the token to send as "
            '"Authorization: Token <token>". After too many wrong passwords for one username '
            "from one address the account is locked there for a while."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description=_("Wrong username or password.")),
            403: OpenApiResponse(
                ErrorSerializer, description=_("Locked after too many failed attempts.")
            ),
            429: OpenApiResponse(ErrorSerializer, description=_("Too many requests.")),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        token = api_token_obtain(request=request, **credentials.validated_data)
        return Response(TokenSerializer({"token": token.key}).data)

    @extend_schema(
        operation_id="auth_token_revoke",
        summary=_("Revoke your API token"),
        description=_("Deletes the caller's token; the next request with it is refused."),
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
