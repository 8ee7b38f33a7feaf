"""The cooperative's own PMK 49/2025 financing: the core form and demo workflow (low-code),
checked against the product's limits, approved by the kepala desa (desa) or the bupati/wali
kota (kelurahan), and becoming a loan of the cooperative with its grace months."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import TaskState

from cooperatives.enums import CooperativeStatus, Role
from cooperatives.models import Cooperative, Region
from cooperatives.services import role_grant_create
from forms.defaults import ensure_core_forms
from forms.enums import SubmissionStatus
from forms.filling import StepForm
from forms.services import (
    schema_for_revision,
    submission_problems,
    submission_save_step,
    submission_start,
)
from forms.services import submission_submit as submit
from loans.demo import ensure_demo_products
from loans.enums import LoanKind, LoanStatus
from loans.models import Loan, LoanProduct
from loans.services import loan_payout_confirm, loan_payout_record
from tests.factories import CooperativeFactory, UserFactory
from workflows.demo import ensure_demo_workflows
from workflows.enums import Action
from workflows.models import ApprovalTaskState
from workflows.services import task_decide

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEGAL = {
    "legal_entity_number": "AHU-0001234.AH.01.29.TAHUN 2025",
    "nik_koperasi": "6402162002000001",
    "npwp": "012345678901234",
    "nib": "1234567890123",
}


@pytest.fixture
def financing(world):
    pages = {page.slug: page for page in ensure_core_forms()}
    ensure_demo_workflows()
    ensure_demo_products()
    Cooperative.objects.filter(pk=world.coop_a.pk).update(**LEGAL)
    world.coop_a.refresh_from_db()
    page = pages["pengajuan-pembiayaan-koperasi"]
    page.refresh_from_db()
    return page


def answers(**changes):
    month = timezone.localdate().strftime("%Y-%m")
    values = {
        "wilayah": "desa",
        "nomor_badan_hukum": LEGAL["legal_entity_number"],
        "nik_koperasi": LEGAL["nik_koperasi"],
        "npwp": "01.234.567.8-901.234",
        "nib": LEGAL["nib"],
        "bank": "bri",
        "nomor_rekening": "0123-01-000123-30-1",
        "produk": "pmk49_himbara",
        "biaya_investasi": 1_500_000_000,
        "biaya_operasional": 500_000_000,
        "tenor_bulan": 72,
        "masa_tenggang_bulan": 8,
        "rencana_usaha": "Gerai sembako dan cold storage ikan.",
        "tahap_pencairan": [
            {"bulan": month, "jumlah_tahap": 1_200_000_000, "penggunaan": "Gedung"},
            {"bulan": month, "jumlah_tahap": 800_000_000, "penggunaan": "Modal kerja"},
        ],
        "rencana_pengembalian": "Dari laba gerai sembako dan sewa cold storage.",
        "tanggal_musyawarah": timezone.localdate() - datetime.timedelta(days=10),
        "peserta_musyawarah": 120,
    }
    values.update(changes)
    return values


FILES = ("proposal", "berita_acara", "sk_badan_hukum", "dokumen_npwp", "dokumen_nib")


def draft(page, cooperative, author, **changes):
    submission = submission_start(
        form_page=page, cooperative=cooperative, author=author, idempotency_key=f"pmk-{author}"
    )
    return submission_save_step(
        submission=submission,
        by=author,
        step=0,
        answers=answers(**changes),
        files={
            code: SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf")
            for code in FILES
        },
    )


def decide_open_step(submission, user):
    step = ApprovalTaskState.objects.get(submission=submission, status=TaskState.STATUS_IN_PROGRESS)
    task_decide(task_state_id=step.pk, by=user, action=Action.APPROVE)
    return step


def test_a_desa_cooperative_is_approved_by_its_kepala_desa_and_gets_a_loan(financing, world):
    kades = UserFactory(username="kades")
    role_grant_create(
        user=kades, role=Role.VILLAGE_HEAD, region=Region.objects.get(code="64.02.16.2002")
    )
    bupati = UserFactory(username="bupati")
    role_grant_create(user=bupati, role=Role.REGENT, region=Region.objects.get(code="64.02"))
    submission = draft(financing, world.coop_a, world.alice)
    assert submission_problems(submission) == []
    submission = submit(submission=submission, by=world.alice)
    assert submission.status == SubmissionStatus.IN_REVIEW

    assert decide_open_step(submission, world.bob).task.name == "Pemeriksaan pengawas"
    step = ApprovalTaskState.objects.get(submission=submission, status="in_progress")
    assert step.task.name == "Persetujuan kepala desa"
    with pytest.raises(Exception):  # noqa: B017 - the bupati is not this step's approver
        task_decide(task_state_id=step.pk, by=bupati, action=Action.APPROVE)
    decide_open_step(submission, kades)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED

    loan = Loan.objects.get(application=submission)
    assert loan.kind == LoanKind.COOPERATIVE and loan.member is None
    assert loan.lender == "Bank Rakyat Indonesia (BRI)"
    assert (loan.principal, loan.tenor_months, loan.grace_months) == (2_000_000_000, 72, 8)
    assert str(loan).startswith(world.coop_a.name)

    # Paid out by two officers: eight months of interest only, then annuity instalments.
    loan_payout_record(loan=loan, by=world.henry, disbursed_on=timezone.localdate())
    loan = loan_payout_confirm(loan=loan, by=world.bob)
    instalments = list(loan.instalments.order_by("number"))
    assert len(instalments) == 72
    assert all(i.principal == 0 and i.interest == 10_000_000 for i in instalments[:8])
    assert instalments[8].principal > 0
    assert sum(i.principal for i in instalments) == 2_000_000_000


def test_a_kelurahan_cooperative_goes_to_the_bupati_or_wali_kota(financing, world):
    samarinda = Region.objects.get(code="64.72.01.1001")
    assert samarinda.kind == "kelurahan"
    coop = CooperativeFactory(home_village=samarinda, status=CooperativeStatus.ACTIVE)
    Cooperative.objects.filter(pk=coop.pk).update(**LEGAL)
    coop.refresh_from_db()
    operator, pengawas, walikota = (UserFactory(username=n) for n in ("op", "pw", "walikota"))
    role_grant_create(user=operator, role=Role.OPERATOR, cooperative=coop)
    role_grant_create(user=pengawas, role=Role.PENGAWAS, cooperative=coop)
    role_grant_create(user=walikota, role=Role.REGENT, region=Region.objects.get(code="64.72"))

    wrong = draft(financing, coop, operator)
    assert any("kelurahan" in message.lower() for _c, message in submission_problems(wrong))
    submission = submission_save_step(
        submission=wrong, by=operator, step=0, answers={"wilayah": "kelurahan"}
    )
    assert submission_problems(submission) == []
    submission = submit(submission=submission, by=operator)
    decide_open_step(submission, pengawas)
    step = ApprovalTaskState.objects.get(submission=submission, status="in_progress")
    assert step.task.name == "Persetujuan bupati/wali kota"
    assert ApprovalTaskState.objects.filter(
        submission=submission, task__name="Persetujuan kepala desa", status="skipped"
    ).exists()
    decide_open_step(submission, walikota)
    assert Loan.objects.get(application=submission).status == LoanStatus.APPROVED


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"biaya_operasional": 600_000_000}, "Rp500.000.000"),
        ({"biaya_investasi": 2_600_000_000}, "Rp3.000.000.000"),
        (
            {"tahap_pencairan": [{"bulan": None, "jumlah_tahap": 1, "penggunaan": "x"}]},
            "tahap pencairan",
        ),
        ({"nib": "9999999999999"}, "1234567890123"),
    ],
)
def test_answers_outside_the_rules_are_refused_in_indonesian(financing, world, changes, expected):
    submission = draft(financing, world.coop_a, world.alice, **changes)
    messages = " ".join(message for _c, message in submission_problems(submission))
    assert expected in messages


def test_the_products_own_limits_apply_when_an_admin_lowers_them(financing, world):
    LoanProduct.objects.filter(code="pmk49_himbara").update(max_tenor_months=60)
    submission = draft(financing, world.coop_a, world.alice)
    problems = dict(submission_problems(submission))
    assert "60" in problems["tenor_bulan"]
    LoanProduct.objects.filter(code="pmk49_himbara").update(is_active=False)
    problems = dict(submission_problems(submission))
    assert problems["produk"] == "Produk pinjaman ini sedang tidak ditawarkan."


def test_the_step_form_says_it_beside_the_field(financing, world):
    LoanProduct.objects.filter(code="pmk49_himbara").update(max_grace_months=7)
    submission = submission_start(
        form_page=financing, cooperative=world.coop_a, author=world.alice, idempotency_key="s"
    )
    schema = schema_for_revision(submission.revision_id)
    step = schema.steps[1]
    form = StepForm(
        {
            "produk": "pmk49_himbara",
            "biaya_investasi": "1.000.000.000",
            "biaya_operasional": "0",
            "tenor_bulan": "72",
            "masa_tenggang_bulan": "8",
        },
        {},
        schema=schema,
        step=step,
        cooperative=world.coop_a,
        answers={},
        purpose=financing.purpose,
    )
    assert not form.is_valid()
    assert "7" in form.errors["masa_tenggang_bulan"][0]


def test_a_cooperative_without_legal_entity_status_cannot_apply(financing, world):
    Cooperative.objects.filter(pk=world.coop_a.pk).update(legal_entity_number="")
    world.coop_a.refresh_from_db()
    submission = draft(financing, world.coop_a, world.alice)
    messages = " ".join(message for _c, message in submission_problems(submission))
    assert "SK AHU" in messages


def test_member_applications_are_checked_against_the_member_product(world):
    from tests.workflows.builders import loan_form

    form = loan_form(None)
    member_draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="m"
    )
    from tests.factories import MemberFactory

    member = MemberFactory(cooperative=world.coop_a)
    member_draft = submission_save_step(
        submission=member_draft,
        by=world.alice,
        step=0,
        answers={
            "anggota": member.pk,
            "produk": "modal_usaha",
            "jumlah": 150_000_000,
            "tenor_bulan": 12,
        },
    )
    problems = dict(submission_problems(member_draft))
    assert "Rp 100.000.000" in problems["jumlah"]
