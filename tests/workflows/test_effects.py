"""What a final approval does with the three core forms, in the approving transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import TaskState

from cooperatives.enums import CooperativeStatus, Role
from cooperatives.models import Member
from cooperatives.services import role_grant_create
from finance.models import MonthlyReport
from forms.defaults import ensure_core_forms
from forms.enums import SubmissionStatus
from forms.models import KopdesFormPage
from forms.services import submission_problems, submission_save_step, submission_start
from forms.services import submission_submit as submit
from tests.factories import UserFactory
from tests.forms.builders import field, publish_form
from tests.forms.test_defaults import balanced_report
from tests.workflows.builders import approval_step, workflow
from workflows.enums import Action
from workflows.models import ApprovalTaskState
from workflows.services import task_decide


@pytest.fixture
def core(world):
    pages = {page.slug: page for page in ensure_core_forms()}
    flow = workflow("Verifikasi kecamatan", approval_step("Camat", "district_officer"))
    for page in pages.values():
        page.approval_workflow = flow
        page.save(update_fields=["approval_workflow"])
    return pages


def approve_all(submission, user):
    while True:
        step = ApprovalTaskState.objects.filter(
            submission=submission, status=TaskState.STATUS_IN_PROGRESS
        ).first()
        if step is None:
            break
        task_decide(task_state_id=step.pk, by=user, action=Action.APPROVE)
    submission.refresh_from_db()
    return submission


def fill(form: KopdesFormPage, cooperative, author, answers, files=None):
    draft = submission_start(
        form_page=form, cooperative=cooperative, author=author, idempotency_key=form.slug
    )
    draft = submission_save_step(submission=draft, by=author, step=0, answers=answers, files=files)
    assert submission_problems(draft) == []
    return submit(submission=draft, by=author)


def founder(name, nik, sex):
    return {
        "nama": name,
        "nik": nik,
        "jenis_kelamin": sex,
        "alamat": "RT 01",
        "simpanan_pokok": 100_000,
    }


def test_approved_registration_registers_the_cooperative_with_its_founders(core, world):
    operator = UserFactory(username="operator.k")
    role_grant_create(user=operator, role=Role.OPERATOR, cooperative=world.coop_k)
    officer = UserFactory(username="camat.tenggarong")
    role_grant_create(
        user=officer, role=Role.DISTRICT_OFFICER, region=world.coop_k.home_village.parent
    )
    assert world.coop_k.status == CooperativeStatus.SUBMITTED
    founders = [
        founder("Siti Aminah", "6402130101800001", "p"),
        founder("Budi Santoso", "6402130202800002", "l"),
        founder("Yohanes Lawing", "6402130303800003", "l"),
    ]
    answers = {
        "nama_koperasi": "Koperasi Desa Merah Putih Bukit Raya",
        "alamat": "Jl. Poros Desa No. 1",
        "telepon": "+6281234567890",
        "email": "kdmp.bukitraya@example.id",
        "desa": world.coop_k.home_village,
        "lebih_dari_satu_desa": False,
        "tanggal_musdes": datetime.date(2026, 7, 17),
        "jumlah_peserta_musdes": 60,
        "pendiri": founders,
        "pengurus": [
            {
                "jabatan": jabatan,
                "nama": f"Pengurus {jabatan}",
                "nik": f"640213040{i}800004",
                "telepon": "+6281200000000",
            }
            for i, jabatan in enumerate(("ketua", "sekretaris", "bendahara"))
        ],
        "pengawas": [{"nama": "Pak Pengawas", "nik": "6402130505800005"}],
        "unit_usaha": ["gerai_sembako", "simpan_pinjam"],
        "simpanan_pokok_per_anggota": 100_000,
        "simpanan_wajib_per_bulan": 20_000,
    }
    minutes = SimpleUploadedFile("berita-acara.pdf", b"%PDF-1.4 berita acara", "application/pdf")
    sent = fill(
        core["pendaftaran-koperasi"],
        world.coop_k,
        operator,
        answers,
        files={"berita_acara_musdes": minutes},
    )
    approved = approve_all(sent, officer)
    assert approved.status == SubmissionStatus.APPROVED
    world.coop_k.refresh_from_db()
    assert world.coop_k.status == CooperativeStatus.REGISTERED
    assert world.coop_k.name == "Koperasi Desa Merah Putih Bukit Raya"
    assert world.coop_k.email == "kdmp.bukitraya@example.id"
    assert set(world.coop_k.business_units.values_list("code", flat=True)) >= {
        "gerai_sembako",
        "simpan_pinjam",
    }
    members = Member.objects.filter(cooperative=world.coop_k).order_by("nik")
    assert [(m.name, m.sex, m.join_date) for m in members] == [
        ("Siti Aminah", "P", datetime.date(2026, 7, 17)),
        ("Budi Santoso", "L", datetime.date(2026, 7, 17)),
        ("Yohanes Lawing", "L", datetime.date(2026, 7, 17)),
    ]


def test_approved_monthly_report_becomes_the_months_official_figures(core, world):
    sent = fill(core["laporan-keuangan-bulanan"], world.coop_a, world.alice, balanced_report())
    assert not MonthlyReport.objects.exists()  # nothing counts before approval
    approve_all(sent, world.dave)
    report = MonthlyReport.objects.get(cooperative=world.coop_a)
    assert report.period == datetime.date(2026, 10, 1)
    assert report.submission == sent
    assert (report.members_start, report.members_joined, report.members_left) == (120, 5, 2)
    assert report.members_end == 123
    assert report.total_assets == report.total_liabilities + report.total_equity == 165_500_000
    assert (report.revenue, report.expenses) == (31_750_000, 27_750_000)
    assert report.surplus_month == 4_000_000
    assert report.approved_by == world.dave


def test_an_effect_that_cannot_apply_rolls_the_approval_back(core, world):
    # Official figures for October already exist (from an earlier system, say): approving a
    # second October report must fail whole, not half-approve.
    earlier = fill(
        publish_form("Catatan", [field("short_text", "isi", "Isi")], audience=["operator"]),
        world.coop_a,
        world.alice,
        {"isi": "Angka Oktober dari buku lama"},
    )
    figures = dict.fromkeys(
        [
            "members_start",
            "members_joined",
            "members_left",
            "members_end",
            "savings_principal",
            "savings_compulsory",
            "savings_voluntary",
            "cash",
            "bank",
            "loans_outstanding",
            "total_assets",
            "total_liabilities",
            "total_equity",
            "revenue",
            "expenses",
            "surplus_month",
            "surplus_year_to_date",
        ],
        0,
    )
    MonthlyReport.objects.create(
        cooperative=world.coop_a,
        period=datetime.date(2026, 10, 1),
        submission=earlier,
        approved_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
        **figures,
    )
    sent = fill(core["laporan-keuangan-bulanan"], world.coop_a, world.alice, balanced_report())
    step = ApprovalTaskState.objects.get(submission=sent, status=TaskState.STATUS_IN_PROGRESS)
    with pytest.raises(ValidationError, match="2026-10"):
        task_decide(task_state_id=step.pk, by=world.dave, action=Action.APPROVE)
    sent.refresh_from_db()
    step.refresh_from_db()
    assert sent.status == SubmissionStatus.IN_REVIEW
    assert step.status == TaskState.STATUS_IN_PROGRESS
    assert step.decisions.count() == 0
    assert not sent.audit.filter(event="final_approved").exists()
