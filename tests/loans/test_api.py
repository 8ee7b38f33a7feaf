"""Loans through /api/v1/: the portfolio and its NPL ratio, one loan, the payout's maker-checker,
repayments and their reversal, write-off and the workbooks — on the same services and selectors
as the portal, so scope (404), who may act (403), bad input (400) and wrong status (409) hold on
this path too, and a refused request writes nothing."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from loans import api_urls
from loans.enums import Collectibility, LoanKind, LoanStatus
from loans.models import Loan, LoanProduct, Repayment
from loans.services import (
    loan_payout_confirm,
    loan_payout_record,
    loan_write_off,
    repayment_record,
)
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _offered(micro):
    """Every loan here is of the micro product (tests/loans/conftest.py) unless it says so."""
    return micro


@pytest.fixture(autouse=True)
def _language_restored():
    """The portal's LanguageMiddleware activates the user's language for the thread and leaves
    it so; put the default back, or the tests after one in English would run in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def in_indonesian(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


def make_loan(
    world,
    cooperative,
    principal: int,
    *,
    active: bool = True,
    product: str = "mikro",
    kind: str = LoanKind.MEMBER,
    lender: str = "",
    paid_out: datetime.date | None = None,
) -> Loan:
    """A loan as an approved application leaves it (the application's path is tested in
    tests/loans/test_lifecycle.py), paid out and confirmed unless `active` is False."""
    loan = Loan.objects.create(
        cooperative=cooperative,
        kind=kind,
        member=MemberFactory(cooperative=cooperative) if kind == LoanKind.MEMBER else None,
        lender=lender,
        product_code=product,
        principal=principal,
        tenor_months=12,
        approved_at=timezone.now() - datetime.timedelta(days=400 if paid_out else 0),
    )
    if not active:
        return loan
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=paid_out or TODAY())
    return loan_payout_confirm(loan=loan, by=world.bob)


def classify(loan: Loan, klass: Collectibility, days: int) -> None:
    """What the nightly arrears job (loans.arrears, tested there) leaves on a late loan."""
    Loan.objects.filter(pk=loan.pk).update(
        collectibility=klass,
        days_past_due=days,
        overdue_amount=days * 1_000,
        arrears_as_of=TODAY(),
    )


def listed(user, **params) -> list[int]:
    response = client_for(user).get(reverse("api-loan-list"), params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def repay(user, loan, amount=300_000, paid_on=None, note=""):
    return client_for(user).post(
        reverse("api-loan-repayments", args=[loan.pk]),
        {"amount": amount, "paid_on": str(paid_on or TODAY()), "note": note},
        format="json",
    )


def post(user, name, loan, body=None, *args):
    return client_for(user).post(reverse(name, args=[loan.pk, *args]), body or {}, format="json")


# --- The portfolio -------------------------------------------------------------------------------


def test_the_list_shows_the_loans_in_scope_with_what_is_still_owed(world, active_loan):
    elsewhere = make_loan(world, world.coop_c, 2_000_000)
    repayment_record(loan=active_loan, by=world.henry, amount=1_000_000, paid_on=TODAY())

    response = client_for(world.alice).get(reverse("api-loan-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and {"next", "previous"} <= set(body)
    (row,) = body["results"]
    assert row["id"] == active_loan.pk
    assert (row["cooperative"], row["cooperative_name"]) == (world.coop_a.pk, world.coop_a.name)
    assert (row["kind"], row["member"]) == ("member", active_loan.member_id)
    assert row["borrower_name"] == str(active_loan.member)
    assert (row["product_code"], row["product_name"]) == ("mikro", "Pinjaman Mikro")
    assert (row["principal"], row["tenor_months"], row["status"]) == (6_000_000, 12, "active")
    # 12 × (500.000 principal + 90.000 interest); 1.000.000 paid: 180.000 interest, 820.000.
    assert (row["outstanding"], row["owed"]) == (6_000_000 - 820_000, 12 * 590_000 - 1_000_000)
    assert (row["days_past_due"], row["collectibility"]) == (0, "lancar")
    assert row["disbursed_on"] == str(TODAY())
    assert listed(world.carol) == [elsewhere.pk]
    assert listed(world.ivan) == []
    assert set(listed(world.frank)) == {active_loan.pk, elsewhere.pk}
    assert client_for().get(reverse("api-loan-list")).status_code == 401


def test_the_list_filters_as_the_portal_does(world, active_loan, micro):
    LoanProduct.objects.create(
        code="kur",
        name="KUR",
        min_amount=1_000_000,
        max_amount=50_000_000,
        min_tenor_months=6,
        max_tenor_months=36,
        rate_percent=Decimal(1),
    )
    late = make_loan(world, world.coop_a, 3_000_000, product="kur")
    classify(late, Collectibility.MACET, 200)
    waiting = make_loan(world, world.coop_b, 1_000_000, active=False)
    financing = make_loan(
        world, world.coop_a, 5_000_000, active=False, kind=LoanKind.COOPERATIVE, lender="Bank BRI"
    )
    paid_off = make_loan(world, world.coop_a, 1_000_000)
    repayment_record(loan=paid_off, by=world.henry, amount=1_180_000, paid_on=TODAY())
    everything = {active_loan.pk, late.pk, waiting.pk}

    assert listed(world.erin)[0] == late.pk  # most days past due first
    assert set(listed(world.erin)) == everything
    assert listed(world.erin, collectibility="macet") == [late.pk]
    assert listed(world.erin, overdue="true") == [late.pk]
    assert listed(world.erin, product="kur") == [late.pk]
    assert set(listed(world.erin, cooperative=world.coop_a.pk)) == {active_loan.pk, late.pk}
    assert listed(world.erin, status="approved") == [waiting.pk]
    assert listed(world.erin, status="paid_off") == [paid_off.pk]
    assert set(listed(world.erin, status="all")) == {*everything, paid_off.pk}
    assert listed(world.erin, kind="cooperative") == [financing.pk]
    assert set(listed(world.erin, kind="all")) == {*everything, financing.pk}
    assert set(listed(world.frank, regency="64.02")) == everything
    assert listed(world.frank, regency="64.03") == []
    assert set(listed(world.frank, district="64.02.16")) == everything
    # A filter never widens the scope: coop_c is not carol's to see through a parameter.
    assert listed(world.carol, cooperative=world.coop_a.pk) == []
    for bad in ({"status": "lunas"}, {"regency": "Kutai"}, {"cooperative": "x"}, {"kind": "?"}):
        response = client_for(world.erin).get(reverse("api-loan-list"), bad)
        assert response.status_code == 400 and list(response.json()) == list(bad), bad


def test_the_cooperatives_own_financing_has_no_member_and_names_its_bank(world):
    financing = make_loan(
        world, world.coop_a, 5_000_000, active=False, kind=LoanKind.COOPERATIVE, lender="Bank BRI"
    )

    response = client_for(world.henry).get(reverse("api-loan-detail", args=[financing.pk]))

    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["member"], body["lender"]) == ("cooperative", None, "Bank BRI")
    assert body["borrower_name"] == world.coop_a.name
    assert (body["instalments"], body["outstanding"], body["owed"]) == ([], 0, 0)


def test_the_list_costs_the_same_queries_for_three_loans_or_eight(world):
    def queries() -> int:
        # A fresh user object: the scope is cached on it for one request.
        client = client_for(type(world.frank).objects.get(pk=world.frank.pk))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("api-loan-list")).status_code == 200
        return len(captured)

    for _ in range(3):
        make_loan(world, world.coop_a, 1_000_000)
    few = queries()
    for _ in range(5):
        make_loan(world, world.coop_c, 1_000_000)
    assert queries() == few


def test_the_portfolio_summary_gives_the_npl_ratio_worked_out_by_hand(world, active_loan):
    repayment_record(loan=active_loan, by=world.henry, amount=1_000_000, paid_on=TODAY())
    substandard = make_loan(world, world.coop_a, 2_000_000)
    loss = make_loan(world, world.coop_a, 3_000_000)
    elsewhere = make_loan(world, world.coop_c, 10_000_000)
    classify(substandard, Collectibility.KURANG_LANCAR, 100)
    classify(loss, Collectibility.MACET, 200)
    classify(elsewhere, Collectibility.MACET, 400)
    make_loan(world, world.coop_a, 4_000_000, active=False)  # waiting: owes nothing yet

    alice = client_for(world.alice).get(reverse("api-loan-portfolio"))
    frank = client_for(world.frank).get(reverse("api-loan-portfolio"))

    assert alice.status_code == frank.status_code == 200
    mine = alice.json()
    # Outstanding principal: 6.000.000 − 820.000 + 2.000.000 + 3.000.000 = 10.180.000, of which
    # 5.000.000 non-performing: 5.000.000 ÷ 10.180.000 = 0,49116 → 0.4912.
    assert (mine["active_loans"], mine["outstanding"], mine["non_performing"]) == (
        3,
        10_180_000,
        5_000_000,
    )
    assert mine["npl_ratio"] == "0.4912"
    classes = {row["collectibility"]: row for row in mine["by_class"]}
    assert list(classes) == list(Collectibility.values)
    assert (classes["lancar"]["loans"], classes["lancar"]["outstanding"]) == (1, 5_180_000)
    assert (classes["kurang_lancar"]["loans"], classes["kurang_lancar"]["outstanding"]) == (
        1,
        2_000_000,
    )
    assert (classes["macet"]["loans"], classes["macet"]["outstanding"]) == (1, 3_000_000)
    assert classes["macet"]["non_performing"] and not classes["dpk"]["non_performing"]
    assert (classes["dpk"]["loans"], classes["dpk"]["outstanding"]) == (0, 0)
    assert mine["arrears_as_of"] == str(TODAY())
    assert mine["arrears_not_computed"] == 1  # the loan that was never late
    # The province: + 10.000.000 Macet → 15.000.000 ÷ 20.180.000 = 0,74331 → 0.7433.
    everything = frank.json()
    assert (everything["outstanding"], everything["non_performing"]) == (20_180_000, 15_000_000)
    assert everything["npl_ratio"] == "0.7433"
    # The same filters as the list.
    coop_c = client_for(world.frank).get(
        reverse("api-loan-portfolio"), {"cooperative": world.coop_c.pk}
    )
    assert (coop_c.json()["outstanding"], coop_c.json()["npl_ratio"]) == (10_000_000, "1.0000")


def test_a_portfolio_with_nothing_outstanding_has_no_npl_ratio(world):
    body = client_for(world.carol).get(reverse("api-loan-portfolio")).json()

    assert (body["active_loans"], body["outstanding"], body["npl_ratio"]) == (0, 0, None)
    assert body["arrears_as_of"] is None
    bad = client_for(world.carol).get(reverse("api-loan-portfolio"), {"collectibility": "x"})
    assert bad.status_code == 400 and "collectibility" in bad.json()


# --- One loan ------------------------------------------------------------------------------------


def test_the_detail_shows_terms_schedule_with_paid_and_owed_parts_and_history(world, active_loan):
    repayment_record(loan=active_loan, by=world.henry, amount=300_000, paid_on=TODAY())

    response = client_for(world.alice).get(reverse("api-loan-detail", args=[active_loan.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["monthly_rate"] == "0.015000"
    assert (body["interest_method"], body["grace_months"]) == ("flat", 0)
    assert body["application"] == active_loan.application_id
    assert body["application_reference"] == active_loan.application.reference
    assert body["payout_recorded_by"]["username"] == "henry"
    assert body["payout_confirmed_by"]["username"] == "kasir"
    assert (body["may_handle"], body["may_decide"]) == (True, False)  # alice is the operator
    assert (body["outstanding"], body["owed"]) == (6_000_000 - 210_000, 12 * 590_000 - 300_000)
    instalments = body["instalments"]
    assert [line["number"] for line in instalments] == list(range(1, 13))
    first, second = instalments[0], instalments[1]
    assert (first["principal"], first["interest"], first["total"]) == (500_000, 90_000, 590_000)
    assert first["paid"] == {
        "penalty": 0,
        "fee": 0,
        "interest": 90_000,
        "principal": 210_000,
        "total": 300_000,
    }
    assert first["owed"] == {
        "penalty": 0,
        "fee": 0,
        "interest": 0,
        "principal": 290_000,
        "total": 290_000,
    }
    assert second["paid"]["total"] == 0 and second["owed"]["total"] == 590_000
    assert instalments[-1]["balance"] == 0
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("", "approved"),
        ("approved", "payout_recorded"),
        ("payout_recorded", "active"),
    ]
    assert body["events"][-1]["actor"]["username"] == "kasir"
    decider = client_for(world.bob).get(reverse("api-loan-detail", args=[active_loan.pk])).json()
    assert (decider["may_handle"], decider["may_decide"]) == (True, True)
    officer = client_for(world.dave).get(reverse("api-loan-detail", args=[active_loan.pk])).json()
    assert (officer["may_handle"], officer["may_decide"]) == (False, False)


def test_a_loan_outside_the_scope_is_404_for_reading_and_acting(world, active_loan):
    payment = repayment_record(loan=active_loan, by=world.henry, amount=300_000, paid_on=TODAY())
    carol = client_for(world.carol)
    pk = active_loan.pk

    for name in ("api-loan-detail", "api-loan-repayments", "api-loan-schedule-xlsx"):
        assert carol.get(reverse(name, args=[pk])).status_code == 404, name
    assert carol.get(reverse("api-loan-ledger-xlsx", args=[pk])).status_code == 404
    for name in (
        "api-loan-repayments",
        "api-loan-payout",
        "api-loan-payout-confirm",
        "api-loan-payout-reject",
        "api-loan-write-off",
    ):
        assert carol.post(reverse(name, args=[pk]), {}, format="json").status_code == 404, name
    reverse_url = reverse("api-loan-repayment-reverse", args=[pk, payment.pk])
    assert carol.post(reverse_url, {"note": "x"}, format="json").status_code == 404
    assert Repayment.objects.count() == 1
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.ACTIVE


# --- Payout: maker-checker -----------------------------------------------------------------------


def test_one_officer_records_the_payout_and_only_another_confirms_it(world, loan):
    recorded = post(world.henry, "api-loan-payout", loan, {"disbursed_on": str(TODAY())})
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["status"] == "payout_recorded"
    assert recorded.json()["instalments"] == []

    same = post(world.henry, "api-loan-payout-confirm", loan)
    operator = post(world.alice, "api-loan-payout-confirm", loan)

    assert same.status_code == 403
    assert same.json()["detail"] == in_indonesian(
        "Another officer must confirm the payout you recorded."
    )
    assert operator.status_code == 403  # the operator may record, never confirm
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAYOUT_RECORDED and not loan.instalments.exists()
    confirmed = post(world.bob, "api-loan-payout-confirm", loan)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "active"
    assert len(confirmed.json()["instalments"]) == 12
    assert confirmed.json()["payout_confirmed_by"]["username"] == "bob"
    again = post(world.bob, "api-loan-payout-confirm", loan)
    assert again.status_code == 409 and "detail" in again.json()


def test_a_bad_payout_is_400_by_field_and_changes_nothing(world, loan):
    tomorrow = TODAY() + datetime.timedelta(days=1)

    future = post(world.henry, "api-loan-payout", loan, {"disbursed_on": str(tomorrow)})
    missing = post(world.henry, "api-loan-payout", loan, {})
    not_a_date = post(world.henry, "api-loan-payout", loan, {"disbursed_on": "31-02-2026"})

    assert future.status_code == 400
    assert future.json() == {
        "disbursed_on": [in_indonesian("The payout date cannot be in the future.")]
    }
    assert missing.status_code == not_a_date.status_code == 400
    assert list(missing.json()) == list(not_a_date.json()) == ["disbursed_on"]
    loan.refresh_from_db()
    assert (loan.status, loan.disbursed_on) == (LoanStatus.APPROVED, None)
    refused = post(world.dave, "api-loan-payout", loan, {"disbursed_on": str(TODAY())})
    assert refused.status_code == 403  # a district officer sees the loan but does not pay out


def test_a_recorded_payout_is_sent_back_with_a_reason(world, loan):
    post(world.henry, "api-loan-payout", loan, {"disbursed_on": str(TODAY())})

    silent = post(world.bob, "api-loan-payout-reject", loan, {"note": "  "})
    by_operator = post(world.alice, "api-loan-payout-reject", loan, {"note": "Salah"})
    sent_back = post(world.bob, "api-loan-payout-reject", loan, {"note": "Tanggal salah"})

    assert silent.status_code == 400
    assert silent.json() == {"note": [in_indonesian("Say what is wrong with the recorded payout.")]}
    assert by_operator.status_code == 403
    assert sent_back.status_code == 200
    assert (sent_back.json()["status"], sent_back.json()["disbursed_on"]) == ("approved", None)
    assert sent_back.json()["events"][-1]["note"] == "Tanggal salah"
    again = post(world.henry, "api-loan-payout", loan, {"disbursed_on": str(TODAY())})
    assert again.status_code == 200


def test_payout_on_an_active_loan_is_409(world, active_loan):
    response = post(world.henry, "api-loan-payout", active_loan, {"disbursed_on": str(TODAY())})

    assert response.status_code == 409
    assert response.json()["detail"] == in_indonesian(
        "This loan is “%(status)s”; that step is not possible now."
    ) % {"status": in_indonesian("Active")}


# --- Repayments ----------------------------------------------------------------------------------


def test_a_payment_is_recorded_and_split_interest_before_principal(world, active_loan):
    response = repay(world.alice, active_loan, 1_000_000, note="Setoran Agustus")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["interest"], body["principal"]) == (1_000_000, 180_000, 820_000)
    assert (body["penalty"], body["fee"]) == (0, 0)
    assert body["lines"] == [
        {
            "instalment": 1,
            "due_date": body["lines"][0]["due_date"],
            "penalty": 0,
            "fee": 0,
            "interest": 90_000,
            "principal": 500_000,
        },
        {
            "instalment": 2,
            "due_date": body["lines"][1]["due_date"],
            "penalty": 0,
            "fee": 0,
            "interest": 90_000,
            "principal": 320_000,
        },
    ]
    assert (body["note"], body["reverses"], body["reversed_by"]) == ("Setoran Agustus", None, None)
    assert body["recorded_by"]["username"] == "alice"
    listed_payments = client_for(world.dave).get(
        reverse("api-loan-repayments", args=[active_loan.pk])
    )
    assert listed_payments.status_code == 200
    assert [row["id"] for row in listed_payments.json()] == [body["id"]]


OWED = 12 * 590_000


@pytest.mark.parametrize(
    ("amount", "days", "field", "english"),
    [
        (0, 0, "amount", "The amount must be above 0."),
        (-5_000, 0, "amount", "The amount must be above 0."),
        ("1000.5", 0, "amount", None),
        (1000.5, 0, "amount", None),
        ("satu juta", 0, "amount", None),
        (None, 0, "amount", None),
        (10_000, 1, "paid_on", "The payment date cannot be in the future."),
        (10_000, -1, "paid_on", None),  # before the payout
        (OWED + 1, 0, "amount", None),  # more than is owed
    ],
)
def test_bad_payments_are_400_by_field_and_nothing_is_written(
    world, active_loan, amount, days, field, english
):
    response = repay(world.henry, active_loan, amount, TODAY() + datetime.timedelta(days=days))

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if english:
        assert response.json()[field] == [in_indonesian(english)]
    assert not Repayment.objects.exists()
    assert sum(i.owed for i in active_loan.instalments.all()) == OWED


def test_an_overpayment_says_how_much_is_still_owed(world, active_loan):
    response = repay(world.henry, active_loan, OWED + 1)

    assert "7.080.000" in response.json()["amount"][0]


def test_a_payment_without_a_date_or_with_a_bad_one_is_400(world, active_loan):
    client = client_for(world.henry)
    url = reverse("api-loan-repayments", args=[active_loan.pk])

    missing = client.post(url, {"amount": 10_000}, format="json")
    wrong = client.post(url, {"amount": 10_000, "paid_on": "kemarin"}, format="json")

    assert missing.status_code == wrong.status_code == 400
    assert list(missing.json()) == list(wrong.json()) == ["paid_on"]
    assert not Repayment.objects.exists()


def test_a_payment_on_a_closed_loan_is_409_and_writes_nothing(world, active_loan):
    assert repay(world.henry, active_loan, OWED).status_code == 201
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.PAID_OFF

    late = repay(world.henry, active_loan, 10_000)

    assert late.status_code == 409
    assert late.json()["detail"] == in_indonesian(
        "This loan is “%(status)s”; that step is not possible now."
    ) % {"status": in_indonesian("Paid off")}
    assert Repayment.objects.count() == 1
    waiting = make_loan(world, world.coop_a, 1_000_000, active=False)
    assert repay(world.henry, waiting, 10_000).status_code == 409
    assert Repayment.objects.count() == 1


def test_who_sees_but_may_not_record_payments_gets_403(world, active_loan):
    for user in (world.dave, world.erin, world.frank, world.grace):
        response = repay(user, active_loan, 10_000)
        assert response.status_code == 403, user
        assert world.coop_a.name in response.json()["detail"]
    assert repay(world.ivan, active_loan, 10_000).status_code == 404
    assert (
        client_for().post(reverse("api-loan-repayments", args=[active_loan.pk])).status_code == 401
    )
    assert not Repayment.objects.exists()


def test_a_payment_is_cancelled_by_a_counter_entry(world, active_loan):
    payment = repay(world.alice, active_loan, 1_000_000).json()
    url = reverse("api-loan-repayment-reverse", args=[active_loan.pk, payment["id"]])

    by_operator = client_for(world.alice).post(url, {"note": "Salah input"}, format="json")
    silent = client_for(world.bob).post(url, {"note": " "}, format="json")
    reversal = client_for(world.bob).post(url, {"note": "Salah input"}, format="json")
    twice = client_for(world.bob).post(url, {"note": "Lagi"}, format="json")

    assert by_operator.status_code == 403  # cancelling money taken in is for a decider
    assert silent.status_code == 400
    assert silent.json() == {"note": [in_indonesian("Say why the payment is cancelled.")]}
    assert reversal.status_code == 201
    body = reversal.json()
    assert (body["amount"], body["interest"], body["principal"]) == (-1_000_000, -180_000, -820_000)
    assert (body["reverses"], body["paid_on"]) == (payment["id"], str(TODAY()))
    assert [(line["instalment"], line["principal"]) for line in body["lines"]] == [
        (1, -500_000),
        (2, -320_000),
    ]
    assert twice.status_code == 409
    assert twice.json()["detail"] == in_indonesian(
        "This payment was already cancelled, or is itself a cancellation."
    )
    rows = client_for(world.alice).get(reverse("api-loan-repayments", args=[active_loan.pk]))
    assert [(row["id"], row["reversed_by"]) for row in rows.json()] == [
        (payment["id"], body["id"]),
        (body["id"], None),
    ]
    assert sum(i.owed for i in active_loan.instalments.all()) == OWED


def test_cancelling_the_last_payment_reopens_a_paid_off_loan(world, active_loan):
    payment = repay(world.henry, active_loan, OWED).json()
    url = reverse("api-loan-repayment-reverse", args=[active_loan.pk, payment["id"]])

    response = client_for(world.bob).post(url, {"note": "Uang palsu"}, format="json")

    assert response.status_code == 201
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.ACTIVE


def test_a_payment_is_cancelled_only_through_its_own_loan_and_while_the_loan_runs(
    world, active_loan
):
    other = make_loan(world, world.coop_a, 1_000_000)
    payment = repayment_record(loan=active_loan, by=world.henry, amount=50_000, paid_on=TODAY())
    through_other = reverse("api-loan-repayment-reverse", args=[other.pk, payment.pk])

    assert client_for(world.bob).post(through_other, {"note": "x"}).status_code == 404
    loan_write_off(loan=active_loan, by=world.bob, reason="Meninggal dunia")
    url = reverse("api-loan-repayment-reverse", args=[active_loan.pk, payment.pk])
    written_off = client_for(world.bob).post(url, {"note": "x"}, format="json")
    assert written_off.status_code == 409
    assert Repayment.objects.count() == 1


# --- Write-off -----------------------------------------------------------------------------------


def test_a_decider_writes_off_an_active_loan_with_a_reason(world, active_loan):
    by_operator = post(world.alice, "api-loan-write-off", active_loan, {"reason": "Macet"})
    silent = post(world.bob, "api-loan-write-off", active_loan, {})
    written_off = post(world.henry, "api-loan-write-off", active_loan, {"reason": "Meninggal"})
    again = post(world.henry, "api-loan-write-off", active_loan, {"reason": "Meninggal"})

    assert by_operator.status_code == 403
    assert silent.status_code == 400
    assert silent.json() == {"reason": [in_indonesian("Say why the loan is written off.")]}
    assert written_off.status_code == 200
    assert written_off.json()["status"] == "written_off"
    assert written_off.json()["events"][-1]["note"] == "Meninggal"
    assert again.status_code == 409
    assert active_loan.events.filter(to_status=LoanStatus.WRITTEN_OFF).count() == 1


# --- Rescheduling and arrears --------------------------------------------------------------------


def test_a_decider_reschedules_what_is_still_owed_into_a_new_loan(world, active_loan):
    repayment_record(loan=active_loan, by=world.henry, amount=300_000, paid_on=TODAY())
    terms = {"tenor_months": 18, "on": str(TODAY()), "reason": "Gagal panen"}

    by_operator = post(world.alice, "api-loan-reschedule", active_loan, terms)
    response = post(world.bob, "api-loan-reschedule", active_loan, terms)

    assert by_operator.status_code == 403
    assert response.status_code == 201, response.content
    successor = response.json()
    # Nothing was due yet: only the principal left (6.000.000 − 210.000) carries over.
    assert (successor["principal"], successor["tenor_months"]) == (5_790_000, 18)
    assert (successor["status"], successor["rescheduled_from"]) == ("active", active_loan.pk)
    assert len(successor["instalments"]) == 18
    assert successor["instalments"][-1]["balance"] == 0
    ended = client_for(world.bob).get(reverse("api-loan-detail", args=[active_loan.pk])).json()
    assert (ended["status"], ended["rescheduled_as"]) == ("rescheduled", successor["id"])
    again = post(world.bob, "api-loan-reschedule", active_loan, terms)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"tenor_months": 30}, "tenor_months"),  # the product lends for 24 months at most
        ({"tenor_months": "dua"}, "tenor_months"),
        ({"on": str(TODAY() + datetime.timedelta(days=1))}, "on"),
        ({"grace_months": 2}, "grace_months"),  # the micro product has no grace
    ],
)
def test_bad_rescheduling_is_400_by_field_and_changes_nothing(world, active_loan, change, field):
    terms = {"tenor_months": 18, "on": str(TODAY()), "reason": "Gagal panen", **change}

    response = post(world.bob, "api-loan-reschedule", active_loan, terms)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.ACTIVE
    assert Loan.objects.count() == 1


def test_a_decider_recomputes_the_arrears_of_the_cooperatives_they_decide_for(world):
    paid_out = TODAY() - datetime.timedelta(days=100)
    mine = make_loan(world, world.coop_a, 1_200_000, paid_out=paid_out)
    elsewhere = make_loan(world, world.coop_c, 1_200_000, paid_out=paid_out)
    url = reverse("api-loan-arrears-recompute")

    for user in (world.alice, world.dave, world.frank, world.ivan):
        assert client_for(user).post(url).status_code == 403, user
    assert client_for().post(url).status_code == 401
    response = client_for(world.bob).post(url)

    assert response.status_code == 200
    assert response.json() == {"changed": 1, "as_of": str(TODAY())}
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    oldest_due = mine.instalments.get(number=1).due_date
    assert mine.days_past_due == (TODAY() - oldest_due).days > 0
    assert (mine.collectibility, mine.arrears_as_of) == (Collectibility.DPK, TODAY())
    assert (elsewhere.days_past_due, elsewhere.arrears_as_of) == (0, None)
    rows = client_for(world.bob).get(reverse("api-loan-list"), {"overdue": "true"}).json()
    assert [row["id"] for row in rows["results"]] == [mine.pk]


# --- Workbooks -----------------------------------------------------------------------------------


def open_workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_the_schedule_and_payments_download_as_workbooks(world, active_loan):
    payment = repayment_record(loan=active_loan, by=world.henry, amount=300_000, paid_on=TODAY())
    client = client_for(world.dave)

    schedule = open_workbook(client.get(reverse("api-loan-schedule-xlsx", args=[active_loan.pk])))
    ledger = open_workbook(client.get(reverse("api-loan-ledger-xlsx", args=[active_loan.pk])))

    rows = list(schedule.iter_rows(values_only=True))
    assert len(rows) == 13  # the headings and 12 instalments
    assert rows[1][:5] == (1, rows[1][1], 500_000, 90_000, 0)
    assert isinstance(rows[1][1], datetime.datetime)
    assert rows[1][6:9] == (590_000, 300_000, 290_000)  # total, paid, still owed
    assert rows[-1][-1] == 0
    lines = list(ledger.iter_rows(values_only=True))
    assert len(lines) == 2
    assert lines[1][:6] == (
        datetime.datetime.combine(payment.paid_on, datetime.time()),
        300_000,
        0,
        0,
        90_000,
        210_000,
    )


# --- Language, tokens and the schema -------------------------------------------------------------


def test_messages_follow_the_users_language(world, active_loan):
    profile = UserProfile.get_for_user(world.henry)
    profile.preferred_language = "en"
    profile.save(update_fields=["preferred_language"])
    session = APIClient()
    session.force_login(world.henry)

    response = session.post(
        reverse("api-loan-repayments", args=[active_loan.pk]),
        {"amount": 0, "paid_on": str(TODAY())},
        format="json",
    )

    assert response.status_code == 400
    assert response.headers["Content-Language"] == "en"
    assert response.json() == {"amount": ["The amount must be above 0."]}
    indonesian = repay(world.bob, active_loan, 0)
    assert indonesian.headers["Content-Language"] == "id"
    assert indonesian.json() == {"amount": [in_indonesian("The amount must be above 0.")]}
    assert indonesian.json()["amount"] != ["The amount must be above 0."]


def test_a_token_client_records_a_payment(world, active_loan):
    token = Token.objects.create(user=UserFactory(username="kasir2"))
    role_grant_create(user=token.user, role=Role.OPERATOR, cooperative=world.coop_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.post(
        reverse("api-loan-repayments", args=[active_loan.pk]),
        {"amount": 590_000, "paid_on": str(TODAY())},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["recorded_by"]["username"] == "kasir2"


def test_the_openapi_schema_documents_every_loan_route(tmp_path: Path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    paths = yaml.safe_load(out.read_text())["paths"]
    for pattern in api_urls.urlpatterns:
        route = "/api/v1/" + str(pattern.pattern).replace("<int:pk>", "{id}").replace(
            "<int:repayment_pk>", "{repayment_pk}"
        )
        assert route in paths, route
    repay_op = paths["/api/v1/loans/{id}/repayments/"]["post"]
    assert set(repay_op["responses"]) == {"201", "400", "403", "404", "409"}
    assert "results" not in str(paths["/api/v1/loans/{id}/repayments/"]["get"]["responses"])
