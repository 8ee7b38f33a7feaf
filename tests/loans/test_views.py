"""The loan pages of the portal: the portfolio with its figures and filters, the loan card and
the actions on it, through the test client as the world's named users.

Who is who here (tests/conftest.py): alice is the treasurer (operator) of coop_a, bob its
pengawas, henry its loan officer; carol the operator of coop_c (Berau); dave the district
officer and erin the regency officer over coop_a; frank the province officer; ivan has no role.
"""

import datetime
import io
import itertools
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from cooperatives.services import role_grant_create
from forms.enums import PeriodRule
from forms.services import submission_save_step, submission_start, submission_submit
from loans.arrears import loans_arrears_update
from loans.enums import Collectibility, InterestMethod, LoanKind, LoanStatus
from loans.models import Instalment, Loan, LoanEvent, LoanProduct, Repayment
from loans.services import (
    loan_create_from_application,
    loan_payout_confirm,
    loan_payout_record,
    loan_write_off,
    repayment_record,
    repayment_reverse,
)
from tests.factories import MemberFactory, UserFactory
from tests.forms.builders import field, publish_form
from tests.website.test_portal import PAGE_BUDGET_BYTES, assert_csp_clean, html, page_weight

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
_keys = itertools.count(1)


# --- building loans through the services ---------------------------------------------------------


@pytest.fixture
def application_form(db):
    """A plain form to hang applications on: what matters here is the loan, not the form."""
    return publish_form(
        "Permohonan Uji",
        [field("short_text", "catatan", "Catatan")],
        audience=["operator"],
        period_rule=PeriodRule.UNLIMITED,
    )


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", is_superuser=True)


@pytest.fixture
def cashier(world):
    """A second loan officer of coop_a, who confirms what henry records."""
    user = UserFactory(username="kasir")
    role_grant_create(user=user, role="loan_officer", cooperative=world.coop_a)
    return user


def approved(form, clerk, cooperative, *, principal=6_000_000, tenor=12, product="mikro", **kw):
    member = kw.pop("member", None)
    if member is None and "lender" not in kw:
        member = MemberFactory(cooperative=cooperative)
    draft = submission_start(
        form_page=form, cooperative=cooperative, author=clerk, idempotency_key=f"l{next(_keys)}"
    )
    draft = submission_save_step(submission=draft, by=clerk, step=0, answers={"catatan": "uji"})
    application = submission_submit(submission=draft, by=clerk)
    return loan_create_from_application(
        application=application,
        member=member,
        product_code=product,
        principal=principal,
        tenor_months=tenor,
        approved_by=clerk,
        **kw,
    )


def paid_out(loan, days_ago, recorder, confirmer):
    """The loan paid out `days_ago` days before today (approved just before that)."""
    on = TODAY() - datetime.timedelta(days=days_ago)
    Loan.objects.filter(pk=loan.pk).update(
        approved_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(8)))
    )
    loan.refresh_from_db()
    loan_payout_record(loan=loan, by=recorder, disbursed_on=on)
    return loan_payout_confirm(loan=loan, by=confirmer)


@pytest.fixture
def financing_product(db):
    return LoanProduct.objects.create(
        code="himbara",
        name="Pembiayaan Himbara",
        kind=LoanKind.COOPERATIVE,
        min_amount=100_000_000,
        max_amount=3_000_000_000,
        min_tenor_months=12,
        max_tenor_months=72,
        rate_percent=Decimal("0.5"),
        interest_method=InterestMethod.ANNUITY,
    )


@pytest.fixture
def book(world, micro, application_form, clerk, cashier, financing_product):
    """The loans of the portfolio tests, each 12 months flat at 1,5 % a month:

    coop_a  lancar   Rp 6.000.000 paid out today                      6.000.000 principal owed
            dpk      Rp 6.000.000 paid out 45 days ago: 1 instalment late (590.000)
            kl       Rp 6.000.000 paid out 135 days ago, Rp 300.000 paid: 4 late
                     (4 × 590.000 − 300.000 = 2.060.000 overdue), 5.790.000 principal owed
            macet    Rp 3.000.000 paid out 320 days ago: 10 late (10 × 295.000 = 2.950.000)
            waiting  Rp 2.000.000 approved, not paid out
            bank     Rp 200.000.000 the cooperative's own financing, paid out today
    coop_c  macet    Rp 6.000.000 paid out 320 days ago (outside coop_a's scope)
    """
    henry = world.henry

    def make(cooperative, principal, days_ago, **kw):
        loan = approved(application_form, clerk, cooperative, principal=principal, **kw)
        if days_ago is None:
            return loan
        return paid_out(loan, days_ago, henry if cooperative == world.coop_a else clerk, cashier)

    loans = {
        "lancar": make(world.coop_a, 6_000_000, 0),
        "dpk": make(world.coop_a, 6_000_000, 45),
        "kl": make(world.coop_a, 6_000_000, 135),
        "macet": make(world.coop_a, 3_000_000, 320),
        "waiting": make(world.coop_a, 2_000_000, None),
        "bank": make(world.coop_a, 200_000_000, 0, product="himbara", lender="Bank BRI"),
        "berau": make(world.coop_c, 6_000_000, 320),
    }
    repayment_record(loan=loans["kl"], by=henry, amount=300_000, paid_on=TODAY())
    loans_arrears_update(on=TODAY())
    for loan in loans.values():
        loan.refresh_from_db()
    return loans


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response


# --- the portfolio -------------------------------------------------------------------------------


def test_the_portfolio_figures_and_npl_ratio_are_those_counted_by_hand(client, world, book):
    assert [book[k].collectibility for k in ("lancar", "dpk", "kl", "macet")] == [
        Collectibility.LANCAR,
        Collectibility.DPK,
        Collectibility.KURANG_LANCAR,
        Collectibility.MACET,
    ]
    response = page(client, world.henry, reverse("loan_portfolio"))
    summary = response.context["summary"]
    assert summary.active_loans == 4  # not the loan waiting for its payout, not the bank's
    assert summary.outstanding == 6_000_000 + 6_000_000 + 5_790_000 + 3_000_000
    assert summary.non_performing == 5_790_000 + 3_000_000
    assert summary.npl_ratio == Decimal(8_790_000) / Decimal(20_790_000)
    assert summary.overdue == 590_000 + 2_060_000 + 2_950_000
    by_class = {row.collectibility: (row.loans, row.outstanding) for row in summary.by_class}
    assert by_class == {
        "lancar": (1, 6_000_000),
        "dpk": (1, 6_000_000),
        "kurang_lancar": (1, 5_790_000),
        "diragukan": (0, 0),
        "macet": (1, 3_000_000),
    }
    assert summary.as_of_oldest == summary.as_of_newest == TODAY()
    text = html(response)
    assert "42,3&nbsp;%" in text  # 8.790.000 ÷ 20.790.000
    assert "Rp 20.790.000" in text and "Rp 5.600.000" in text
    listed = [loan.pk for loan in response.context["page_obj"]]
    # The latest in arrears first; the loan still waiting for its payout is listed too.
    assert listed[:3] == [book["macet"].pk, book["kl"].pk, book["dpk"].pk]
    assert set(listed) == {book[k].pk for k in ("lancar", "dpk", "kl", "macet", "waiting")}
    assert book["berau"].member.name not in text


def test_the_province_sees_every_cooperative_in_its_figures(client, world, book):
    summary = page(client, world.frank, reverse("loan_portfolio")).context["summary"]
    assert summary.active_loans == 5
    assert summary.npl_ratio == Decimal(14_790_000) / Decimal(26_790_000)


@pytest.mark.parametrize(
    ("user", "params", "expected"),
    [
        ("henry", {"collectibility": "kurang_lancar"}, {"kl"}),
        ("henry", {"overdue": "on"}, {"dpk", "kl", "macet"}),
        ("henry", {"status": "approved"}, {"waiting"}),
        ("henry", {"kind": "cooperative"}, {"bank"}),
        ("henry", {"kind": "all", "status": "active"}, {"lancar", "dpk", "kl", "macet", "bank"}),
        (
            "henry",
            {"status": "all", "product": "mikro"},
            {"lancar", "dpk", "kl", "macet", "waiting"},
        ),
        ("frank", {"collectibility": "macet"}, {"macet", "berau"}),
        ("frank", {"kabupaten": "64.03"}, {"berau"}),
        ("carol", {}, {"berau"}),
        ("ivan", {}, set()),
    ],
)
def test_the_filters_narrow_the_list_and_the_figures(client, world, book, user, params, expected):
    response = page(client, getattr(world, user), reverse("loan_portfolio"), **params)
    listed = {loan.pk for loan in response.context["page_obj"]}
    assert listed == {book[name].pk for name in expected}
    active = [book[name] for name in expected if book[name].status == LoanStatus.ACTIVE]
    assert response.context["summary"].active_loans == len(active)


def test_a_class_alone_has_an_npl_ratio_of_all_or_nothing(client, world, book):
    macet = page(client, world.henry, reverse("loan_portfolio"), collectibility="macet")
    assert macet.context["summary"].npl_ratio == 1
    lancar = page(client, world.henry, reverse("loan_portfolio"), collectibility="lancar")
    assert lancar.context["summary"].npl_ratio == 0
    nothing = page(client, world.henry, reverse("loan_portfolio"), collectibility="diragukan")
    assert nothing.context["summary"].npl_ratio is None
    assert "–" in html(nothing)


def test_a_filter_for_a_cooperative_outside_the_scope_shows_nothing_of_it(client, world, book):
    response = page(client, world.henry, reverse("loan_portfolio"), koperasi=book["berau"].pk)
    assert book["berau"].pk not in {loan.pk for loan in response.context["page_obj"]}
    assert world.coop_c.name not in html(response)


def test_the_portfolio_page_costs_the_same_queries_for_2_and_20_loans(
    client, world, micro, application_form, clerk, cashier
):
    def add(count):
        for _ in range(count):
            loan = approved(application_form, clerk, world.coop_a)
            paid_out(loan, 45, world.henry, cashier)
        loans_arrears_update(on=TODAY())

    client.force_login(world.henry)
    url = reverse("loan_portfolio")
    add(2)
    client.get(url)  # warm the caches every request fills (content types, the site)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page_obj"]) == 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_portfolio_downloads_as_the_filtered_list(client, world, book):
    client.force_login(world.henry)
    response = client.get(reverse("loan_portfolio_xlsx"), {"overdue": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="pinjaman-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    borrowers = [row[1] for row in rows[1:]]
    assert borrowers == [book[k].member.name for k in ("macet", "kl", "dpk")]
    kl = rows[2]
    assert kl[0] == world.coop_a.name
    assert kl[2] == book["kl"].member.nik  # NIK as text, never a number
    assert (kl[5], kl[8], kl[10]) == (6_000_000, 5_790_000, 2_060_000)
    assert 91 <= kl[11] <= 120  # four monthly instalments late


def test_a_formula_in_a_name_reaches_the_workbook_as_text(client, world, book):
    member = book["dpk"].member
    type(member).objects.filter(pk=member.pk).update(name='=HYPERLINK("http://x")')
    client.force_login(world.henry)
    response = client.get(reverse("loan_portfolio_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names


def test_a_decider_recomputes_the_arrears_of_their_cooperatives_only(client, world, book):
    Loan.objects.update(arrears_as_of=None, days_past_due=0)
    client.force_login(world.henry)
    url = reverse("loan_arrears_recompute") + "?overdue=on"
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("loan_portfolio") + "?overdue=on"
    assert set(
        Loan.objects.filter(arrears_as_of=TODAY()).values_list("cooperative", flat=True)
    ) == {world.coop_a.pk}
    assert Loan.objects.get(pk=book["berau"].pk).arrears_as_of is None
    followed = client.get(response["Location"])
    assert "messages" in followed.context


@pytest.mark.parametrize("user", ["alice", "dave", "erin", "frank", "ivan"])
def test_only_pengawas_and_loan_officers_recompute_arrears(client, world, book, user):
    client.force_login(getattr(world, user))
    before = list(Loan.objects.values_list("pk", "arrears_as_of"))
    assert client.post(reverse("loan_arrears_recompute")).status_code == 403
    assert list(Loan.objects.values_list("pk", "arrears_as_of")) == before
    assert "loan_arrears_recompute" not in html(client.get(reverse("loan_portfolio")))


def test_the_recompute_button_is_shown_to_those_who_may_press_it(client, world, book):
    page_ = html(page(client, world.bob, reverse("loan_portfolio")))
    assert reverse("loan_arrears_recompute") in page_
    page_ = html(page(client, world.alice, reverse("loan_portfolio")))
    assert reverse("loan_arrears_recompute") not in page_


# --- the menu and the member's card --------------------------------------------------------------


def test_the_menu_offers_loans_to_those_who_see_some(client, world):
    link = f'href="{reverse("loan_portfolio")}"'
    assert link in html(page(client, world.alice, reverse("home")))
    assert link in html(page(client, world.dave, reverse("home")))
    assert link not in html(page(client, world.ivan, reverse("home")))
    current = html(page(client, world.alice, reverse("loan_portfolio")))
    assert f'{link} aria-current="page"' in current


def test_the_member_page_lists_the_members_loans(client, world, book):
    loan = book["kl"]
    url = reverse("member_detail", args=[world.coop_a.pk, loan.member_id])
    text = html(page(client, world.alice, url))
    assert reverse("loan_detail", args=[loan.pk]) in text
    assert "Rp 5.790.000" in text  # principal still owed
    other = MemberFactory(cooperative=world.coop_a)
    text = html(
        page(client, world.alice, reverse("member_detail", args=[world.coop_a.pk, other.pk]))
    )
    assert 'id="loans-title"' not in text


# --- the loan card -------------------------------------------------------------------------------


def test_the_card_shows_terms_schedule_payments_and_history(client, world, book):
    loan = book["kl"]
    response = page(client, world.dave, reverse("loan_detail", args=[loan.pk]))
    text = html(response)
    schedule = response.context["schedule"]
    assert len(schedule.lines) == 12
    assert [line.late for line in schedule.lines][:5] == [True, True, True, True, False]
    assert schedule.principal_left == 5_790_000
    assert schedule.owed == 12 * 590_000 - 300_000
    assert text.count('class="is-late"') == 4
    assert "1,5 %" in text  # the rate a month
    assert "Rp 300.000" in text and "henry" in text.lower()
    assert reverse("loan_schedule_xlsx", args=[loan.pk]) in text
    assert reverse("loan_repayments_xlsx", args=[loan.pk]) in text
    assert reverse("submission_detail", args=[loan.application_id]) in text
    assert 'class="badge kol-kurang_lancar"' in text
    # A district officer reads; the card offers him nothing to do.
    assert reverse("loan_repayment_record", args=[loan.pk]) not in text
    assert reverse("loan_write_off", args=[loan.pk]) not in text
    assert_csp_clean(text)


def test_the_card_costs_the_same_queries_for_1_and_10_payments(client, world, active_loan):
    url = reverse("loan_detail", args=[active_loan.pk])
    client.force_login(world.bob)
    first = repayment_record(loan=active_loan, by=world.alice, amount=100_000, paid_on=TODAY())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(9):
        repayment_record(loan=active_loan, by=world.alice, amount=100_000, paid_on=TODAY())
    repayment_reverse(repayment=first, by=world.bob, note="Salah catat")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["repayments"]) == 11
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_cooperatives_own_financing_names_the_bank_not_a_member(client, world, book):
    loan = book["bank"]
    text = html(page(client, world.alice, reverse("loan_detail", args=[loan.pk])))
    assert "Bank BRI" in text
    assert world.coop_a.name in text
    assert reverse("member_list", args=[world.coop_a.pk]) not in text


@pytest.mark.parametrize("user", ["carol", "ivan"])
def test_a_loan_outside_the_scope_is_not_found(client, world, loan, user):
    client.force_login(getattr(world, user))
    for name in ("loan_detail", "loan_schedule_xlsx", "loan_repayments_xlsx"):
        assert client.get(reverse(name, args=[loan.pk])).status_code == 404
    response = client.post(reverse("loan_payout_record", args=[loan.pk]), {"disbursed_on": ""})
    assert response.status_code == 404


def test_the_schedule_and_payments_download_with_their_rows(client, world, book):
    loan = book["kl"]
    client.force_login(world.alice)
    response = client.get(reverse("loan_schedule_xlsx", args=[loan.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 13
    first = rows[1]
    assert first[0] == 1
    assert (first[2], first[3], first[6], first[7], first[8]) == (
        500_000,
        90_000,
        590_000,
        300_000,
        290_000,
    )
    response = client.get(reverse("loan_repayments_xlsx", args=[loan.pk]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2
    assert rows[1][1:6] == (300_000, 0, 0, 90_000, 210_000)
    assert rows[1][8] in {"henry", "Henry"}


# --- payout, maker-checker -----------------------------------------------------------------------


def test_one_officer_records_the_payout_and_another_confirms_it(client, world, loan):
    client.force_login(world.henry)
    card = html(client.get(reverse("loan_detail", args=[loan.pk])))
    assert 'id="payout-disbursed_on"' in card
    assert f'value="{TODAY():%Y-%m-%d}"' in card  # today by default
    response = client.post(
        reverse("loan_payout_record", args=[loan.pk]), {"disbursed_on": f"{TODAY():%d-%m-%Y}"}
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert (loan.status, loan.payout_recorded_by) == (LoanStatus.PAYOUT_RECORDED, world.henry)

    # The recorder is told another officer must confirm, and is refused if he tries.
    card = html(client.get(reverse("loan_detail", args=[loan.pk])))
    with translation.override("id"):
        assert escape(gettext("Another officer must confirm the payout you recorded.")) in card
    assert reverse("loan_payout_confirm", args=[loan.pk]) not in card
    assert client.post(reverse("loan_payout_confirm", args=[loan.pk])).status_code == 403
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAYOUT_RECORDED
    assert not loan.instalments.exists()

    # The treasurer may record but never confirm; the pengawas confirms.
    client.force_login(world.alice)
    assert client.post(reverse("loan_payout_confirm", args=[loan.pk])).status_code == 403
    client.force_login(world.bob)
    assert reverse("loan_payout_confirm", args=[loan.pk]) in html(
        client.get(reverse("loan_detail", args=[loan.pk]))
    )
    response = client.post(reverse("loan_payout_confirm", args=[loan.pk]), follow=True)
    loan.refresh_from_db()
    assert (loan.status, loan.payout_confirmed_by) == (LoanStatus.ACTIVE, world.bob)
    assert loan.instalments.count() == 12
    assert list(response.context["messages"])


def test_a_wrong_payout_is_sent_back_with_a_reason(client, world, loan):
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=TODAY())
    client.force_login(world.bob)
    url = reverse("loan_payout_reject", args=[loan.pk])
    refused = client.post(url, {"note": "  "})
    assert refused.status_code == 400
    assert refused.context["reject_form"].errors["note"]
    assert 'id="reject-note"' in html(refused) and 'aria-invalid="true"' in html(refused)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAYOUT_RECORDED
    assert client.post(url, {"note": "Tanggal salah"}).status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED
    assert LoanEvent.objects.filter(loan=loan, note="Tanggal salah").exists()


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("", "This field is required."),
        ("kemarin", "Enter a valid date."),
        ("future", "The payout date cannot be in the future."),
    ],
)
def test_a_bad_payout_date_is_refused_beside_its_field(client, world, loan, typed, msgid):
    if typed == "future":
        typed = f"{TODAY() + datetime.timedelta(days=1):%Y-%m-%d}"
    client.force_login(world.alice)
    response = client.post(reverse("loan_payout_record", args=[loan.pk]), {"disbursed_on": typed})
    assert response.status_code == 400
    with translation.override("id"):
        expected = gettext(msgid)
    assert response.context["payout_form"].errors["disbursed_on"] == [expected]
    assert escape(expected) in html(response)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED


# --- repayments ----------------------------------------------------------------------------------


def test_the_treasurer_records_a_payment_written_as_people_write_it(client, world, active_loan):
    client.force_login(world.alice)
    response = client.post(
        reverse("loan_repayment_record", args=[active_loan.pk]),
        {"amount": "Rp 1.000.000", "paid_on": f"{TODAY():%d-%m-%Y}", "note": "kuitansi 12"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("loan_detail", args=[active_loan.pk])
    payment = Repayment.objects.get()
    assert (payment.amount, payment.recorded_by, payment.note) == (
        1_000_000,
        world.alice,
        "kuitansi 12",
    )
    assert (payment.interest, payment.principal) == (180_000, 820_000)
    text = html(response)
    assert "Rp 1.000.000" in text and "kuitansi 12" in text


TOO_MUCH = (
    "Rp %(amount)s is more than the Rp %(owed)s still owed: record Rp %(owed)s and give the "
    "rest back, or keep it as voluntary savings."
)


def _bad_payment(case, loan):
    disbursed = loan.disbursed_on
    amount, day = "500.000", TODAY()
    if case == "zero":
        amount = "0"
    elif case == "negative":
        amount = "-5.000"
    elif case == "words":
        amount = "lima ratus ribu"
    elif case == "future":
        day = TODAY() + datetime.timedelta(days=1)
    elif case == "before payout":
        day = disbursed - datetime.timedelta(days=1)
    elif case == "too much":
        amount = "7.080.001"
    return {"amount": amount, "paid_on": f"{day:%Y-%m-%d}", "note": ""}


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("zero", "amount", "The amount must be above 0."),
        ("negative", "amount", "The amount must be above 0."),
        ("words", "amount", "Write an amount in Rupiah, e.g. 1.500.000 (dots between thousands)."),
        ("future", "paid_on", "The payment date cannot be in the future."),
        ("before payout", "paid_on", "The payment date cannot be before the payout (%(date)s)."),
        ("too much", "amount", TOO_MUCH),
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_bad_payment_is_refused_beside_its_field_and_nothing_is_written(
    client, world, loan, micro, case, field, message, language
):
    # Paid out a week ago, so that a day before the payout is not a day in the future.
    loan = paid_out(loan, 7, world.henry, UserFactory(username="kasir"))
    client.force_login(world.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    before = list(Instalment.objects.values_list("paid_principal", "paid_interest"))
    # The locale middleware leaves the request's language active in this thread; the override
    # puts the previous one back for the tests that run after this one.
    with translation.override(language):
        response = client.post(
            reverse("loan_repayment_record", args=[loan.pk]), _bad_payment(case, loan)
        )
        expected = gettext(message) % {
            "date": loan.disbursed_on.strftime("%d-%m-%Y"),
            "amount": "7.080.001",
            "owed": "7.080.000",
        }
        errors = [str(error) for error in response.context["repayment_form"].errors[field]]
    assert response.status_code == 400
    assert errors == [expected]
    assert escape(expected) in html(response)
    assert f'id="repay-{field}"' in html(response)
    assert not Repayment.objects.exists()
    assert list(Instalment.objects.values_list("paid_principal", "paid_interest")) == before


@pytest.mark.parametrize("end", ["paid_off", "written_off"])
def test_a_finished_loan_takes_no_payment(client, world, active_loan, end):
    if end == "paid_off":
        owed = sum(i.owed for i in active_loan.instalments.all())
        repayment_record(loan=active_loan, by=world.henry, amount=owed, paid_on=TODAY())
    else:
        loan_write_off(loan=active_loan, by=world.bob, reason="Keputusan pengurus 3/2026")
    count = Repayment.objects.count()
    client.force_login(world.alice)
    card = html(client.get(reverse("loan_detail", args=[active_loan.pk])))
    assert 'id="repay-amount"' not in card
    response = client.post(
        reverse("loan_repayment_record", args=[active_loan.pk]),
        {"amount": "10.000", "paid_on": f"{TODAY():%Y-%m-%d}"},
        follow=True,
    )
    assert response.redirect_chain[-1] == (reverse("loan_detail", args=[active_loan.pk]), 302)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert Repayment.objects.count() == count


@pytest.mark.parametrize("user", ["dave", "erin", "frank"])
def test_officers_who_only_oversee_may_not_record_payments(client, world, active_loan, user):
    client.force_login(getattr(world, user))
    response = client.post(
        reverse("loan_repayment_record", args=[active_loan.pk]),
        {"amount": "10.000", "paid_on": f"{TODAY():%Y-%m-%d}"},
    )
    assert response.status_code == 403
    assert not Repayment.objects.exists()


def test_a_payment_is_cancelled_by_a_counter_entry(client, world, active_loan):
    payment = repayment_record(loan=active_loan, by=world.alice, amount=1_000_000, paid_on=TODAY())
    url = reverse("loan_repayment_reverse", args=[active_loan.pk, payment.pk])
    # The treasurer who recorded it may not cancel it; the pengawas may, with a reason.
    client.force_login(world.alice)
    assert reverse("loan_repayment_reverse", args=[active_loan.pk, payment.pk]) not in html(
        client.get(reverse("loan_detail", args=[active_loan.pk]))
    )
    assert client.post(url, {"note": "salah ketik"}).status_code == 403
    client.force_login(world.bob)
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 400
    assert refused.context["reverse_form"].errors["note"]
    assert f'id="reverse-{payment.pk}-note"' in html(refused)
    assert Repayment.objects.count() == 1

    response = client.post(url, {"note": "Salah ketik, seharusnya Rp 100.000"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("loan_detail", args=[active_loan.pk])
    reversal = Repayment.objects.get(reverses=payment)
    assert (reversal.amount, reversal.recorded_by) == (-1_000_000, world.bob)
    assert sum(i.paid_principal + i.paid_interest for i in active_loan.instalments.all()) == 0
    text = html(response)
    assert "Salah ketik, seharusnya Rp 100.000" in text
    assert "-Rp 1.000.000" in text
    # Neither the payment nor its cancellation can be cancelled again.
    assert f"/pembayaran/{payment.pk}/batal/" not in text
    assert f"/pembayaran/{reversal.pk}/batal/" not in text
    again = client.post(url, {"note": "lagi"}, follow=True)
    assert Repayment.objects.count() == 2
    assert list(again.context["messages"])


def test_a_payment_of_another_loan_cannot_be_cancelled_through_this_one(
    client, world, active_loan, micro, application_form, clerk
):
    other = paid_out(approved(application_form, clerk, world.coop_a), 0, world.henry, clerk)
    payment = repayment_record(loan=other, by=world.alice, amount=100_000, paid_on=TODAY())
    client.force_login(world.bob)
    url = reverse("loan_repayment_reverse", args=[active_loan.pk, payment.pk])
    assert client.post(url, {"note": "x"}).status_code == 404
    assert not Repayment.objects.filter(reverses=payment).exists()


# --- write-off -----------------------------------------------------------------------------------


def test_the_pengawas_writes_a_loan_off_with_a_reason_and_the_treasurer_cannot(
    client, world, active_loan
):
    url = reverse("loan_write_off", args=[active_loan.pk])
    client.force_login(world.alice)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(world.bob)
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert refused.context["write_off_form"].errors["reason"]
    assert 'id="writeoff-reason"' in html(refused)
    assert client.post(url, {"reason": "Keputusan rapat pengurus 7/2026"}).status_code == 302
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.WRITTEN_OFF
    event = active_loan.events.last()
    assert (event.actor, event.note) == (world.bob, "Keputusan rapat pengurus 7/2026")
    text = html(client.get(reverse("loan_detail", args=[active_loan.pk])))
    assert "Keputusan rapat pengurus 7/2026" in text
    assert 'class="badge ln-written_off"' in text


# --- rescheduling --------------------------------------------------------------------------------


def test_the_loan_officer_reschedules_and_lands_on_the_new_loan(client, world, active_loan):
    url = reverse("loan_reschedule", args=[active_loan.pk])
    client.force_login(world.alice)
    assert url not in html(client.get(reverse("loan_detail", args=[active_loan.pk])))
    assert client.post(url, {"tenor_months": "18", "reason": "x"}).status_code == 403
    client.force_login(world.henry)
    assert url in html(client.get(reverse("loan_detail", args=[active_loan.pk])))
    response = client.post(
        url,
        {"tenor_months": "18", "on": f"{TODAY():%Y-%m-%d}", "reason": "Gagal panen"},
        follow=True,
    )
    active_loan.refresh_from_db()
    successor = active_loan.rescheduled_as
    assert active_loan.status == LoanStatus.RESCHEDULED
    assert (successor.status, successor.tenor_months, successor.principal) == (
        LoanStatus.ACTIVE,
        18,
        6_000_000,
    )
    assert response.redirect_chain[-1][0] == reverse("loan_detail", args=[successor.pk])
    assert reverse("loan_detail", args=[active_loan.pk]) in html(response)  # rescheduled from
    old = html(client.get(reverse("loan_detail", args=[active_loan.pk])))
    assert reverse("loan_detail", args=[successor.pk]) in old
    assert 'id="repay-amount"' not in old


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"tenor_months": "0", "reason": "Gagal panen"}, "tenor_months"),
        ({"tenor_months": "100", "reason": "Gagal panen"}, "tenor_months"),
        ({"tenor_months": "enam", "reason": "Gagal panen"}, "tenor_months"),
        ({"tenor_months": "12", "reason": ""}, "reason"),
        ({"tenor_months": "12", "reason": "x", "on": "2000-01-01"}, "on"),
    ],
)
def test_a_bad_rescheduling_is_refused_beside_its_field(client, world, active_loan, data, field):
    data = {"on": f"{TODAY():%Y-%m-%d}", **data}
    client.force_login(world.bob)
    response = client.post(reverse("loan_reschedule", args=[active_loan.pk]), data)
    assert response.status_code == 400
    assert response.context["reschedule_form"].errors[field]
    assert f'id="reschedule-{field}"' in html(response)
    assert Loan.objects.count() == 1
    active_loan.refresh_from_db()
    assert active_loan.status == LoanStatus.ACTIVE


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("loan_payout_record", {}),
        ("loan_payout_confirm", {}),
        ("loan_payout_reject", {}),
        ("loan_repayment_record", {}),
        ("loan_write_off", {}),
        ("loan_reschedule", {}),
    ],
)
def test_every_action_answers_get_with_405(client, world, loan, name, kwargs):
    client.force_login(world.bob)
    assert client.get(reverse(name, args=[loan.pk])).status_code == 405


# --- light and CSP-clean -------------------------------------------------------------------------


def test_the_loan_pages_stay_within_the_page_budget_and_csp_clean(
    client, world, micro, application_form, clerk, cashier
):
    for index in range(30):
        loan = approved(application_form, clerk, world.coop_a, tenor=24)
        paid_out(loan, 45 + index, world.henry, cashier)
    loans_arrears_update(on=TODAY())
    long = Loan.objects.order_by("id").first()
    for _ in range(12):
        repayment_record(loan=long, by=world.alice, amount=150_000, paid_on=TODAY())
    pages = {
        "portfolio (province)": (world.frank, reverse("loan_portfolio")),
        "portfolio (pengawas)": (world.bob, reverse("loan_portfolio")),
        "card (treasurer)": (world.alice, reverse("loan_detail", args=[long.pk])),
        "card (pengawas)": (world.bob, reverse("loan_detail", args=[long.pk])),
    }
    for name, (user, url) in pages.items():
        response = page(client, user, url)
        weight = page_weight(response)
        assert weight < PAGE_BUDGET_BYTES, f"{name}: {weight} bytes"
        assert_csp_clean(html(response))
    listed = page(client, world.frank, reverse("loan_portfolio")).context["page_obj"]
    assert len(listed) == 25
