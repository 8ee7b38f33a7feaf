import pytest
from django.core.management import call_command
from wagtail.models import Workflow

from forms.models import KopdesFormPage
from workflows.demo import DEMO_WORKFLOWS, LOAN_COMMITTEE


@pytest.mark.django_db
def test_seed_demo_attaches_a_workflow_to_each_core_form_once_and_keeps_admin_choices():
    call_command("seed_demo")
    forms = {page.slug: page for page in KopdesFormPage.objects.all()}
    loan_flow = forms["pengajuan-pinjaman"].approval_workflow
    assert loan_flow is not None
    steps = [task.specific for task in loan_flow.tasks]
    assert [s.approver for s in steps] == ["pengawas", "loan_officer", "group"]
    assert steps[2].required_approvals == 2 and steps[2].condition == "jumlah > 50000000"
    assert steps[2].groups.get().name == LOAN_COMMITTEE
    assert steps[2].groups.get().user_set.count() == 3
    assert all(page.approval_workflow for page in forms.values())
    # The editor opens the latest revision: the workflow must be there too.
    latest = forms["pengajuan-pinjaman"].get_latest_revision_as_object()
    assert latest.approval_workflow_id == loan_flow.pk

    report = forms["laporan-keuangan-bulanan"]
    report.approval_workflow = None
    report.save_revision().publish()
    call_command("seed_demo")
    call_command("seed_demo")
    names = [demo.name for demo in DEMO_WORKFLOWS]
    assert Workflow.objects.filter(name__in=names).count() == 4
    report.refresh_from_db()
    # Detached by an admin: attached again only because no workflow is set (seed_demo fills
    # gaps; it never replaces an admin's different choice).
    assert report.approval_workflow is not None
    other = Workflow.objects.create(name="Buatan admin")
    loan = KopdesFormPage.objects.get(slug="pengajuan-pinjaman")
    loan.approval_workflow = other
    loan.save_revision().publish()
    call_command("seed_demo")
    loan.refresh_from_db()
    assert loan.approval_workflow == other
