"""The review through /api/v1/: the inbox, one step, deciding it, the history and withdrawing, on
the same services as the portal (four eyes, scope and the audit trail hold on this path too)."""

import datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient
from wagtail.models import TaskState

from cooperatives.enums import Role
from cooperatives.services import role_grant_create
from forms.enums import SubmissionStatus
from forms.services import submission_save_step, submission_start, submission_submit
from tests.factories import UserFactory
from tests.forms.builders import field, publish_form
from tests.workflows.builders import approval_step, loan_application, workflow
from workflows import api_urls
from workflows.enums import Action, Event
from workflows.models import ApprovalTaskState, Decision

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def open_step(submission):
    return ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)


def inbox_ids(user, **params):
    response = client_for(user).get(reverse("api-task-list"), params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def task_url(step):
    return reverse("api-task-detail", args=[step.pk])


def decide(user, step, action=Action.APPROVE, comment=""):
    return client_for(user).post(
        reverse("api-task-decide", args=[step.pk]),
        {"action": action, "comment": comment},
        format="json",
    )


def withdraw(user, submission, comment=""):
    return client_for(user).post(
        reverse("api-submission-withdraw", args=[submission.pk]),
        {"comment": comment},
        format="json",
    )


def in_indonesian(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


# --- The inbox -----------------------------------------------------------------------------------


def test_the_inbox_lists_only_what_each_user_may_decide_now(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)

    response = client_for(world.bob).get(reverse("api-task-list"))

    assert response.status_code == 200
    assert response.json()["count"] == 1
    (item,) = response.json()["results"]
    assert item["id"] == step.pk
    assert item["step_name"] == "Verifikasi pengawas"
    assert (item["required_approvals"], item["approvals"]) == (1, 0)
    assert (item["overdue"], item["escalation_level"]) == (False, 0)
    assert item["due_at"] and item["started_at"]
    summary = item["submission"]
    assert (summary["id"], summary["reference"]) == (sent.pk, sent.reference)
    assert (summary["form"], summary["form_title"]) == (form.pk, form.title)
    assert (summary["cooperative"], summary["cooperative_name"]) == (
        world.coop_a.pk,
        world.coop_a.name,
    )
    # The author, the next step's loan officer and anyone out of scope see nothing yet.
    for user in (world.alice, world.henry, world.carol, world.ivan):
        assert inbox_ids(user) == [], user
    assert decide(world.bob, step).status_code == 200
    assert inbox_ids(world.bob) == []
    assert inbox_ids(world.henry) == [open_step(sent).pk]


def test_the_inbox_filters_by_form_regency_and_overdue(form, world):
    later = open_step(loan_application(form, world, 20_000_000))
    overdue = open_step(loan_application(form, world, 30_000_000))
    ApprovalTaskState.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=5)
    )

    assert inbox_ids(world.bob) == [overdue.pk, later.pk]  # overdue first
    assert inbox_ids(world.bob, overdue="true") == [overdue.pk]
    assert inbox_ids(world.bob, form=form.pk) == [overdue.pk, later.pk]
    assert inbox_ids(world.bob, form=form.pk + 1000) == []
    assert inbox_ids(world.bob, regency="64.02") == [overdue.pk, later.pk]
    assert inbox_ids(world.bob, regency="64.03") == []
    rows = client_for(world.bob).get(reverse("api-task-list")).json()["results"]
    assert [row["overdue"] for row in rows] == [True, False]
    bad = client_for(world.bob).get(reverse("api-task-list"), {"regency": "Kutai"})
    assert bad.status_code == 400 and "regency" in bad.json()


# --- One step and deciding it --------------------------------------------------------------------


def test_the_task_detail_says_who_may_decide_and_shows_the_answers(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)

    mine = client_for(world.bob).get(task_url(step))
    assert mine.status_code == 200
    data = mine.json()
    assert (data["status"], data["may_decide"], data["refusal"]) == ("in_progress", True, None)
    assert [a["action"] for a in data["allowed_actions"]] == [
        Action.APPROVE,
        Action.REQUEST_CHANGES,
        Action.REJECT,
    ]
    assert data["decisions"] == []
    assert data["submission"]["reference"] == sent.reference
    assert data["submission"]["answers"]["jumlah"] == 20_000_000

    # An officer in scope reads it, but it is not theirs to decide.
    theirs = client_for(world.dave).get(task_url(step)).json()
    assert theirs["may_decide"] is False and theirs["refusal"]


def test_approve_through_the_api_moves_the_workflow_on(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)

    response = decide(world.bob, step, comment="Anggota aktif.")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["id"] == step.pk and data["status"] == "approved"
    assert (data["approvals"], data["may_decide"], data["allowed_actions"]) == (1, False, [])
    (decision,) = data["decisions"]
    assert decision["user"]["username"] == "bob"
    assert (decision["action"], decision["comment"]) == (Action.APPROVE, "Anggota aktif.")
    assert open_step(sent).task.name == "Persetujuan petugas pinjaman"
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW
    assert Event.STEP_APPROVED in sent.audit.values_list("event", flat=True)


def test_a_committee_step_counts_approvals_until_enough_people_approve(form, world):
    sent = loan_application(form, world, 75_000_000)
    assert decide(world.bob, open_step(sent)).status_code == 200
    assert decide(world.henry, open_step(sent)).status_code == 200
    committee = open_step(sent)

    first = decide(world.dave, committee)

    assert first.status_code == 200
    assert first.json()["status"] == "in_progress"
    assert (first.json()["approvals"], first.json()["required_approvals"]) == (1, 2)
    assert first.json()["may_decide"] is False  # one person fills one slot
    assert decide(world.dave, committee).status_code == 403
    listed = client_for(world.frank).get(reverse("api-task-list")).json()["results"]
    assert [(row["id"], row["approvals"]) for row in listed] == [(committee.pk, 1)]
    assert decide(world.frank, committee).json()["status"] == "approved"
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.APPROVED


def test_the_author_may_not_decide_through_the_api_whatever_roles_they_hold(form, world):
    role_grant_create(user=world.alice, role=Role.PENGAWAS, cooperative=world.coop_a)
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    refusal = client_for(world.alice).get(task_url(step)).json()["refusal"]

    response = decide(world.alice, step)

    assert response.status_code == 403
    assert response.json()["detail"] == refusal
    assert refusal == in_indonesian(
        "You cannot decide on a submission you created or edited yourself."
    )
    assert not Decision.objects.exists()


def test_a_decision_on_an_already_decided_step_is_409(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    assert decide(world.bob, step, Action.REJECT, "Anggota masih menunggak.").status_code == 200

    again = decide(world.bob, step)
    late = decide(world.dave, step, Action.APPROVE)

    assert again.status_code == late.status_code == 409
    assert late.json()["detail"] == in_indonesian("This step has already been decided.")
    assert Decision.objects.filter(task_state=step).count() == 1
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.REJECTED


def test_a_decision_racing_another_is_409_from_the_service(form, world, monkeypatch):
    # The view read the step open, then someone decided it before the service took its lock.
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    assert decide(world.bob, step).status_code == 200
    monkeypatch.setattr("workflows.api.decision_refusal", lambda task_state, user: None)

    response = decide(world.bob, step)

    assert response.status_code == 409
    assert response.json()["detail"] == in_indonesian("This step has already been decided.")


def test_reject_without_a_comment_is_400_in_indonesian_and_changes_nothing(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)

    response = decide(world.bob, step, Action.REJECT, "   ")

    assert response.status_code == 400
    assert response.headers["Content-Language"] == "id"
    english = "Write the reason, so the cooperative knows what to fix."
    assert response.json() == {"comment": [in_indonesian(english)]}
    assert response.json()["comment"] != [english]
    changes = decide(world.bob, step, Action.REQUEST_CHANGES)
    assert changes.status_code == 400 and list(changes.json()) == ["comment"]
    assert open_step(sent) == step and not Decision.objects.exists()
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW


def test_request_changes_with_a_reason_sends_it_back(form, world):
    sent = loan_application(form, world, 20_000_000)

    response = decide(world.bob, open_step(sent), Action.REQUEST_CHANGES, "Tenor 24 bulan.")

    assert response.status_code == 200
    assert response.json()["decisions"][0]["action"] == Action.REQUEST_CHANGES
    sent.refresh_from_db()
    assert sent.status == SubmissionStatus.CHANGES_REQUESTED


def test_an_action_the_step_does_not_allow_or_does_not_know_is_400_on_action(world):
    flow = workflow("Tanpa tolak", approval_step("Verifikasi", allow_reject=False))
    form = publish_form(
        "Tanpa tolak", [field("rupiah", "jumlah", "Jumlah")], approval_workflow=flow
    )
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="no-reject"
    )
    submission_save_step(submission=draft, by=world.alice, step=0, answers={"jumlah": 5})
    step = open_step(submission_submit(submission=draft, by=world.alice))

    refused = decide(world.bob, step, Action.REJECT, "Tidak.")
    unknown = decide(world.bob, step, "publish")

    assert refused.status_code == unknown.status_code == 400
    assert list(refused.json()) == list(unknown.json()) == ["action"]
    assert not Decision.objects.exists()


def test_out_of_scope_users_get_404_on_task_detail_and_decide(form, world):
    step = open_step(loan_application(form, world, 20_000_000))
    outsider = UserFactory(username="pengawas.berau")
    role_grant_create(user=outsider, role=Role.PENGAWAS, cooperative=world.coop_c)
    for user in (world.carol, world.ivan, outsider):
        assert client_for(user).get(task_url(step)).status_code == 404, user
        assert decide(user, step).status_code == 404, user
    assert client_for(world.carol).get(reverse("api-task-detail", args=[999999])).status_code == 404
    assert not Decision.objects.exists()


def test_anonymous_callers_are_refused_with_401(form, world):
    sent = loan_application(form, world, 20_000_000)
    step = open_step(sent)
    anonymous = APIClient()
    assert anonymous.get(reverse("api-task-list")).status_code == 401
    assert anonymous.get(task_url(step)).status_code == 401
    assert anonymous.post(reverse("api-task-decide", args=[step.pk]), {}).status_code == 401
    history = reverse("api-submission-history", args=[sent.pk])
    assert anonymous.get(history).status_code == 401


# --- History and withdrawing ---------------------------------------------------------------------


def test_the_history_lists_every_row_with_who_from_and_to(form, world):
    sent = loan_application(form, world, 20_000_000)
    assert decide(world.bob, open_step(sent), comment="Lengkap.").status_code == 200

    response = client_for(world.dave).get(reverse("api-submission-history", args=[sent.pk]))

    assert response.status_code == 200
    rows = response.json()
    assert [(r["event"], r["from_status"], r["to_status"]) for r in rows] == [
        (Event.SUBMITTED, SubmissionStatus.DRAFT, SubmissionStatus.IN_REVIEW),
        (Event.STEP_STARTED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.APPROVED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.STEP_APPROVED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
        (Event.STEP_STARTED, SubmissionStatus.IN_REVIEW, SubmissionStatus.IN_REVIEW),
    ]
    assert rows[0]["actor"] == {
        "id": world.alice.pk,
        "username": "alice",
        "name": world.alice.get_full_name(),
    }
    assert rows[1]["actor"] is None  # the system started the step
    assert (rows[2]["actor"]["username"], rows[2]["comment"]) == ("bob", "Lengkap.")
    assert rows[2]["step_name"] == "Verifikasi pengawas"
    with translation.override("id"):
        assert rows[2]["event_label"] == str(Event.APPROVED.label)
    outside = client_for(world.carol).get(reverse("api-submission-history", args=[sent.pk]))
    assert outside.status_code == 404


def test_the_author_withdraws_and_nobody_else_may(form, world):
    sent = loan_application(form, world, 20_000_000)

    officer = withdraw(world.bob, sent)
    outsider = withdraw(world.carol, sent)
    response = withdraw(world.alice, sent, comment="Salah anggota.")

    assert officer.status_code == 403
    assert officer.json()["detail"] == in_indonesian(
        "Only the person who sent this submission may withdraw it."
    )
    assert outsider.status_code == 404
    assert response.status_code == 200, response.content
    assert response.json()["status"] == SubmissionStatus.WITHDRAWN
    assert inbox_ids(world.bob) == []
    history = client_for(world.alice).get(reverse("api-submission-history", args=[sent.pk]))
    last = history.json()[-1]
    assert (last["event"], last["comment"]) == (Event.WITHDRAWN, "Salah anggota.")
    # Withdrawn (or decided) is final: a second try is a conflict, not a change.
    again = withdraw(world.alice, sent)
    assert again.status_code == 409 and again.json()["detail"]


# --- OpenAPI -------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_review_route(tmp_path: Path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    paths = yaml.safe_load(out.read_text())["paths"]
    for pattern in api_urls.urlpatterns:
        route = "/api/v1/" + str(pattern.pattern).replace("<int:pk>", "{id}")
        assert route in paths, route
    decide_op = paths["/api/v1/tasks/{id}/decide/"]["post"]
    assert set(decide_op["responses"]) == {"200", "400", "403", "404", "409"}


def test_status_decided_lists_the_steps_i_decided(form, world):
    sent = loan_application(form, world, 20_000_000)
    first = open_step(sent)
    assert decide(world.bob, first).status_code == 200
    assert inbox_ids(world.bob, status="decided") == [first.pk]
    assert inbox_ids(world.bob) == []
    assert client_for(world.bob).get("/api/v1/tasks/", {"status": "nonsense"}).status_code == 400
