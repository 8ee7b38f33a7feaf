"""A loan application through pengawas → loan officer → (above Rp 50 juta) a two-person
committee: every transition, who may decide, the effects and the audit trail."""

import datetime

import pytest
from django.core import mail
from wagtail.models import TaskState, WorkflowState

from cooperatives.enums import Role
from cooperatives.models import Region
from cooperatives.services import role_grant_create
from forms.enums import SubmissionStatus
from forms.services import (
    SubmissionError,
    submission_save_step,
    submission_start,
    submission_submit,
)
from loans.models import Loan
from tests.factories import MemberFactory, UserFactory
from tests.workflows.builders import loan_application
from workflows.enums import Action, Event, NotificationKind
from workflows.models import ApprovalTaskState, AuditRecord, Notification
from workflows.selectors import inbox
from workflows.services import (
    AlreadyDecided,
    NotAnApprover,
    ReviewError,
    submission_withdraw,
    task_decide,
)


def open_step(submission):
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def events(submission):
    return list(submission.audit.values_list("event", flat=True))


def decide(submission, user, action=Action.APPROVE, comment=""):
    return task_decide(
        task_state_id=open_step(submission).pk, by=user, action=action, comment=comment
    )


def test_submit_starts_the_workflow_and_tells_the_pengawas(
    form, world, django_capture_on_commit_callbacks
):
    world.bob.email = "bob@example.id"
    world.bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = loan_application(form, world, 20_000_000)
    assert sent.status == SubmissionStatus.IN_REVIEW
    assert events(sent) == [Event.SUBMITTED, Event.STEP_STARTED]
    assert list(inbox(world.bob)) == [open_step(sent)]
    for other in (world.alice, world.henry, world.carol, world.dave):
        assert not inbox(other).exists()
    assert open_step(sent).due_at is not None
    notification = Notification.objects.get(recipient=world.bob)
    assert notification.kind == NotificationKind.TASK_ASSIGNED
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1 and sent.reference in mail.outbox[0].subject


def test_big_loan_needs_two_distinct_committee_members_then_becomes_a_loan(form, world):
    sent = loan_application(form, world, 75_000_000)
    decide(sent, world.bob)
    assert list(inbox(world.henry)) == [open_step(sent)]
    decide(sent, world.henry)
    committee_step = open_step(sent)
    assert committee_step.task.name == "Komite pinjaman"
    decide(sent, world.dave)
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW  # one of two approvals
    with pytest.raises(NotAnApprover):
        decide(sent, world.dave)  # one person cannot fill both slots
    assert not inbox(world.dave).exists()
    decide(sent, world.frank)
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.APPROVED
    loan = Loan.objects.get(application=sent)
    assert (loan.principal, loan.tenor_months, loan.cooperative) == (75_000_000, 12, world.coop_a)
    state = WorkflowState.objects.get(object_id=str(sent.pk))
    assert state.status == WorkflowState.STATUS_APPROVED
    assert events(sent)[-3:] == [Event.APPROVED, Event.STEP_APPROVED, Event.FINAL_APPROVED]
    assert Notification.objects.filter(recipient=world.alice, kind=NotificationKind.APPROVED)


def test_small_loan_skips_the_committee_and_the_history_says_so(form, world):
    sent = loan_application(form, world, 20_000_000)
    decide(sent, world.bob)
    decide(sent, world.henry)
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.APPROVED
    skipped = sent.audit.get(event=Event.STEP_SKIPPED)
    assert skipped.step_name == "Komite pinjaman"
    assert "50000000" in skipped.comment
    assert Loan.objects.filter(application=sent).exists()


def test_the_author_may_not_decide_whatever_roles_they_hold(form, world):
    role_grant_create(user=world.alice, role=Role.PENGAWAS, cooperative=world.coop_a)
    sent = loan_application(form, world, 20_000_000)
    assert not inbox(world.alice).exists()
    with pytest.raises(NotAnApprover, match="buat atau ubah sendiri"):
        decide(sent, world.alice)
    assert open_step(sent).decisions.count() == 0


def test_a_pengawas_of_another_cooperative_may_not_decide(form, world):
    outsider = UserFactory(username="pengawas.berau")
    role_grant_create(user=outsider, role=Role.PENGAWAS, cooperative=world.coop_c)
    sent = loan_application(form, world, 20_000_000)
    assert not inbox(outsider).exists()
    with pytest.raises(NotAnApprover):
        decide(sent, outsider)


def test_request_changes_then_resubmit_returns_to_the_same_step_keeping_the_old_answers(
    form, world
):
    sent = loan_application(form, world, 20_000_000)
    decide(sent, world.bob)
    with pytest.raises(ReviewError):
        decide(sent, world.henry, Action.REQUEST_CHANGES)  # a reason is required
    decide(sent, world.henry, Action.REQUEST_CHANGES, "Tenor terlalu pendek, jadikan 24 bulan.")
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.CHANGES_REQUESTED
    assert not inbox(world.henry).exists()
    assert Notification.objects.filter(
        recipient=world.alice, kind=NotificationKind.CHANGES_REQUESTED
    ).exists()

    submission_save_step(submission=sent, by=world.alice, step=0, answers={"tenor_bulan": 24})
    again = submission_submit(submission=sent, by=world.alice)
    assert again.status == SubmissionStatus.IN_REVIEW
    assert again.reference == sent.reference
    step = open_step(again)
    assert step.task.name == "Persetujuan petugas pinjaman"  # not back to the pengawas
    assert again.revisions.count() == 2
    assert [r.as_object().data["tenor_bulan"] for r in again.revisions.order_by("pk")] == [12, 24]
    decide(again, world.henry)
    again.refresh_from_db()
    assert again.status == SubmissionStatus.APPROVED
    assert Loan.objects.get(application=again).tenor_months == 24
    assert Event.RESUBMITTED in events(again)


def test_reject_needs_a_reason_and_ends_the_review_for_good(form, world):
    sent = loan_application(form, world, 20_000_000)
    with pytest.raises(ReviewError):
        decide(sent, world.bob, Action.REJECT, "   ")
    step = open_step(sent)
    decide(sent, world.bob, Action.REJECT, "Anggota masih menunggak pinjaman lama.")
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.REJECTED
    with pytest.raises(AlreadyDecided):
        task_decide(task_state_id=step.pk, by=world.henry, action=Action.APPROVE)
    with pytest.raises(ReviewError):
        submission_withdraw(submission=sent, by=world.alice)
    with pytest.raises(SubmissionError):
        submission_save_step(submission=sent, by=world.alice, step=0, answers={"jumlah": 1})
    rejection = Notification.objects.get(recipient=world.alice, kind=NotificationKind.REJECTED)
    assert "menunggak" in rejection.comment
    assert not Loan.objects.exists()


def test_the_author_may_withdraw_before_a_decision(form, world):
    sent = loan_application(form, world, 20_000_000)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, whatever its subclass
        submission_withdraw(submission=sent, by=world.bob)
    submission_withdraw(submission=sent, by=world.alice, comment="Salah anggota.")
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.WITHDRAWN
    assert not inbox(world.bob).exists()
    assert WorkflowState.objects.get(object_id=str(sent.pk)).status == "cancelled"
    assert events(sent)[-1] == Event.WITHDRAWN


def test_every_audit_row_records_who_from_and_to(form, world):
    sent = loan_application(form, world, 20_000_000)
    decide(sent, world.bob)
    rows = list(sent.audit.all())
    assert [(r.event, r.from_status, r.to_status) for r in rows] == [
        (Event.SUBMITTED, SubmissionStatus.DRAFT, SubmissionStatus.IN_REVIEW),
        (Event.STEP_STARTED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.APPROVED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.STEP_APPROVED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.STEP_STARTED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
    ]
    assert rows[0].actor == world.alice and rows[2].actor == world.bob
    assert rows[2].step_name == "Verifikasi pengawas"


def test_a_form_without_workflow_is_only_received(world):
    from tests.workflows.builders import loan_form

    sent = loan_application(loan_form(None), world, 20_000_000)
    assert sent.status == SubmissionStatus.SUBMITTED
    assert events(sent) == [Event.SUBMITTED]
    assert not ApprovalTaskState.objects.exists()


def test_the_audit_trail_refuses_updates_and_deletes_in_python(form, world):
    sent = loan_application(form, world, 20_000_000)
    row = sent.audit.first()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AuditRecord.objects.filter(pk=row.pk).update(comment="x")
    with pytest.raises(TypeError):
        AuditRecord.objects.all().delete()


def test_wagtails_own_action_path_keeps_four_eyes(form, world):
    """Wagtail's workflow action views call Task.on_action: it goes through the same service."""
    role_grant_create(user=world.alice, role=Role.PENGAWAS, cooperative=world.coop_a)
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    with pytest.raises(NotAnApprover):
        step.task.specific.on_action(step, world.alice, "approve")
    step.task.specific.on_action(step, world.bob, "approve", comment="Lengkap")
    assert open_step(sent).task.name == "Persetujuan petugas pinjaman"


def test_escalation_never_hands_a_step_to_its_author(form, world):
    """The scheduled job widens who may decide; the author stays excluded."""
    from workflows.services import reviews_remind_and_escalate

    author = UserFactory(username="operator.camat")
    role_grant_create(user=author, role=Role.OPERATOR, cooperative=world.coop_a)
    role_grant_create(
        user=author, role=Role.DISTRICT_OFFICER, region=Region.objects.get(code="64.02.16")
    )
    member = MemberFactory(cooperative=world.coop_a)
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=author, idempotency_key="camat"
    )
    draft = submission_save_step(
        submission=draft,
        by=author,
        step=0,
        answers={
            "anggota": member.pk,
            "produk": "modal_usaha",
            "jumlah": 1_000_000,
            "tenor_bulan": 6,
        },
    )
    sent = submission_submit(submission=draft, by=author)
    step = open_step(sent)
    reviews_remind_and_escalate(now=step.due_at + datetime.timedelta(hours=49))
    step.refresh_from_db()
    assert step.escalation_level == 1
    assert list(inbox(world.dave)) == [step]
    assert not inbox(author).exists()
    assert (
        not Notification.objects.filter(recipient=author)
        .exclude(
            kind__in=[
                NotificationKind.APPROVED,
                NotificationKind.REJECTED,
                NotificationKind.CHANGES_REQUESTED,
            ]
        )
        .exists()
    )
    with pytest.raises(NotAnApprover):
        task_decide(task_state_id=step.pk, by=author, action=Action.APPROVE)


def test_when_no_step_applies_the_system_approves_and_nobody_is_named(world):
    from tests.workflows.builders import approval_step, loan_form, workflow

    flow = workflow("Hanya pinjaman besar", approval_step("Komite", condition="jumlah > 50000000"))
    sent = loan_application(loan_form(flow), world, 5_000_000)
    assert sent.status == SubmissionStatus.APPROVED
    final = sent.audit.get(event=Event.FINAL_APPROVED)
    assert final.actor is None  # not the author: nobody decided, the conditions did
    assert Loan.objects.get(application=sent).approved_by is None
    assert events(sent) == [Event.SUBMITTED, Event.STEP_SKIPPED, Event.FINAL_APPROVED]
