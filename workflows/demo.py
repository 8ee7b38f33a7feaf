"""The demo's approval workflows, attached to the three core forms. Idempotent: a workflow is
created only when none has its name, and attached only to a form that has none yet, so an
admin's changes survive every `seed_demo`."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Workflow, WorkflowTask

from forms.models import KopdesFormPage

from .enums import Approver
from .models import ApprovalTask

LOAN_COMMITTEE = "Komite Pinjaman"
LOAN_COMMITTEE_MEMBERS = ("kecamatan.tenggarong", "kabupaten.kukar", "provinsi")


@dataclass(frozen=True)
class DemoStep:
    name: str
    approver: str
    condition: str = ""
    required_approvals: int = 1
    due_hours: int = 72
    groups: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DemoWorkflow:
    name: str
    form_slug: str
    steps: tuple[DemoStep, ...]


DEMO_WORKFLOWS = (
    DemoWorkflow(
        "Persetujuan Pendaftaran Koperasi",
        "pendaftaran-koperasi",
        (
            DemoStep("Verifikasi kecamatan", Approver.DISTRICT_OFFICER),
            DemoStep("Pengesahan kabupaten", Approver.REGENCY_OFFICER, due_hours=120),
        ),
    ),
    DemoWorkflow(
        "Verifikasi Laporan Bulanan",
        "laporan-keuangan-bulanan",
        (
            DemoStep("Pemeriksaan pengawas", Approver.PENGAWAS, due_hours=48),
            DemoStep("Verifikasi kecamatan", Approver.DISTRICT_OFFICER),
        ),
    ),
    DemoWorkflow(
        "Persetujuan Pinjaman",
        "pengajuan-pinjaman",
        (
            DemoStep("Verifikasi pengawas", Approver.PENGAWAS, due_hours=48),
            DemoStep("Persetujuan petugas pinjaman", Approver.LOAN_OFFICER),
            DemoStep(
                "Komite pinjaman (di atas Rp50 juta)",
                Approver.GROUP,
                condition="jumlah > 50000000",
                required_approvals=2,
                groups=(LOAN_COMMITTEE,),
            ),
        ),
    ),
    # PMK 49/2025: the village head (desa) or the bupati/wali kota (kelurahan) approves on
    # the basis of the village meeting; the pengawas checks the application first.
    DemoWorkflow(
        "Persetujuan Pembiayaan Koperasi (PMK 49/2025)",
        "pengajuan-pembiayaan-koperasi",
        (
            DemoStep("Pemeriksaan pengawas", Approver.PENGAWAS, due_hours=72),
            DemoStep(
                "Persetujuan kepala desa",
                Approver.VILLAGE_HEAD,
                condition='wilayah == "desa"',
                due_hours=168,
            ),
            DemoStep(
                "Persetujuan bupati/wali kota",
                Approver.REGENT,
                condition='wilayah == "kelurahan"',
                due_hours=336,
            ),
        ),
    ),
)


@transaction.atomic
def ensure_demo_workflows() -> list[Workflow]:
    committee, _created = Group.objects.get_or_create(name=LOAN_COMMITTEE)
    committee.user_set.add(*get_user_model().objects.filter(username__in=LOAN_COMMITTEE_MEMBERS))
    workflows: list[Workflow] = []
    for demo in DEMO_WORKFLOWS:
        flow = Workflow.objects.filter(name=demo.name).first()
        if flow is None:
            flow = Workflow.objects.create(name=demo.name)
            for order, step in enumerate(demo.steps):
                task = ApprovalTask.objects.create(
                    name=step.name,
                    approver=step.approver,
                    condition=step.condition,
                    required_approvals=step.required_approvals,
                    due_hours=step.due_hours,
                )
                task.groups.set(Group.objects.filter(name__in=step.groups))
                WorkflowTask.objects.create(workflow=flow, task=task, sort_order=order)
        page = KopdesFormPage.objects.filter(
            slug=demo.form_slug, approval_workflow__isnull=True
        ).first()
        if page is not None:
            # Through a published revision, so the admin's editor (which opens the latest
            # revision) shows the workflow and a later publish keeps it.
            page = page.get_latest_revision_as_object()
            page.approval_workflow = flow
            page.save_revision().publish()
        workflows.append(flow)
    return workflows
