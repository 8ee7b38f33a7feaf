"""The review in the portal: inbox, deciding beside the submission, withdrawing, history,
notifications and the province's report."""

import datetime
import io

import openpyxl
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from forms.enums import SubmissionStatus
from tests.workflows.builders import loan_application
from workflows.models import ApprovalTaskState, Decision, Notification


def open_step(submission):
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def test_inbox_lists_what_waits_for_me_overdue_first(client, form, world):
    later = loan_application(form, world, 20_000_000)
    overdue = loan_application(form, world, 30_000_000)
    ApprovalTaskState.objects.filter(pk=open_step(overdue).pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=5)
    )
    client.force_login(world.bob)
    page = client.get(reverse("inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(overdue.reference) < html.index(later.reference)
    assert "is-overdue" in html
    assert "2 isian menunggu keputusan Anda" in html
    only_overdue = client.get(reverse("inbox"), {"overdue": "on"}).content.decode()
    assert overdue.reference in only_overdue and later.reference not in only_overdue
    # The menu counts them too.
    assert 'class="count-badge">2' in html

    client.force_login(world.alice)
    assert (
        "Tidak ada yang menunggu keputusan Anda." in client.get(reverse("inbox")).content.decode()
    )


def test_the_pengawas_approves_beside_the_submission(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    client.force_login(world.bob)
    page = client.get(reverse("task_detail", args=[step.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Keputusan Anda" in html and "Jumlah pinjaman" in html and "Riwayat" in html
    response = client.post(reverse("task_detail", args=[step.pk]), {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")
    assert open_step(sent).task.name == "Persetujuan petugas pinjaman"
    # A second tab posting the same decision is told, not counted twice.
    again = client.post(reverse("task_detail", args=[step.pk]), {"action": "approve"})
    assert again.status_code in (403, 409)
    assert Decision.objects.filter(task_state=step).count() == 1


def test_the_author_sees_why_they_cannot_decide_and_a_post_changes_nothing(client, form, world):
    role_grant_create(user=world.alice, role=Role.PENGAWAS, cooperative=world.coop_a)
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    client.force_login(world.alice)
    page = client.get(reverse("task_detail", args=[step.pk])).content.decode()
    assert "Anda tidak dapat memutuskan isian yang Anda buat atau ubah sendiri." in page
    assert 'name="action"' not in page
    refused = client.post(reverse("task_detail", args=[step.pk]), {"action": "approve"})
    assert refused.status_code == 403
    assert not Decision.objects.exists()


def test_reject_without_a_reason_is_explained_in_indonesian(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    client.force_login(world.bob)
    response = client.post(reverse("task_detail", args=[step.pk]), {"action": "reject"})
    assert response.status_code == 400
    assert "Tulis alasannya" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW


def test_out_of_scope_task_is_404(client, form, world):
    step = open_step(loan_application(form, world, 20_000_000))
    client.force_login(world.carol)
    assert client.get(reverse("task_detail", args=[step.pk])).status_code == 404
    assert (
        client.post(reverse("task_detail", args=[step.pk]), {"action": "approve"}).status_code
        == 404
    )


def test_the_author_withdraws_from_the_submission_page_and_sees_the_history(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    client.force_login(world.alice)
    detail = client.get(reverse("submission_detail", args=[sent.pk])).content.decode()
    assert "Menunggu: Verifikasi pengawas" in detail
    assert "Tarik isian" in detail
    client.force_login(world.bob)
    assert client.post(reverse("submission_withdraw", args=[sent.pk])).status_code == 302
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW  # only the author may withdraw
    client.force_login(world.alice)
    client.post(reverse("submission_withdraw", args=[sent.pk]), {"comment": "Salah anggota"})
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.WITHDRAWN
    detail = client.get(reverse("submission_detail", args=[sent.pk])).content.decode()
    assert "Salah anggota" in detail and "Ditarik" in detail
    assert "Tarik isian" not in detail


def test_notifications_are_marked_read_once_shown_and_when_the_step_is_decided(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    client.force_login(world.bob)
    assert 'class="count-badge">1' in client.get(reverse("inbox")).content.decode()
    page = client.get(reverse("notification_list")).content.decode()
    assert sent.reference in page and 'class="panel unread"' in page and "Alice" in page
    again = client.get(reverse("notification_list")).content.decode()
    assert 'class="panel unread"' not in again

    # A decision also clears what the decider was told about the step.
    second = loan_application(form, world, 30_000_000)
    client.post(reverse("task_detail", args=[open_step(second).pk]), {"action": "approve"})
    assert not Notification.objects.filter(recipient=world.bob, read_at__isnull=True).exists()


def test_the_report_counts_open_steps_per_regency(client, form, world):
    loan_application(form, world, 20_000_000)
    client.force_login(world.erin)
    page = client.get(reverse("workflow_report")).content.decode()
    assert "Kutai Kartanegara" in page and "Verifikasi pengawas" in page
    report = client.get(reverse("workflow_report_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Kabupaten/kota", "Tahap")
    assert ("Kabupaten Kutai Kartanegara", "Verifikasi pengawas") in {row[:2] for row in rows[1:]}
    assert all(isinstance(row[2], int) for row in rows[1:])
    assert sheet.freeze_panes == "A2"
    client.force_login(world.bob)
    assert client.get(reverse("workflow_report")).status_code == 404
    assert client.get(reverse("workflow_report_xlsx")).status_code == 404


def test_the_history_downloads_as_a_workbook_within_scope(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    client.force_login(world.bob)
    client.post(
        reverse("task_detail", args=[open_step(sent).pk]),
        {"action": "request_changes", "comment": '=HYPERLINK("http://x") tenor salah'},
    )
    client.force_login(world.alice)
    response = client.get(reverse("submission_history_xlsx", args=[sent.pk]))
    assert response.status_code == 200
    assert sent.reference in response["Content-Disposition"]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("Waktu", "Peristiwa", "Tahap")
    assert [row[1] for row in rows[1:]] == ["Diajukan", "Tahap dimulai", "Perlu diperbaiki"]
    assert rows[-1][3] == "bob"
    # Neutralised: text, never a formula, even if the sheet is saved again as CSV.
    assert rows[-1][6] == '\'=HYPERLINK("http://x") tenor salah'
    assert isinstance(rows[1][0], datetime.datetime)
    client.force_login(world.carol)
    assert client.get(reverse("submission_history_xlsx", args=[sent.pk])).status_code == 404


def test_an_officer_finds_what_they_decided(client, form, world):
    sent = loan_application(form, world, 20_000_000)
    waiting = loan_application(form, world, 30_000_000)
    client.force_login(world.bob)
    client.post(reverse("task_detail", args=[open_step(sent).pk]), {"action": "approve"})
    mine = client.get(reverse("inbox"), {"status": "decided"}).content.decode()
    assert sent.reference in mine and waiting.reference not in mine
    assert "Disetujui" in mine
    open_ = client.get(reverse("inbox")).content.decode()
    assert waiting.reference in open_ and sent.reference not in open_


def test_review_pages_are_light_and_csp_clean(client, form, world):
    from tests.website.test_portal import PAGE_BUDGET_BYTES, assert_csp_clean, html, page_weight

    sent = loan_application(form, world, 75_000_000)
    step = open_step(sent)
    pages = {
        "inbox": (world.bob, reverse("inbox")),
        "task": (world.bob, reverse("task_detail", args=[step.pk])),
        "submission with history": (world.alice, reverse("submission_detail", args=[sent.pk])),
        "notifications": (world.bob, reverse("notification_list")),
        "report": (world.erin, reverse("workflow_report")),
    }
    for name, (user, url) in pages.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, name
        assert page_weight(response) < PAGE_BUDGET_BYTES, name
        assert_csp_clean(html(response))
