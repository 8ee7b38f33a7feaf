"""The loans issue end to end on a 360 px phone: a Rp 12.000.000 application approved through
its workflow is paid out (recorded by the loan officer, who may not confirm it himself, and
confirmed by the pengawas), gets its schedule, receives a late payment; the nightly job moves
it to DPK; the portfolio's classes and NPL ratio change accordingly.

The payout is dated 75 days back (the approval moved back with it), so that two instalments
have fallen due by today without waiting for real months to pass."""

import datetime
import re

import pytest
from django.utils import timezone

from forms.enums import FormPurpose
from loans.enums import Collectibility, LoanStatus
from loans.models import Loan
from loans.services import (
    loan_create_from_application,
    loan_payout_confirm,
    loan_payout_record,
)
from loans.tasks import arrears_nightly
from tests.e2e.conftest import assert_fits_the_phone, sign_in, sign_out
from tests.e2e.test_workflow_journey import decide, open_inbox, open_task_from_inbox
from tests.factories import PASSWORD, MemberFactory, UserFactory
from tests.forms.builders import publish_form
from tests.workflows.builders import LOAN_FIELDS, loan_application, loan_form, loan_workflow

pytestmark = pytest.mark.e2e

APPROVE = "Setujui"
RECORD_PAYOUT = "Catat pencairan"
CONFIRM_PAYOUT = "Konfirmasi pencairan"
RECORD_PAYMENT = "Catat pembayaran"
OTHER_OFFICER = "Pencairan yang Anda catat harus dikonfirmasi oleh petugas lain."


def switch_user(page, base: str, username: str) -> None:
    sign_out(page)
    sign_in(page, base, username, PASSWORD)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def npl_figure(page) -> str:
    figure = page.locator(".figure").filter(has_text="Rasio NPL").locator("b")
    return figure.inner_text().replace("\xa0", " ")


def old_macet_loan(world) -> Loan:
    """A loan of the same cooperative paid out a year ago and never repaid: Macet."""
    form = publish_form(
        "Pinjaman Lama",
        LOAN_FIELDS,
        audience=["operator"],
        purpose=FormPurpose.LOAN_APPLICATION,
        reference_prefix="PIL",
    )
    member = MemberFactory(cooperative=world.coop_a, name="Yohanes Lama")
    application = loan_application(form, world, 5_000_000, member=member)
    loan = loan_create_from_application(
        application=application,
        member=member,
        product_code="modal_usaha",
        principal=5_000_000,
        tenor_months=12,
        approved_by=world.henry,
    )
    Loan.objects.filter(pk=loan.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=366)
    )
    loan.refresh_from_db()
    year_ago = timezone.localdate() - datetime.timedelta(days=365)
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=year_ago)
    return loan_payout_confirm(loan=loan, by=UserFactory(username="kasir.lama"))


def test_approved_loan_is_paid_out_by_two_people_paid_late_and_turns_dpk(
    world, page_tree, live_server, phone, shot
):
    base = live_server.url
    flow, _committee = loan_workflow(world)
    form = loan_form(flow)
    old = old_macet_loan(world)
    arrears_nightly()
    old.refresh_from_db()
    assert old.collectibility == Collectibility.MACET
    member = MemberFactory(cooperative=world.coop_a, name="Siti Rahmawati")

    # --- The application goes through its workflow (pengawas, then loan officer) ---------------
    submission = loan_application(form, world, 12_000_000, member=member)
    sign_in(phone, base, "bob", PASSWORD)
    for approver in ("bob", "henry"):
        if approver != "bob":
            switch_user(phone, base, approver)
        open_inbox(phone)
        open_task_from_inbox(phone, submission.reference)
        # The member's record and a score with every factor, beside the request.
        support = phone.get_by_role("region", name="Bahan pertimbangan keputusan")
        assert support.count() == 1
        shot(phone, f"loans-00-decision-support-{approver}")
        decide(phone, APPROVE)
    loan = Loan.objects.get(application=submission)
    assert loan.status == LoanStatus.APPROVED

    # The portfolio before: only the old Macet loan is outstanding, NPL 100 %.
    phone.goto(f"{base}/pinjaman/")
    assert npl_figure(phone) == "100 %"
    shot(phone, "loans-01-portfolio-before")

    # --- Payout, recorded by the loan officer 75 days back --------------------------------------
    paid_out = timezone.localdate() - datetime.timedelta(days=75)
    Loan.objects.filter(pk=loan.pk).update(approved_at=timezone.now() - datetime.timedelta(days=76))
    phone.goto(f"{base}/pinjaman/{loan.pk}/")
    assert_fits_the_phone(phone)
    shot(phone, "loans-02-card-approved")
    phone.get_by_label("Tanggal pencairan").fill(paid_out.isoformat())
    phone.get_by_role("button", name=RECORD_PAYOUT).click()
    phone.wait_for_load_state()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.PAYOUT_RECORDED
    # He may not confirm his own payout: the page says so and offers no button.
    assert OTHER_OFFICER in main_text(phone)
    assert phone.get_by_role("button", name=CONFIRM_PAYOUT).count() == 0
    shot(phone, "loans-03-payout-recorded")

    # --- The pengawas confirms: the schedule is fixed ------------------------------------------
    switch_user(phone, base, "bob")
    phone.goto(f"{base}/pinjaman/{loan.pk}/")
    phone.get_by_role("button", name=CONFIRM_PAYOUT).click()
    phone.wait_for_load_state()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE and loan.payout_confirmed_by == world.bob
    instalments = list(loan.instalments.order_by("number"))
    assert len(instalments) == 12
    schedule = phone.get_by_role("region", name="Jadwal angsuran")
    assert schedule.get_by_role("row").count() >= 13  # heading + 12 instalments
    assert "Rp 1.120.000" in schedule.inner_text()  # 1.000.000 principal + 1 % interest
    assert_fits_the_phone(phone)
    shot(phone, "loans-04-schedule")

    # --- A late payment: the first instalment, paid today ---------------------------------------
    switch_user(phone, base, "alice")
    phone.goto(f"{base}/pinjaman/{loan.pk}/")
    phone.get_by_label("Jumlah dibayar (Rp)").fill("1.120.000")
    phone.get_by_role("button", name=RECORD_PAYMENT).click()
    phone.wait_for_load_state()
    instalments[0].refresh_from_db()
    assert instalments[0].owed == 0
    assert "Rp 1.120.000" in phone.get_by_role("region", name="Pembayaran").inner_text()
    assert_fits_the_phone(phone)
    shot(phone, "loans-05-late-payment")

    # --- The nightly job: the second instalment is still unpaid → DPK --------------------------
    arrears_nightly()
    loan.refresh_from_db()
    days = (timezone.localdate() - instalments[1].due_date).days
    assert 1 <= days <= 90
    assert (loan.days_past_due, loan.collectibility) == (days, Collectibility.DPK)

    switch_user(phone, base, "henry")
    phone.goto(f"{base}/pinjaman/{loan.pk}/")
    assert "Dalam Perhatian Khusus" in main_text(phone)
    phone.goto(f"{base}/pinjaman/")
    classes = phone.get_by_role("table", name=re.compile("kolektibilitas", re.I)).inner_text()
    assert re.search(r"Dalam Perhatian Khusus[^\n]*\t1\t", classes), classes
    # NPL: the Macet loan's principal ÷ all principal still owed, now that ours counts too.
    outstanding_ours = 12_000_000 - 1_000_000
    assert outstanding_ours == 11_000_000  # 5.000.000 ÷ 16.000.000 = 31,25 %, shown half up
    assert npl_figure(phone) == "31,3 %"
    assert_fits_the_phone(phone)
    shot(phone, "loans-06-portfolio-after")
