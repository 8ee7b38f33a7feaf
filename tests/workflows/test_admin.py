"""Admins compose approval workflows in Wagtail's own workflow admin; its reports list the
submissions under review."""

import io

import openpyxl
import pytest
from django.urls import reverse

from cooperatives.services import form_admin_group
from tests.factories import UserFactory
from tests.workflows.builders import loan_application
from workflows.models import ApprovalTask


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_the_approval_step_is_a_task_type_admins_can_create(client, root, world):
    client.force_login(root)
    chooser = client.get(reverse("wagtailadmin_workflows:select_task_type"))
    assert chooser.status_code == 200
    add_url = reverse("wagtailadmin_workflows:add_task", args=["kopdes_workflows", "approvaltask"])
    assert add_url in chooser.content.decode()
    form = client.get(add_url)
    assert form.status_code == 200
    for name in (
        "approver",
        "condition",
        "required_approvals",
        "due_hours",
        "escalate_after_hours",
    ):
        assert f'name="{name}"' in form.content.decode(), name

    refused = client.post(
        add_url,
        {
            "name": "Komite",
            "approver": "group",
            "condition": "jumlah >",
            "required_approvals": 9,
            "due_hours": 72,
            "remind_every_hours": 24,
            "escalate_after_hours": 48,
        },
    )
    assert refused.status_code == 200
    assert not ApprovalTask.objects.exists()

    created = client.post(
        add_url,
        {
            "name": "Komite",
            "approver": "group",
            "condition": "jumlah > 50000000",
            "required_approvals": 2,
            "allow_reject": "on",
            "allow_request_changes": "on",
            "due_hours": 72,
            "remind_every_hours": 24,
            "escalate_after_hours": 48,
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    task = ApprovalTask.objects.get()
    assert (task.required_approvals, task.condition) == (2, "jumlah > 50000000")


def test_workflows_show_in_wagtails_workflow_admin_and_reviews_in_the_reports_menu(
    client, root, form, world
):
    sent = loan_application(form, world, 75_000_000)
    client.force_login(root)
    index = client.get(reverse("wagtailadmin_workflows:index"))
    assert "Persetujuan pinjaman" in index.content.decode()
    tasks = client.get(reverse("wagtailadmin_workflows:task_index"))
    assert "Komite pinjaman" in tasks.content.decode()
    for name in ("wagtailadmin_reports:workflow", "wagtailadmin_reports:workflow_tasks"):
        assert client.get(reverse(name)).status_code == 200, name
    report = client.get(reverse("submission_reviews_report"))
    assert report.status_code == 200
    page = report.content.decode()
    assert sent.reference in page and "Verifikasi pengawas" in page
    assert (
        reverse("submission_reviews_report")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    export = client.get(reverse("submission_reviews_report") + "?export=xlsx")
    assert export.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][0] == sent.reference


def test_the_reviews_report_shows_a_form_admin_only_what_their_scope_covers(client, form, world):
    loan_application(form, world, 75_000_000)
    outsider = UserFactory(username="admin.berau", is_staff=True)
    outsider.groups.add(form_admin_group())
    client.force_login(outsider)
    response = client.get(reverse("submission_reviews_report"))
    assert response.status_code == 200
    assert "PIN-" not in response.content.decode()


def test_a_form_administrator_composes_workflows_without_being_a_superuser(client, world):
    client.force_login(world.grace)
    assert client.get(reverse("wagtailadmin_workflows:index")).status_code == 200
    add_url = reverse("wagtailadmin_workflows:add_task", args=["kopdes_workflows", "approvaltask"])
    assert client.get(add_url).status_code == 200
    assert client.get(reverse("wagtailadmin_workflows:add")).status_code == 200
