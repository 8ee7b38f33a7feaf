"""Routes of the cooperatives app under /api/v1/. URL names start with "api-" so that they never
collide with the portal's."""

from django.urls import path

from . import api

cooperatives = api.CooperativeViewSet.as_view({"get": "list"})
cooperative = api.CooperativeViewSet.as_view({"get": "retrieve"})
members = api.MemberViewSet.as_view({"get": "list"})
member = api.MemberViewSet.as_view({"get": "retrieve"})
regions = api.RegionViewSet.as_view({"get": "list"})
region = api.RegionViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("auth/token/", api.AuthTokenView.as_view(), name="api-auth-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("cooperatives/", cooperatives, name="api-cooperative-list"),
    path("cooperatives/<int:pk>/", cooperative, name="api-cooperative-detail"),
    path("cooperatives/<int:cooperative_pk>/members/", members, name="api-member-list"),
    path("cooperatives/<int:cooperative_pk>/members/<int:pk>/", member, name="api-member-detail"),
    path("regions/", regions, name="api-region-list"),
    path("regions/<str:code>/", region, name="api-region-detail"),
]
