from django.urls import path

from . import matching_views

urlpatterns = [
    path(
        "koperasi/<int:pk>/pinjaman/cocokkan/",
        matching_views.repayment_matching,
        name="loan_repayment_matching",
    ),
]
