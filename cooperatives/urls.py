from django.urls import path

from . import views

urlpatterns = [
    path("koperasi/", views.cooperative_list, name="cooperative_list"),
    path("koperasi/<int:pk>/", views.cooperative_detail, name="cooperative_detail"),
    path("koperasi/<int:pk>/anggota/", views.member_list, name="member_list"),
    path(
        "koperasi/<int:pk>/anggota/<int:member_pk>/",
        views.member_detail,
        name="member_detail",
    ),
]
