"""Due dates, reminders and escalation, as the hourly django-q2 schedule runs them."""

import datetime

from django.core import mail
from django_q.models import Schedule
from wagtail.models import TaskState

from tests.workflows.builders import loan_application
from workflows.enums import Action, Event, NotificationKind
from workflows.models import ApprovalTaskState, Notification
from workflows.selectors import inbox
from workflows.services import reviews_remind_and_escalate, task_decide
from workflows.tasks import review_reminders

HOUR = datetime.timedelta(hours=1)


def open_step(submission):
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def reminders_to(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.REMINDER).count()


def test_the_hourly_schedule_is_installed_by_the_migrations(db):
    schedule = Schedule.objects.get(func="workflows.tasks.review_reminders")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats < 0


def test_nothing_happens_before_the_due_date(form, world):
    sent = loan_application(form, world, 20_000_000)
    due = open_step(sent).due_at
    assert reviews_remind_and_escalate(now=due - HOUR) == {"reminded": 0, "escalated": 0}
    assert review_reminders() == {"reminded": 0, "escalated": 0}


def test_after_downtime_one_reminder_not_one_per_missed_hour(form, world):
    sent = loan_application(form, world, 20_000_000)
    due = open_step(sent).due_at
    # The worker was down for 30 hours after the due date; it catches up once.
    counts = reviews_remind_and_escalate(now=due + 30 * HOUR)
    assert counts["reminded"] == 1
    assert reminders_to(world.bob) == 1
    assert reviews_remind_and_escalate(now=due + 31 * HOUR)["reminded"] == 0
    assert reminders_to(world.bob) == 1
    # One more a day later (remind_every_hours = 24).
    reviews_remind_and_escalate(now=due + 54 * HOUR)
    assert reminders_to(world.bob) == 2


def test_an_overdue_step_is_passed_up_one_level_at_a_time(
    form, world, django_capture_on_commit_callbacks
):
    world.dave.email = "camat@example.id"
    world.dave.save()
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    assert not inbox(world.dave).exists()
    with django_capture_on_commit_callbacks(execute=True):
        counts = reviews_remind_and_escalate(now=step.due_at + 49 * HOUR)
    assert counts == {"reminded": 1, "escalated": 1}
    step.refresh_from_db()
    assert step.escalation_level == 1
    assert list(inbox(world.dave)) == [step]  # the district officer may decide now
    assert list(inbox(world.bob)) == [step]  # and the pengawas still may
    assert not inbox(world.erin).exists()
    escalated = Notification.objects.get(recipient=world.dave, kind=NotificationKind.ESCALATED)
    assert escalated.task_state == step
    assert any(sent.reference in message.subject for message in mail.outbox)
    assert sent.audit.filter(event=Event.ESCALATED, actor=None).count() == 1
    # Still nobody decides: the regency officer is added after another 48 hours, not before.
    reviews_remind_and_escalate(now=step.due_at + 60 * HOUR)
    step.refresh_from_db()
    assert step.escalation_level == 1
    reviews_remind_and_escalate(now=step.due_at + 97 * HOUR)
    step.refresh_from_db()
    assert step.escalation_level == 2
    assert list(inbox(world.erin)) == [step]
    task_decide(task_state_id=step.pk, by=world.erin, action=Action.APPROVE)
    assert open_step(sent).task.name == "Persetujuan petugas pinjaman"


def test_decided_steps_get_no_reminders(form, world):
    sent = loan_application(form, world, 20_000_000)
    first = open_step(sent)
    task_decide(task_state_id=first.pk, by=world.bob, action=Action.APPROVE)
    reviews_remind_and_escalate(now=first.due_at + 30 * HOUR)
    assert reminders_to(world.bob) == 0
