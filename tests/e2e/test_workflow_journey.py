"""The approval workflows issue end to end on a 360 px phone: an operator sends a loan
application of Rp 75.000.000; her own attempt to approve it is refused; the pengawas sends it
back, she changes it and sends it again; pengawas and loan officer approve; the committee step
needs two different people; the last approval creates the loan."""

import re

import pytest

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from forms.enums import SubmissionStatus
from forms.models import Submission
from loans.models import Loan
from tests.e2e.conftest import assert_fits_the_phone, sign_in, sign_out
from tests.factories import PASSWORD, MemberFactory
from tests.workflows.builders import loan_form, loan_workflow
from workflows.models import ApprovalTaskState
from workflows.selectors import inbox

pytestmark = pytest.mark.e2e

FORM = "Pinjaman Uji"
# The portal's Indonesian, as a village treasurer reads it.
APPROVE = "Setujui"
REQUEST_CHANGES = "Minta perbaikan"
REJECT = "Tolak"
YOUR_DECISION = "Keputusan Anda"
SAVE_DECISION = "Simpan keputusan"
TASKS = "Tugas"
NOTIFICATIONS = "Pemberitahuan"
IN_REVIEW = "Sedang diperiksa"
CHANGES_REQUESTED = "Perlu diperbaiki"
APPROVED = "Disetujui"
OWN_WORK = "Anda tidak dapat memutuskan isian yang Anda buat atau ubah sendiri."
RECORDED = "Keputusan Anda sudah dicatat."
NOTHING_WAITS = "Tidak ada yang menunggu keputusan Anda."
REASON_NEEDED = "Tulis alasannya, agar koperasi tahu apa yang harus diperbaiki."
ALREADY_DECIDED = "Anda sudah memutuskan langkah ini; orang lain juga harus memutuskan."
SENT_BACK = "Tenor 12 bulan terlalu berat untuk angsurannya. Ubah menjadi 24 bulan."


def switch_user(page, base: str, username: str) -> None:
    sign_out(page)
    sign_in(page, base, username, PASSWORD)


def menu(page):
    return page.get_by_role("navigation", name="Menu utama")


def open_inbox(page):
    menu(page).get_by_role("link", name=re.compile(f"^{TASKS}")).click()
    page.wait_for_load_state()
    assert page.url.endswith("/tugas/")
    assert_fits_the_phone(page)


def open_task_from_inbox(page, reference: str) -> None:
    page.get_by_role("link", name=reference).click()
    page.wait_for_load_state()
    assert re.search(r"/tugas/\d+/$", page.url), page.url
    assert_fits_the_phone(page)


def decision_form(page):
    """The decision form, found by its button (the page may style it as it likes)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=SAVE_DECISION))


def main_text(page) -> str:
    return page.locator("main").inner_text()


def status_badge(page) -> str:
    return page.locator("main .badge").first.inner_text()


def history_text(page) -> str:
    return page.get_by_role("region", name="Riwayat").inner_text()


def decide(page, action: str, comment: str = "") -> None:
    decision = decision_form(page)
    decision.get_by_label(action, exact=True).check()
    if comment:
        decision.get_by_label("Komentar").fill(comment)
    decision.get_by_role("button", name=SAVE_DECISION).click()
    page.wait_for_load_state()


def open_step(submission: Submission) -> ApprovalTaskState:
    return ApprovalTaskState.objects.get(submission=submission, status="in_progress")


def post_approval_anyway(page, base: str, task_state: ApprovalTaskState):
    """Post "approve" for the step straight to the server, as a crafted request would, with the
    signed-in user's session and CSRF token: the page hiding the form is not the only guard."""
    url = f"{base}/tugas/{task_state.pk}/"
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    return page.request.post(
        url,
        form={"csrfmiddlewaretoken": token, "action": "approve", "comment": ""},
        headers={"Referer": url},
    )


def test_loan_application_goes_through_review_to_a_loan_on_a_phone(
    world, page_tree, live_server, phone, shot
):
    base = live_server.url
    flow, _committee = loan_workflow(world)
    form = loan_form(flow)
    member = MemberFactory(cooperative=world.coop_a, name="Siti Rahmawati")
    # Alice is pengawas of her own cooperative too: her refusal below is about her own work,
    # not about a role she lacks.
    role_grant_create(user=world.alice, role=Role.PENGAWAS, cooperative=world.coop_a)

    # --- Alice fills the loan application and sends it -----------------------------------------
    sign_in(phone, base, "alice", PASSWORD)
    menu(phone).get_by_role("link", name="Formulir").click()
    phone.wait_for_load_state()
    phone.locator(".card").filter(has_text=FORM).get_by_role("link", name="Isi", exact=True).click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="Mulai isian baru").click()
    phone.wait_for_load_state()
    submission = Submission.objects.get(form_page=form)
    assert phone.url.endswith(f"/isian/{submission.pk}/langkah/0/")
    phone.get_by_label("Anggota").select_option(str(member.pk))
    phone.get_by_label("Modal usaha").check()
    phone.get_by_label("Jumlah pinjaman").fill("75.000.000")
    phone.get_by_label("Tenor (bulan)").fill("12")
    assert_fits_the_phone(phone)
    shot(phone, "workflows-01-operator-fills-loan")
    phone.get_by_role("button", name="Simpan dan periksa").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{submission.pk}/periksa/")
    review = main_text(phone)
    assert "Rp 75.000.000" in review and "Siti Rahmawati" in review
    phone.get_by_role("button", name="Kirim formulir").click()
    phone.wait_for_load_state()

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert phone.url.endswith(f"/isian/{submission.pk}/")
    reference = submission.reference
    assert reference in phone.locator(".messages").inner_text()
    assert phone.locator(".reference").inner_text() == reference
    assert status_badge(phone) == IN_REVIEW
    assert "Menunggu: Verifikasi pengawas" in main_text(phone)
    withdraw_form = phone.locator(f"form[action='/isian/{submission.pk}/tarik/']")
    assert withdraw_form.count() == 1  # she may still take it back while it is in review
    assert_fits_the_phone(phone)
    shot(phone, "workflows-02-operator-sent")
    first_step = open_step(submission)

    # --- Her own submission is not in her tasks, and she may not decide it -------------------------
    open_inbox(phone)
    assert phone.get_by_role("link", name=reference).count() == 0
    assert NOTHING_WAITS in main_text(phone)
    shot(phone, "workflows-03-operator-inbox-empty")
    phone.goto(f"{base}/tugas/{first_step.pk}/")
    assert OWN_WORK in main_text(phone)
    assert decision_form(phone).count() == 0
    assert phone.get_by_role("radio").count() == 0
    assert_fits_the_phone(phone)
    shot(phone, "workflows-04-operator-own-task-refused")
    # Posting the approval anyway is refused by the server too.
    assert post_approval_anyway(phone, base, first_step).status == 403
    first_step.refresh_from_db()
    assert first_step.status == "in_progress" and not first_step.decisions.exists()

    # --- Bob (pengawas) sends it back with a reason --------------------------------------------
    switch_user(phone, base, "bob")
    # The menu counts her open tasks: "Tugas 1 terbuka" to a screen reader.
    assert menu(phone).get_by_role("link", name=re.compile(rf"^{TASKS}\s*1\b")).count() == 1
    open_inbox(phone)
    assert "1 isian menunggu keputusan Anda" in main_text(phone)
    shot(phone, "workflows-05-pengawas-inbox")
    open_task_from_inbox(phone, reference)
    task_page = main_text(phone)
    assert "Rp 75.000.000" in task_page and "Siti Rahmawati" in task_page
    decision = decision_form(phone)
    assert decision.get_by_role("group", name=YOUR_DECISION).count() == 1
    for action in (APPROVE, REQUEST_CHANGES, REJECT):
        assert decision.get_by_label(action, exact=True).count() == 1
    shot(phone, "workflows-06-pengawas-task")
    # Sending it back without saying what to fix is refused, beside the comment box.
    decide(phone, REQUEST_CHANGES)
    assert decision_form(phone).count() == 1
    assert REASON_NEEDED in decision_form(phone).inner_text()
    assert_fits_the_phone(phone)
    shot(phone, "workflows-07-pengawas-reason-missing")
    decide(phone, REQUEST_CHANGES, SENT_BACK)
    assert phone.url.endswith("/tugas/")
    assert RECORDED in phone.locator(".messages").inner_text()
    assert phone.get_by_role("link", name=reference).count() == 0
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED

    # --- Alice reads why, changes the tenor and sends it again ---------------------------------
    switch_user(phone, base, "alice")
    notifications_link = menu(phone).get_by_role(
        "link", name=re.compile(rf"^{NOTIFICATIONS}\s*1\b")
    )
    notifications_link.click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/pemberitahuan/")
    assert SENT_BACK in main_text(phone)
    assert_fits_the_phone(phone)
    shot(phone, "workflows-08-operator-notification")
    phone.get_by_role("link", name=re.compile(re.escape(reference))).first.click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{submission.pk}/")
    assert status_badge(phone) == CHANGES_REQUESTED
    # The reviewer's words are in the notice at the top, not only far down in the history.
    assert "Bob (Verifikasi pengawas) mengembalikan isian ini:" in main_text(phone)
    notice = phone.locator("main .notice").first.inner_text()
    assert SENT_BACK in notice
    assert SENT_BACK in history_text(phone)
    assert_fits_the_phone(phone)
    shot(phone, "workflows-09-operator-sent-back")
    phone.get_by_role("link", name="Ubah dan kirim lagi").click()
    phone.wait_for_load_state()
    # Every step was filled: she lands on "check and send" and changes the answers from there.
    assert phone.url.endswith(f"/isian/{submission.pk}/periksa/")
    phone.locator("main").get_by_role("link", name=re.compile("^Ubah")).click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{submission.pk}/langkah/0/")
    assert phone.get_by_label("Jumlah pinjaman").input_value().replace(".", "") in (
        "75000000",
        "Rp 75000000",
    )
    phone.get_by_label("Tenor (bulan)").fill("24")
    phone.get_by_role("button", name="Simpan dan periksa").click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="Kirim formulir").click()
    phone.wait_for_load_state()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert submission.data["tenor_bulan"] == 24
    assert status_badge(phone) == IN_REVIEW
    shot(phone, "workflows-10-operator-sent-again")

    # --- Pengawas, then loan officer approve ---------------------------------------------------
    for username, step_name, name in (
        ("bob", "Verifikasi pengawas", "workflows-11-pengawas-approves"),
        ("henry", "Persetujuan petugas pinjaman", "workflows-12-loan-officer-approves"),
    ):
        switch_user(phone, base, username)
        open_inbox(phone)
        open_task_from_inbox(phone, reference)
        task_page = main_text(phone)
        assert step_name in task_page and "Rp 75.000.000" in task_page
        decision_form(phone).get_by_label(APPROVE, exact=True).check()
        shot(phone, name)
        decide(phone, APPROVE)
        assert phone.url.endswith("/tugas/")
        assert RECORDED in phone.locator(".messages").inner_text()

    # --- The committee: Dave approves first, and cannot approve twice ---------------------------
    committee_step = open_step(submission)
    assert committee_step.task.name == "Komite pinjaman"
    switch_user(phone, base, "dave")
    open_inbox(phone)
    shot(phone, "workflows-13-committee-inbox")
    open_task_from_inbox(phone, reference)
    assert "0 dari 2 persetujuan" in main_text(phone)
    decide(phone, APPROVE)
    assert phone.url.endswith("/tugas/")
    assert phone.get_by_role("link", name=reference).count() == 0
    assert NOTHING_WAITS in main_text(phone)
    committee_step.refresh_from_db()
    submission.refresh_from_db()
    assert committee_step.status == "in_progress" and committee_step.decisions.count() == 1
    assert submission.status == SubmissionStatus.IN_REVIEW
    shot(phone, "workflows-14-committee-first-approval-done")
    phone.goto(f"{base}/tugas/{committee_step.pk}/")
    assert "1 dari 2 persetujuan" in main_text(phone)
    assert ALREADY_DECIDED in main_text(phone)
    assert decision_form(phone).count() == 0
    assert_fits_the_phone(phone)
    shot(phone, "workflows-15-committee-cannot-approve-twice")
    assert post_approval_anyway(phone, base, committee_step).status == 403
    assert committee_step.decisions.count() == 1
    # Erin, the third member of the committee, may still give the second approval.
    assert inbox(world.erin).filter(pk=committee_step.pk).exists()

    # --- Frank, a second committee member, gives the final approval ----------------------------
    switch_user(phone, base, "frank")
    open_inbox(phone)
    open_task_from_inbox(phone, reference)
    assert "1 dari 2 persetujuan" in main_text(phone)
    shot(phone, "workflows-16-committee-second-approver")
    decide(phone, APPROVE)
    assert RECORDED in phone.locator(".messages").inner_text()

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    loan = Loan.objects.get(application=submission)
    assert loan.principal == 75_000_000
    assert loan.tenor_months == 24
    assert loan.member_id == member.pk
    assert loan.cooperative_id == world.coop_a.pk
    assert loan.approved_by_id == world.frank.pk
    assert not inbox(world.erin).exists()

    # --- Alice sees it approved, with every step in the history -------------------------------
    switch_user(phone, base, "alice")
    phone.goto(f"{base}/isian/{submission.pk}/")
    assert status_badge(phone) == APPROVED
    timeline = history_text(phone)
    for step_name in ("Verifikasi pengawas", "Persetujuan petugas pinjaman", "Komite pinjaman"):
        assert step_name in timeline
    assert SENT_BACK in timeline
    for person in ("Bob", "Henry", "Dave", "Frank"):
        assert person in timeline
    assert withdraw_form.count() == 0  # decided: nothing to take back any more
    assert_fits_the_phone(phone)
    shot(phone, "workflows-17-operator-approved-history")
