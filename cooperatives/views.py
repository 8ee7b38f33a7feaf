"""Portal pages of the cooperative directory and members. Thin: selectors do the reading and
the scoping; an object outside the user's scope answers 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loans.selectors import member_loans

from . import selectors
from .forms import CooperativeFilterForm, MemberFilterForm

PAGE_SIZE = 25


@login_required
def cooperative_list(request: HttpRequest) -> HttpResponse:
    form = CooperativeFilterForm(request.GET, user=request.user)
    filters = form.filters()
    cooperatives = selectors.cooperative_directory(user=request.user, **filters)
    page = Paginator(cooperatives, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cooperatives/cooperative_list.html",
        {"form": form, "page_obj": page, "filtered": any(filters.values())},
    )


@login_required
def cooperative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = selectors.cooperative_get(user=request.user, pk=pk)
    return render(
        request,
        "cooperatives/cooperative_detail.html",
        {
            "cooperative": cooperative,
            "history": selectors.cooperative_status_history(cooperative=cooperative),
            "counts": selectors.cooperative_member_counts(
                user=request.user, cooperative=cooperative
            ),
        },
    )


@login_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    cooperative = selectors.cooperative_get(user=request.user, pk=pk)
    is_officer = selectors.user_is_officer(user=request.user)
    form = MemberFilterForm(request.GET)
    filters = form.filters()
    members = selectors.member_list(
        user=request.user, cooperative=cooperative, flag_duplicates=is_officer, **filters
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cooperatives/member_list.html",
        {
            "cooperative": cooperative,
            "form": form,
            "page_obj": page,
            "is_officer": is_officer,
            "filtered": any(filters.values()),
        },
    )


@login_required
def member_detail(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    cooperative = selectors.cooperative_get(user=request.user, pk=pk)
    is_officer = selectors.user_is_officer(user=request.user)
    member = selectors.member_get(
        user=request.user, cooperative=cooperative, pk=member_pk, flag_duplicates=is_officer
    )
    return render(
        request,
        "cooperatives/member_detail.html",
        {
            "cooperative": cooperative,
            "member": member,
            "is_officer": is_officer,
            "loans": member_loans(user=request.user, member=member),
        },
    )
