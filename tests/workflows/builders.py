"""Workflows and loan applications the way an admin and an operator make them."""

import itertools
from typing import Any

from django.contrib.auth.models import Group
from wagtail.models import Workflow, WorkflowTask

from cooperatives.models import Member
from forms.enums import FormPurpose
from forms.models import KopdesFormPage, Submission
from forms.services import submission_save_step, submission_start, submission_submit
from loans.demo import ensure_demo_products
from tests.factories import MemberFactory
from tests.forms.builders import field, publish_form
from workflows.enums import Approver
from workflows.models import ApprovalTask

_keys = itertools.count(1)

LOAN_FIELDS = [
    field("member", "anggota", "Anggota"),
    field(
        "single_choice",
        "produk",
        "Produk",
        choices=[{"code": "modal_usaha", "label": "Modal usaha", "label_en": ""}],
    ),
    field("rupiah", "jumlah", "Jumlah pinjaman"),
    field("integer", "tenor_bulan", "Tenor (bulan)"),
]


def approval_step(name: str, approver: str = Approver.PENGAWAS, **options: Any) -> ApprovalTask:
    groups = options.pop("groups", [])
    task = ApprovalTask.objects.create(name=name, approver=approver, **options)
    task.groups.set(groups)
    return task


def workflow(name: str, *tasks: ApprovalTask) -> Workflow:
    flow = Workflow.objects.create(name=name)
    for order, task in enumerate(tasks):
        WorkflowTask.objects.create(workflow=flow, task=task, sort_order=order)
    return flow


def loan_workflow(world: Any) -> tuple[Workflow, Group]:
    """pengawas verifies → loan officer approves → above Rp 50.000.000, two of the committee."""
    committee = Group.objects.create(name="Komite Pinjaman")
    committee.user_set.add(world.dave, world.erin, world.frank)
    flow = workflow(
        "Persetujuan pinjaman",
        approval_step("Verifikasi pengawas", Approver.PENGAWAS),
        approval_step("Persetujuan petugas pinjaman", Approver.LOAN_OFFICER),
        approval_step(
            "Komite pinjaman",
            Approver.GROUP,
            groups=[committee],
            condition="jumlah > 50000000",
            required_approvals=2,
        ),
    )
    return flow, committee


def loan_form(flow: Workflow | None) -> KopdesFormPage:
    # An application is checked against its loan product's limits (loans.checks).
    ensure_demo_products()
    return publish_form(
        "Pinjaman Uji",
        LOAN_FIELDS,
        audience=["operator"],
        purpose=FormPurpose.LOAN_APPLICATION,
        reference_prefix="PIN",
        approval_workflow=flow,
    )


def loan_application(
    form: KopdesFormPage, world: Any, amount: int, member: Member | None = None
) -> Submission:
    member = member or MemberFactory(cooperative=world.coop_a)
    draft = submission_start(
        form_page=form,
        cooperative=world.coop_a,
        author=world.alice,
        idempotency_key=f"loan-{next(_keys)}",
    )
    submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={
            "anggota": member.pk,
            "produk": "modal_usaha",
            "jumlah": amount,
            "tenor_bulan": 12,
        },
    )
    return submission_submit(submission=draft, by=world.alice)
