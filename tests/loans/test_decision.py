"""Decision support beside a loan application: savings regularity, loans and lateness, the
instalment against income, and a score whose shown factors add up to it — on the task page,
in the API, for the people in scope only, at a fixed number of queries."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient
from wagtail.models import TaskState

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from finance.enums import SavingsType
from finance.models import SavingsBalance, SavingsTransaction
from forms.enums import FormPurpose
from forms.models import Submission
from forms.services import submission_save_step, submission_start, submission_submit
from loans.decision import Factor, _score, loan_decision_support
from loans.enums import Collectibility, GraceKind, InterestMethod, LoanStatus, RatePeriod
from loans.models import Loan, LoanLedgerEntry, LoanProduct
from loans.schedules import add_months
from loans.services import (
    loan_create_from_application,
    loan_payout_confirm,
    loan_payout_record,
    repayment_record,
    repayment_reverse,
)
from tests.factories import MemberFactory, UserFactory
from tests.forms.builders import field, publish_form
from tests.workflows.builders import loan_form, loan_workflow
from workflows.models import ApprovalTaskState

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)

DECISION_FIELDS = [
    field("member", "anggota", "Anggota"),
    field(
        "single_choice",
        "produk",
        "Produk",
        choices=[
            {"code": "mikro", "label": "Mikro", "label_en": ""},
            {"code": "usaha", "label": "Usaha", "label_en": ""},
        ],
    ),
    field("rupiah", "jumlah", "Jumlah pinjaman"),
    field("integer", "tenor_bulan", "Tenor (bulan)"),
    field("rupiah", "penghasilan_bulanan", "Penghasilan bersih per bulan", required=False),
]


# --- Building the records ------------------------------------------------------------------------


@pytest.fixture
def flow(world):
    return loan_workflow(world)[0]


@pytest.fixture
def decision_form(flow):
    return publish_form(
        "Pinjaman Keputusan",
        DECISION_FIELDS,
        audience=["operator"],
        purpose=FormPurpose.LOAN_APPLICATION,
        reference_prefix="PKP",
        approval_workflow=flow,
    )


@pytest.fixture
def earlier_form():
    """The form the member's earlier loans were applied for with (no workflow)."""
    return loan_form(None)


@pytest.fixture
def today():
    return timezone.localdate()


def apply(form, world, member, **answers) -> Submission:
    values = {
        "anggota": member.pk if member else None,
        "produk": "mikro",
        "jumlah": 6_000_000,
        "tenor_bulan": 12,
        "penghasilan_bulanan": 4_000_000,
        **answers,
    }
    draft = submission_start(
        form_page=form,
        cooperative=world.coop_a,
        author=world.alice,
        idempotency_key=f"decision-{next(_keys)}",
    )
    submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={code: value for code, value in values.items() if value is not None},
    )
    return submission_submit(submission=draft, by=world.alice)


def earlier_loan(
    form, world, member, *, principal: int, tenor: int, disbursed_on: datetime.date | None
) -> Loan:
    """A loan of the member through the services; paid out on `disbursed_on` (None: approved,
    not paid out yet)."""
    draft = submission_start(
        form_page=form,
        cooperative=world.coop_a,
        author=world.alice,
        idempotency_key=f"earlier-{next(_keys)}",
    )
    submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={
            "anggota": member.pk,
            "produk": "modal_usaha",
            "jumlah": principal,
            "tenor_bulan": tenor,
        },
    )
    application = submission_submit(submission=draft, by=world.alice)
    loan = loan_create_from_application(
        application=application,
        member=member,
        product_code="mikro",
        principal=principal,
        tenor_months=tenor,
        approved_by=world.henry,
    )
    if disbursed_on is None:
        return loan
    # Approved the morning of the payout (the service stamps "now"; this loan is older).
    approved_at = timezone.make_aware(datetime.datetime.combine(disbursed_on, datetime.time(8)))
    Loan.objects.filter(pk=loan.pk).update(approved_at=approved_at)
    loan.refresh_from_db()
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=disbursed_on)
    return loan_payout_confirm(loan=loan, by=UserFactory(username="kasir"))


def pay(loan, world, amount, paid_on):
    return repayment_record(loan=loan, by=world.henry, amount=amount, paid_on=paid_on)


def due_dates(loan) -> list[datetime.date]:
    return list(loan.instalments.order_by("number").values_list("due_date", flat=True))


def saving(member, when, kind, deposit=0, withdrawal=0):
    SavingsTransaction.objects.create(
        cooperative=member.cooperative,
        member=member,
        date=when,
        savings_type=kind,
        deposit=deposit,
        withdrawal=withdrawal,
    )


def ledger_loan(member, today, **figures):
    values = {
        "principal": 2_000_000,
        "tenor_months": 10,
        "rate_percent": Decimal("1.5"),
        "instalment": 200_000,
        "balance": 0,
        "days_overdue": 0,
        "collectibility": Collectibility.LANCAR,
        "as_of": today - datetime.timedelta(days=10),
        **figures,
    }
    return LoanLedgerEntry.objects.create(cooperative=member.cooperative, member=member, **values)


def window(today) -> list[datetime.date]:
    """The 12 complete months before this one, oldest first (day 5 of each)."""
    start = add_months(today.replace(day=1), -12)
    return [add_months(start, index).replace(day=5) for index in range(12)]


def open_step(submission):
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def support_for(submission, **kwargs):
    # As the page and the API read it: a fresh row, in the portal's language.
    fresh = Submission.objects.select_related("form_page").get(pk=submission.pk)
    with translation.override("id"):
        return loan_decision_support(submission=fresh, **kwargs)


def assert_score_adds_up(support):
    factors = support.score.factors
    assert support.score.points == sum(factor.points for factor in factors)
    assert support.score.possible == sum(factor.possible for factor in factors) == 100
    assert all(0 <= factor.points <= factor.possible for factor in factors)
    assert len({factor.code for factor in factors}) == len(factors) == 6


# --- A regular saver with a loan paid off a little late once --------------------------------------


@pytest.fixture
def siti(world, micro, earlier_form, today):
    """Member for 3 years; simpanan wajib in 11 of the last 12 months; a member list 13 months
    ago; one loan paid off (one instalment 10 days late), one just paid out; two ledger loans."""
    member = MemberFactory(
        cooperative=world.coop_a, name="Siti Aminah", join_date=add_months(today, -36)
    )
    months = window(today)
    SavingsBalance.objects.create(
        cooperative=world.coop_a,
        member=member,
        as_of=add_months(today.replace(day=1), -12) - datetime.timedelta(days=1),
        pokok=100_000,
        wajib=1_000_000,
        sukarela=200_000,
    )
    # Before the list's date: already in its figures, and outside the 12 months.
    saving(member, months[0] - datetime.timedelta(days=20), SavingsType.WAJIB, deposit=50_000)
    for index, month in enumerate(months):
        if index != 4:
            saving(member, month, SavingsType.WAJIB, deposit=50_000)
    saving(member, months[2], SavingsType.SUKARELA, deposit=300_000)
    saving(member, months[7], SavingsType.SUKARELA, withdrawal=100_000)
    # This month's is in the balance but not in the 12 complete months.
    saving(member, today, SavingsType.WAJIB, deposit=50_000)

    # 3.000.000 over 3 months, flat 1,5 %: 1.000.000 + 45.000 a month.
    old = earlier_loan(
        earlier_form,
        world,
        member,
        principal=3_000_000,
        tenor=3,
        disbursed_on=add_months(today, -6),
    )
    first, second, third = due_dates(old)
    pay(old, world, 1_045_000, first)
    pay(old, world, 1_045_000, second + datetime.timedelta(days=10))
    pay(old, world, 1_045_000, third)
    # 2.400.000 over 12 months: 200.000 + 36.000, first due next month.
    earlier_loan(earlier_form, world, member, principal=2_400_000, tenor=12, disbursed_on=today)
    ledger_loan(member, today, loan_no="LAMA-1", balance=500_000, instalment=200_000)
    ledger_loan(member, today, loan_no="LAMA-2", balance=0, instalment=150_000, days_overdue=5)
    return member


def test_a_regular_saver_is_worked_out_by_hand(world, decision_form, siti, today):
    support = support_for(apply(decision_form, world, siti))

    savings = support.savings
    assert (savings.wajib_months, savings.member_months) == (11, 12)
    assert savings.regularity == Decimal(11) / Decimal(12)
    assert savings.regularity_percent == Decimal("91.7")
    assert [month.month for month in savings.months] == [m.replace(day=1) for m in window(today)]
    assert savings.months[4].wajib == 0 and savings.months[3].wajib == 50_000
    assert savings.months[2].sukarela == 300_000
    assert savings.months[7].withdrawals == 100_000
    # The list's figures plus the book after its date (this month's deposit included).
    assert (savings.pokok, savings.wajib, savings.sukarela) == (100_000, 1_600_000, 400_000)
    assert savings.total == 2_100_000
    assert savings.balance_list_date == add_months(today.replace(day=1), -12) - datetime.timedelta(
        days=1
    )

    history = support.history
    assert history.paid_off == 1
    assert [loan.status for loan in history.loans] == [LoanStatus.ACTIVE, LoanStatus.PAID_OFF]
    active, old = history.loans
    assert (active.outstanding_principal, active.next_month_instalment) == (2_400_000, 236_000)
    assert (old.outstanding_principal, old.worst_days_late) == (0, 10)
    assert history.worst_days_late == 10  # the ledger's 5 days are less
    assert (history.days_late_now, history.overdue_now) == (0, 0)
    assert len(history.ledger) == 2

    money = support.affordability
    assert money.new_instalment == 590_000  # 500.000 principal + 1,5 % of 6.000.000
    assert money.existing_instalments == 236_000 + 200_000  # loan here + open ledger loan
    assert money.income == 4_000_000
    assert money.dsr == Decimal(1_026_000) / Decimal(4_000_000)
    assert money.dsr_percent == Decimal("25.7")
    assert money.problems == ()

    points = {factor.code: factor.points for factor in support.score.factors}
    assert points == {
        "wajib_regularity": 20,  # 91,7 % ≥ 90 %
        "membership": 10,  # 36 months
        "savings_cover": 10,  # 2.100.000 ÷ 6.000.000 = 35 %
        "repayment_history": 14,  # at worst 10 days late
        "arrears_now": 15,
        "debt_service": 25,  # 25,65 % ≤ 30 %
    }
    assert support.score.points == 94
    assert support.score.band == "good"
    assert_score_adds_up(support)


def test_the_loan_this_application_made_is_not_its_own_history(world, decision_form, siti):
    application = apply(decision_form, world, siti)
    made = loan_create_from_application(
        application=application,
        member=siti,
        product_code="mikro",
        principal=6_000_000,
        tenor_months=12,
        approved_by=world.henry,
    )
    ids = [loan.id for loan in support_for(application).history.loans]
    assert made.pk not in ids and len(ids) == 2


# --- Lateness from every source -------------------------------------------------------------------


def test_a_cancelled_late_payment_is_not_lateness(world, micro, earlier_form, decision_form, today):
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    loan = earlier_loan(
        earlier_form,
        world,
        member,
        principal=3_000_000,
        tenor=3,
        disbursed_on=add_months(today - datetime.timedelta(days=45), -1),
    )
    first, second, third = due_dates(loan)
    assert first + datetime.timedelta(days=40) <= today < third
    wrong = pay(loan, world, 1_045_000, first + datetime.timedelta(days=40))
    repayment_reverse(repayment=wrong, by=world.henry, note="Salah catat tanggal.")
    pay(loan, world, 1_045_000, first)
    pay(loan, world, 1_045_000, second)

    history = support_for(apply(decision_form, world, member)).history
    (row,) = history.loans
    assert (row.worst_days_late, row.days_late_now) == (0, 0)
    assert history.worst_days_late == 0
    assert row.outstanding_principal == 1_000_000


def test_lateness_now_and_stored_days_past_due_count(
    world, micro, earlier_form, decision_form, today
):
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    loan = earlier_loan(
        earlier_form,
        world,
        member,
        principal=2_400_000,
        tenor=12,
        disbursed_on=add_months(today - datetime.timedelta(days=20), -1),
    )
    first, second = due_dates(loan)[:2]
    assert first < today <= second
    # The arrears job once saw it 95 days late (an earlier stretch, since caught up).
    Loan.objects.filter(pk=loan.pk).update(days_past_due=95)

    support = support_for(apply(decision_form, world, member))
    history = support.history
    late = (today - first).days  # 20 to 23 days, by the length of the months
    assert history.days_late_now == late and 20 <= late <= 23
    assert history.overdue_now == 236_000
    assert history.worst_days_late == 95
    points = {factor.code: factor.points for factor in support.score.factors}
    assert points["arrears_now"] == 5  # 8–30 days
    assert points["repayment_history"] == 0  # more than 90 days, once
    assert_score_adds_up(support)


def test_the_imported_ledger_counts_for_lateness_and_instalments(
    world, micro, decision_form, today
):
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    ledger_loan(member, today, balance=300_000, instalment=250_000, days_overdue=100)

    support = support_for(apply(decision_form, world, member, penghasilan_bulanan=2_000_000))
    assert support.history.worst_days_late == 100
    assert support.history.days_late_now == 100
    assert support.history.has_track_record
    # (590.000 + 250.000) ÷ 2.000.000 = 42 %
    assert support.affordability.dsr == Decimal("0.42")
    points = {factor.code: factor.points for factor in support.score.factors}
    assert (points["repayment_history"], points["arrears_now"], points["debt_service"]) == (
        0,
        0,
        5,
    )
    assert_score_adds_up(support)


# --- Regularity, first instalment after grace, bands ----------------------------------------------


def test_regularity_counts_only_the_months_as_a_member(world, micro, decision_form, today):
    months = window(today)
    member = MemberFactory(cooperative=world.coop_a, join_date=months[8] + datetime.timedelta(5))
    saving(member, months[3], SavingsType.WAJIB, deposit=50_000)  # before joining: odd, ignored
    for index in (8, 10, 11):
        saving(member, months[index], SavingsType.WAJIB, deposit=50_000)

    support = support_for(apply(decision_form, world, member))
    savings = support.savings
    assert (savings.wajib_months, savings.member_months) == (3, 4)
    assert [month.as_member for month in savings.months] == [False] * 8 + [True] * 4
    assert savings.balance_list_date is None  # no member list: the book alone
    assert savings.wajib == 200_000
    points = {factor.code: factor.points for factor in support.score.factors}
    assert points["wajib_regularity"] == 14  # 75 %
    assert points["membership"] == 0  # 3 or 4 complete months
    assert points["repayment_history"] == 10  # no loans yet: nothing to judge
    assert_score_adds_up(support)


def test_the_new_instalment_is_the_first_full_one_after_the_grace(world, decision_form, today):
    LoanProduct.objects.create(
        code="usaha",
        name="Pinjaman Usaha",
        min_amount=1_000_000,
        max_amount=50_000_000,
        min_tenor_months=6,
        max_tenor_months=36,
        rate_percent=Decimal(12),
        rate_period=RatePeriod.YEAR,
        interest_method=InterestMethod.DECLINING_PRINCIPAL,
        grace_kind=GraceKind.INTEREST_ONLY,
        min_grace_months=2,
        max_grace_months=3,
    )
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    support = support_for(
        apply(
            decision_form,
            world,
            member,
            produk="usaha",
            jumlah=12_000_000,
            penghasilan_bulanan=3_000_000,
        )
    )
    money = support.affordability
    # Two months of interest only, then 12.000.000 ÷ 10 + 1 % of 12.000.000.
    assert (money.grace_months, money.new_instalment) == (2, 1_320_000)
    assert money.dsr == Decimal("0.44")
    assert {f.code: f.points for f in support.score.factors}["debt_service"] == 5


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (100, "good"),
        (70, "good"),
        (69, "careful"),
        (50, "careful"),
        (49, "high_risk"),
        (0, "high_risk"),
    ],
)
def test_the_band_thresholds(points, band):
    score = _score((Factor("a", "A", points, 100, "", ""),))
    assert (score.points, score.band) == (points, band)


# --- Answers missing or odd ----------------------------------------------------------------------


def test_missing_income_says_so_without_crashing(client, world, micro, decision_form, today):
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    application = apply(decision_form, world, member, penghasilan_bulanan=None)
    support = support_for(application)
    money = support.affordability
    assert money.income is None and money.dsr is None
    assert money.new_instalment == 590_000
    assert {f.code: f.points for f in support.score.factors}["debt_service"] == 0
    assert_score_adds_up(support)

    client.force_login(world.bob)
    page = client.get(reverse("task_detail", args=[open_step(application).pk]))
    assert page.status_code == 200
    with translation.override("id"):
        assert escape(translation.gettext("not given")) in page.content.decode()


def test_a_product_withdrawn_since_and_odd_answers_do_not_crash(world, micro, decision_form):
    application = apply(decision_form, world, MemberFactory(cooperative=world.coop_a))
    # The product was offered when the application was sent; an admin removed it since, and
    # an old import left text where numbers belong.
    Submission.objects.filter(pk=application.pk).update(
        data={**application.data, "produk": "hilang", "tenor_bulan": "dua belas"}
    )
    support = support_for(application)
    money = support.affordability
    assert (money.new_instalment, money.tenor_months, money.dsr) == (None, None, None)
    assert any("hilang" in problem for problem in money.problems)
    assert {f.code: f.points for f in support.score.factors}["debt_service"] == 0
    assert_score_adds_up(support)


def test_a_member_no_longer_found_shows_nothing_of_them(client, world, micro, decision_form, today):
    member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
    application = apply(decision_form, world, member)
    Submission.objects.filter(pk=application.pk).update(
        data={**application.data, "anggota": 987654}
    )
    support = support_for(application)
    assert support.member_id is None and support.savings is None and support.history is None
    assert support.affordability.new_instalment == 590_000
    assert_score_adds_up(support)

    client.force_login(world.bob)
    page = client.get(reverse("task_detail", args=[open_step(application).pk]))
    assert page.status_code == 200 and 'id="decision-support"' in page.content.decode()


def test_another_cooperatives_member_is_not_looked_up(world, micro, decision_form, today):
    application = apply(decision_form, world, MemberFactory(cooperative=world.coop_a))
    stranger = MemberFactory(cooperative=world.coop_c, name="Orang Berau")
    Submission.objects.filter(pk=application.pk).update(
        data={**application.data, "anggota": stranger.pk}
    )
    support = support_for(application)
    assert support.member_id is None and support.member_name == ""


# --- On the task page and in the API -------------------------------------------------------------


def test_the_approver_sees_every_factor_on_the_task_page(client, world, decision_form, siti):
    application = apply(decision_form, world, siti)
    step = open_step(application)
    client.force_login(world.bob)
    page = client.get(reverse("task_detail", args=[step.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    support = support_for(application)
    assert 'id="decision-support"' in html
    with translation.override("id"):
        shown = translation.gettext("+%(points)s of %(possible)s")
    for factor in support.score.factors:
        assert escape(factor.name) in html, factor.code
        assert escape(factor.reason) in html, factor.code
        assert escape(factor.rule) in html, factor.code
        assert shown % {"points": factor.points, "possible": factor.possible} in html
    assert escape(support.score.bands) in html
    assert "Rp 590.000" in html and "Rp 4.000.000" in html and "Rp 2.100.000" in html
    assert "LAMA-1" in html
    # Mobile layout and the CSP: stacked tables, no inline styles or scripts.
    assert 'class="stack' in html
    start = html.index('id="decision-support"')
    section = html[start : html.index("</section>", start)]
    assert "style=" not in section and "<script" not in section


def test_out_of_scope_users_get_nothing(world, decision_form, siti):
    application = apply(decision_form, world, siti)
    step = open_step(application)
    outsider = UserFactory(username="pengawas.berau")
    role_grant_create(user=outsider, role=Role.PENGAWAS, cooperative=world.coop_c)
    for user in (world.carol, world.ivan, outsider):
        browser = APIClient()
        browser.force_login(user)
        page = browser.get(reverse("task_detail", args=[step.pk]))
        assert page.status_code == 404, user
        assert "Siti Aminah" not in page.content.decode()
        answer = api_client(user).get(reverse("api-task-detail", args=[step.pk]))
        assert answer.status_code == 404, user
        assert "decision_support" not in answer.content.decode()


def test_the_api_gives_the_same_decision_support(world, decision_form, siti):
    application = apply(decision_form, world, siti)
    step = open_step(application)
    response = api_client(world.bob).get(reverse("api-task-detail", args=[step.pk]))
    assert response.status_code == 200
    data = response.json()["decision_support"]
    score = data["score"]
    assert score["points"] == 94 == sum(factor["points"] for factor in score["factors"])
    assert score["band"] == "good" and score["possible"] == 100
    assert [factor["code"] for factor in score["factors"]] == [
        "wajib_regularity",
        "membership",
        "savings_cover",
        "repayment_history",
        "arrears_now",
        "debt_service",
    ]
    assert all(factor["reason"] and factor["rule"] for factor in score["factors"])
    assert data["affordability"]["new_instalment"] == 590_000
    assert data["affordability"]["dsr"] == "0.2565"
    assert data["savings"]["regularity"] == "0.917"
    assert (data["savings"]["wajib_months"], data["savings"]["member_months"]) == (11, 12)
    assert data["history"]["worst_days_late"] == 10
    assert len(data["savings"]["months"]) == 12


def test_other_forms_have_no_decision_support(client, world, flow):
    general = publish_form(
        "Surat Uji",
        [field("short_text", "perihal", "Perihal")],
        audience=["operator"],
        reference_prefix="SRT",
        approval_workflow=flow,
    )
    draft = submission_start(
        form_page=general, cooperative=world.coop_a, author=world.alice, idempotency_key="srt-1"
    )
    submission_save_step(submission=draft, by=world.alice, step=0, answers={"perihal": "Uji"})
    sent = submission_submit(submission=draft, by=world.alice)
    assert loan_decision_support(submission=sent) is None
    step = open_step(sent)
    client.force_login(world.bob)
    page = client.get(reverse("task_detail", args=[step.pk]))
    assert page.status_code == 200 and 'id="decision-support"' not in page.content.decode()
    data = api_client(world.bob).get(reverse("api-task-detail", args=[step.pk])).json()
    assert data["decision_support"] is None


# --- A fixed number of queries -------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_members_loans(
    world, micro, earlier_form, decision_form, today
):
    def borrower(loans: int) -> Submission:
        member = MemberFactory(cooperative=world.coop_a, join_date=add_months(today, -24))
        ledger_loan(member, today, balance=100_000)
        for number in range(loans):
            loan = earlier_loan(
                earlier_form,
                world,
                member,
                principal=2_400_000,
                tenor=12,
                disbursed_on=add_months(today, -2),
            )
            first = due_dates(loan)[0]
            pay(loan, world, 236_000, first + datetime.timedelta(days=number))
            saving(member, window(today)[number], SavingsType.WAJIB, deposit=50_000)
        return apply(decision_form, world, member)

    one, ten = borrower(1), borrower(10)
    support_for(one)  # the form version's schema is cached after its first read

    counts = []
    for application in (one, ten):
        fresh = Submission.objects.select_related("form_page").get(pk=application.pk)
        with CaptureQueriesContext(connection) as queries:
            support = loan_decision_support(submission=fresh)
        counts.append(len(queries))
        assert support is not None
    assert len(support.history.loans) == 10
    assert support.history.worst_days_late == 9
    assert counts[0] == counts[1] == 9, counts
