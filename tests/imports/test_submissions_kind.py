"""Submissions of any form from a workbook: drafts, or sent into the form's workflow."""

import datetime
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from wagtail.models import TaskState, WorkflowState

from cooperatives.enums import MemberStatus
from forms.enums import PeriodRule, SubmissionStatus
from forms.models import Submission
from forms.services import submission_save_step, submission_start, submission_submit
from imports.enums import ImportKind, RunStatus
from imports.kinds import get_kind
from imports.models import ImportRun
from imports.services import import_file
from imports.spec import ValueType
from imports.xlsx import template_workbook
from tests.factories import MemberFactory
from tests.forms.builders import calculated, field, group, publish_form, step
from tests.workflows.builders import approval_step, workflow
from workflows.enums import Approver
from workflows.models import ApprovalTaskState

FIELDS = [
    step("Usaha"),
    field("short_text", "nama_usaha", "Nama usaha", label_en="Business name", max_length=60),
    field(
        "single_choice",
        "jenis",
        "Jenis usaha",
        widget="dropdown",
        choices=[
            {"code": "toko", "label": "Toko", "label_en": "Shop"},
            {"code": "jasa", "label": "Jasa", "label_en": "Services"},
        ],
    ),
    field("yes_no", "punya_izin", "Punya izin usaha?"),
    field(
        "short_text",
        "nomor_izin",
        "Nomor izin",
        visible_when={"field": "punya_izin", "operator": "eq", "value": "yes"},
    ),
    field("date", "mulai", "Tanggal mulai", not_in_future=True),
    {"type": "info", "value": {"text": "<p>Isi dengan jujur.</p>", "text_en": ""}},
    step("Keuangan"),
    field("rupiah", "modal", "Modal awal", min_value="100000"),
    field("integer", "karyawan", "Jumlah karyawan", max_value="100"),
    field(
        "multiple_choice",
        "pasar",
        "Pasar",
        required=False,
        choices=[{"code": "desa", "label": "Desa"}, {"code": "kota", "label": "Kota"}],
    ),
    field("file", "foto", "Foto usaha", required=False),
    calculated("modal_per_karyawan", "Modal per karyawan", "modal / karyawan"),
]
RULES = [
    {
        "expression": "modal >= karyawan * 100000",
        "message": "Modal paling sedikit Rp 100.000 per karyawan.",
        "message_en": "",
    }
]
HEADINGS = [
    "Nama usaha",
    "Jenis usaha",
    "Punya izin usaha?",
    "Nomor izin",
    "Tanggal mulai",
    "Modal awal",
    "Jumlah karyawan",
    "Pasar",
]
WARUNG = [
    "Warung Sembako",
    "Toko",
    "Ya",
    "503/123/2026",
    datetime.date(2024, 3, 1),
    2_500_000,
    3,
    "Desa; Kota",
]
BENGKEL = ["Bengkel Motor", "jasa", "Tidak", None, "17-08-2023", "Rp 1.000.000", 2, None]


def workbook(rows: list[list[Any]], headings: list[str] = HEADINGS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def form(world):
    flow = workflow("Verifikasi usaha", approval_step("Verifikasi pengawas", Approver.PENGAWAS))
    return publish_form(
        "Pendataan Usaha",
        FIELDS,
        RULES,
        audience=["operator"],
        reference_prefix="USH",
        approval_workflow=flow,
    )


def run_import(world, form, data: bytes, **options: Any) -> ImportRun:
    options.setdefault("uploaded_by", world.alice)
    return import_file(
        cooperative=options.pop("cooperative", world.coop_a),
        kind=ImportKind.SUBMISSIONS,
        data=data,
        file_name="usaha.xlsx",
        form=form,
        **options,
    )


def problems(run: ImportRun) -> set[tuple[int, str, str]]:
    return {(error["row"], error["column"], error["code"]) for error in run.errors}


# --- columns and template ------------------------------------------------------------------------


def test_columns_are_the_questions_a_cell_can_answer(form, world):
    columns = get_kind(ImportKind.SUBMISSIONS).columns_for(
        ImportRun(form=form, cooperative=world.coop_a)
    )
    assert [column.heading for column in columns] == HEADINGS  # no info, file or calculated
    by_key = {column.key: column for column in columns}
    # The code and the English label are other headings (nama_usaha reads as the heading).
    assert by_key["nama_usaha"].aliases == ("Business name",)
    assert by_key["jenis"].aliases == ("jenis",)
    assert by_key["jenis"].type == ValueType.CHOICE
    assert by_key["jenis"].choices == ("Toko", "Jasa")
    assert by_key["punya_izin"].choices == ("Ya", "Tidak")
    assert by_key["mulai"].type == ValueType.DATE
    assert by_key["modal"].type == ValueType.AMOUNT
    assert by_key["karyawan"].type == ValueType.INTEGER
    assert by_key["pasar"].type == ValueType.TEXT
    # Required as the form says, except a question asked only for some answers.
    assert {key for key, column in by_key.items() if column.required} == {
        "nama_usaha",
        "jenis",
        "punya_izin",
        "mulai",
        "modal",
        "karyawan",
    }
    assert by_key["modal"].example >= 100_000


def test_the_template_example_row_is_a_valid_submission(form, world):
    kind = get_kind(ImportKind.SUBMISSIONS)
    columns = kind.columns_for(ImportRun(form=form, cooperative=world.coop_a))
    buffer = io.BytesIO()
    template_workbook(
        buffer,
        sheet_name=kind.sheet_title,
        columns=columns,
        instructions_title=form.title,
        notes=kind.notes,
    )
    # The example row as it stands is skipped; the user writes over it.
    untouched = run_import(world, form, buffer.getvalue())
    assert (untouched.created, untouched.rows_skipped) == (0, 1)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    book[kind.sheet_title]["A2"] = "Usaha Baru"
    edited = io.BytesIO()
    book.save(edited)
    run = run_import(world, form, edited.getvalue())
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.rows_invalid, run.warnings) == (1, 0, [])
    data = Submission.objects.get(import_run=run).data
    assert (data["nama_usaha"], data["jenis"], data["punya_izin"]) == ("Usaha Baru", "toko", True)


# --- valid rows ---------------------------------------------------------------------------------


def test_valid_rows_become_drafts_on_the_live_version_with_their_provenance(form, world):
    run = run_import(world, form, workbook([WARUNG, BENGKEL]))
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.rows_invalid) == (2, 0)
    warung, bengkel = Submission.objects.filter(import_run=run).order_by("import_row")
    assert (warung.import_row, bengkel.import_row) == (2, 3)
    for draft in (warung, bengkel):
        assert draft.status == SubmissionStatus.DRAFT
        assert draft.reference is None
        assert draft.author == world.alice
        assert draft.cooperative == world.coop_a
        assert draft.revision_id == form.live_revision_id
        assert draft.current_step == 2  # both steps saved, as after the web's last step
    assert warung.data == {
        "nama_usaha": "Warung Sembako",
        "jenis": "toko",
        "punya_izin": True,
        "nomor_izin": "503/123/2026",
        "mulai": "2024-03-01",
        "modal": 2_500_000,
        "karyawan": 3,
        "pasar": ["desa", "kota"],
    }
    assert bengkel.data["jenis"] == "jasa"  # a choice's code is read too
    assert bengkel.data["punya_izin"] is False
    assert bengkel.data["nomor_izin"] is None
    assert bengkel.data["mulai"] == "2023-08-17"
    assert bengkel.data["modal"] == 1_000_000
    assert not WorkflowState.objects.exists()
    assert not ApprovalTaskState.objects.exists()


def test_submit_sends_each_row_into_the_forms_workflow(form, world):
    run = run_import(world, form, workbook([WARUNG, BENGKEL]), submit=True)
    assert run.status == RunStatus.APPLIED, run.errors
    sent = list(Submission.objects.filter(import_run=run).order_by("import_row"))
    assert len(sent) == 2
    for submission in sent:
        assert submission.status == SubmissionStatus.IN_REVIEW
        assert submission.reference.startswith("USH-")
        assert submission.submitted_at is not None
        state = ApprovalTaskState.objects.get(submission=submission)
        assert state.status == TaskState.STATUS_IN_PROGRESS
        assert state.task.name == "Verifikasi pengawas"
    assert sent[0].data["modal_per_karyawan"] == 833_333  # calculated on sending, as on the web


def test_a_value_for_a_question_not_asked_is_ignored_with_a_warning(form, world):
    row = [*BENGKEL]
    row[3] = "503/999/2026"  # a permit number, but "Punya izin usaha?" is Tidak
    run = run_import(world, form, workbook([row]))
    assert run.status == RunStatus.APPLIED, run.errors
    assert Submission.objects.get(import_run=run).data["nomor_izin"] is None
    assert [(w["row"], w["column"], w["code"]) for w in run.warnings] == [(2, "D", "not_asked")]


# --- wrong rows ---------------------------------------------------------------------------------


def wrong_rows() -> list[list[Any]]:
    rows = {number: [*WARUNG] for number in range(3, 10)}
    rows[3][0] = None  # required answer missing
    rows[4][1] = "Kantin"  # not a choice
    rows[5][5] = "banyak"  # not an amount
    rows[6][3] = None  # required once "Punya izin usaha?" is Ya
    rows[7][5] = 50_000  # below the form's minimum
    rows[8][5], rows[8][6] = 200_000, 5  # breaks the form's rule
    rows[9][6] = "2,5"  # not a whole number
    return [WARUNG, *rows.values()]


EXPECTED_PROBLEMS = {
    (3, "A", "required"),
    (4, "B", "choice_invalid"),
    (5, "F", "amount_format"),
    (6, "D", "required"),
    (7, "F", "min_value"),
    (8, "", "rule"),
    (9, "G", "integer_format"),
}


def test_wrong_rows_are_reported_by_cell_and_nothing_is_written(form, world):
    run = run_import(world, form, workbook(wrong_rows()))
    assert run.status == RunStatus.REJECTED
    assert problems(run) == EXPECTED_PROBLEMS
    assert run.rows_invalid == 7
    rule = next(error for error in run.errors if error["code"] == "rule")
    assert rule["message"] == "Modal paling sedikit Rp 100.000 per karyawan."
    assert not Submission.objects.exists()


def test_only_the_valid_rows_when_asked(form, world):
    run = run_import(world, form, workbook(wrong_rows()), skip_invalid=True, submit=True)
    assert run.status == RunStatus.APPLIED
    assert problems(run) == EXPECTED_PROBLEMS
    (only,) = Submission.objects.all()
    assert (only.import_run, only.import_row, only.status) == (run, 2, SubmissionStatus.IN_REVIEW)


def test_a_dry_run_writes_nothing(form, world):
    run = run_import(world, form, workbook([WARUNG]), dry_run=True)
    assert (run.status, run.created) == (RunStatus.CANCELLED, 1)
    assert not Submission.objects.exists()


# --- identity -----------------------------------------------------------------------------------


def test_importing_the_same_file_again_adds_nothing(form, world):
    data = workbook([WARUNG, BENGKEL])
    first = run_import(world, form, data)
    again = run_import(world, form, data)
    assert again.status == RunStatus.APPLIED
    assert (again.created, again.unchanged) == (0, 2)
    assert Submission.objects.count() == 2
    assert not Submission.objects.filter(import_run=again).exists()
    # Sending the same file again does not send the drafts it made: the user is told.
    resend = run_import(world, form, data, submit=True)
    assert (resend.created, resend.unchanged) == (0, 2)
    assert [(w["row"], w["code"]) for w in resend.warnings] == [
        (2, "already_imported_draft"),
        (3, "already_imported_draft"),
    ]
    assert set(Submission.objects.values_list("status", flat=True)) == {SubmissionStatus.DRAFT}
    # Another file is new rows, even with the same answers; the user is told.
    other = run_import(world, form, workbook([WARUNG, BENGKEL, [*WARUNG[:5], 3_000_000, 3]]))
    assert (other.created, other.unchanged) == (3, 0)
    assert [(w["row"], w["code"]) for w in other.warnings] == [
        (2, "same_answers"),
        (3, "same_answers"),
    ]
    assert Submission.objects.filter(import_run=first).count() == 2


def test_the_same_file_for_another_form_is_new(form, world):
    data = workbook([WARUNG])
    run_import(world, form, data)
    twin = publish_form("Pendataan Usaha Dua", FIELDS, RULES, audience=["operator"])
    assert run_import(world, twin, data).created == 1


# --- who and how often --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "cooperative"),
    [("bob", "coop_a"), ("ivan", "coop_a"), ("carol", "coop_a"), ("alice", "coop_c")],
)
def test_a_user_who_may_not_fill_the_form_is_refused(form, world, user, cooperative):
    run = run_import(
        world,
        form,
        workbook([WARUNG]),
        uploaded_by=getattr(world, user),
        cooperative=getattr(world, cooperative),
    )
    assert run.status == RunStatus.REJECTED
    assert problems(run) == {(0, "", "may_not_fill")}
    assert form.title in run.message
    assert not Submission.objects.exists()


def test_an_import_without_an_uploader_is_refused(form, world):
    run = run_import(world, form, workbook([WARUNG]), uploaded_by=None)
    assert run.status == RunStatus.REJECTED
    assert problems(run) == {(0, "", "uploader_required")}
    assert not Submission.objects.exists()


@pytest.fixture
def monthly(world):
    return publish_form(
        "Laporan Bulanan Usaha",
        FIELDS,
        RULES,
        audience=["operator"],
        period_rule=PeriodRule.MONTHLY,
    )


def test_the_period_rule_allows_one_sent_row_per_month(monthly, world):
    run = run_import(world, monthly, workbook([WARUNG, BENGKEL]), submit=True)
    assert run.status == RunStatus.REJECTED
    assert problems(run) == {(3, "", "period_taken")}
    assert not Submission.objects.exists()
    # Drafts do not count against the period, as on the web.
    assert run_import(world, monthly, workbook([WARUNG, BENGKEL])).created == 2


def test_the_period_rule_counts_what_the_web_already_sent(monthly, world):
    draft = submission_start(
        form_page=monthly, cooperative=world.coop_a, author=world.alice, idempotency_key="web"
    )
    for index, answers in enumerate(
        [
            {
                "nama_usaha": "Kios",
                "jenis": "toko",
                "punya_izin": False,
                "mulai": datetime.date(2024, 1, 2),
            },
            {"modal": 500_000, "karyawan": 1},
        ]
    ):
        submission_save_step(submission=draft, by=world.alice, step=index, answers=answers)
    sent = submission_submit(submission=draft, by=world.alice)
    run = run_import(world, monthly, workbook([WARUNG]), submit=True)
    assert problems(run) == {(2, "", "period_taken")}
    assert sent.reference in run.errors[0]["message"]


# --- questions a cell cannot answer -------------------------------------------------------------


def test_a_required_file_or_table_needs_the_web_form(world):
    fields = [
        field("short_text", "nama", "Nama"),
        field("yes_no", "ada_bukti", "Ada bukti?"),
        field(
            "file",
            "bukti",
            "Bukti",
            visible_when={"field": "ada_bukti", "operator": "eq", "value": "yes"},
        ),
        group(
            "pengurus", "Pengurus", [field("short_text", "nama_pengurus", "Nama")], required=False
        ),
    ]
    form = publish_form("Bukti", fields, audience=["operator"])
    data = workbook([["Satu", "Ya"], ["Dua", "Tidak"]], ["Nama", "Ada bukti?"])
    run = run_import(world, form, data, skip_invalid=True)
    assert problems(run) == {(2, "", "web_only")}  # only where the file is asked for
    assert "Bukti" in run.errors[0]["message"]
    assert Submission.objects.get().data["nama"] == "Dua"

    with_table = publish_form(
        "Pengurus",
        [
            field("short_text", "nama", "Nama"),
            group(
                "pengurus",
                "Pengurus",
                [field("short_text", "nama_pengurus", "Nama pengurus")],
                required=False,
                min_rows=1,
            ),
        ],
        audience=["operator"],
    )
    run = run_import(world, with_table, workbook([["Satu"]], ["Nama"]))
    assert problems(run) == {(2, "", "web_only")}
    assert "Pengurus" in run.errors[0]["message"]


# --- members, villages, several choices ---------------------------------------------------------


def test_members_by_nik_and_villages_by_name_or_code(world):
    active = MemberFactory(cooperative=world.coop_a)
    resigned = MemberFactory(cooperative=world.coop_a, status=MemberStatus.RESIGNED)
    elsewhere = MemberFactory(cooperative=world.coop_c)
    form = publish_form(
        "Kunjungan",
        [
            field("member", "anggota", "Anggota"),
            field("village", "desa", "Desa"),
            field(
                "multiple_choice",
                "topik",
                "Topik",
                choices=[
                    {"code": "simpan", "label": "Simpanan"},
                    {"code": "pinjam", "label": "Pinjaman"},
                ],
            ),
        ],
        audience=["operator"],
    )
    rows = [
        [active.nik, "Bukit Raya", "Simpanan, pinjam"],
        [active.nik, "64.02.16.2003", "Pinjaman"],
        [resigned.nik, "Bukit Raya", "Simpanan"],
        [elsewhere.nik, "Bukit Raya", "Simpanan"],
        [active.nik, "Merabu", "Simpanan"],
        [active.nik, "64.03.01.2001", "Simpanan"],
        [active.nik, "Bukit Raya", "Tabungan"],
    ]
    run = run_import(world, form, workbook(rows, ["Anggota", "Desa", "Topik"]), skip_invalid=True)
    assert problems(run) == {
        (4, "A", "member_inactive"),
        (5, "A", "member_unknown"),
        (6, "B", "village_elsewhere"),
        (7, "B", "village_outside"),
        (8, "C", "choice_invalid"),
    }
    first, second = Submission.objects.order_by("import_row")
    assert first.data == {
        "anggota": active.pk,
        "desa": "64.02.16.2002",
        "topik": ["simpan", "pinjam"],
    }
    assert second.data["desa"] == "64.02.16.2003"


def test_choice_cells_may_give_the_label_the_code_or_the_english_label(form, world):
    rows = [
        ["Satu", "Toko", "Ya", "1/2026", "01-02-2024", 500_000, 1],
        ["Dua", "jasa", "tidak", None, "01-02-2024", 500_000, 1],
        ["Tiga", " services ", "Y", "3/2026", "01-02-2024", 500_000, 1],
        ["Empat", "SHOP", "no", None, "01-02-2024", 500_000, 1],
    ]
    run = run_import(world, form, workbook(rows))
    assert run.status == RunStatus.APPLIED, run.errors
    answers = [
        (s.data["jenis"], s.data["punya_izin"])
        for s in Submission.objects.filter(import_run=run).order_by("import_row")
    ]
    assert answers == [("toko", True), ("jasa", False), ("jasa", True), ("toko", False)]


def test_months_percentages_and_phone_numbers(world):
    form = publish_form(
        "Laporan Kas",
        [
            field("month", "bulan", "Bulan laporan"),
            field("percentage", "bunga", "Bunga per bulan", max_value="5"),
            field("phone", "hp", "No. HP bendahara", required=False),
        ],
        audience=["operator"],
    )
    rows = [
        [datetime.date(2026, 10, 1), "1,5", "081234567890"],
        ["Oktober 2026", 2, None],
        ["2026-09", "0.75%", "+62 812-3456-7890"],
        ["bulan lalu", "7", "12345"],
    ]
    headings = ["Bulan laporan", "Bunga per bulan", "No. HP bendahara"]
    run = run_import(world, form, workbook(rows, headings), skip_invalid=True)
    assert problems(run) == {(5, "A", "month"), (5, "B", "max_value"), (5, "C", "phone_prefix")}
    stored = [s.data for s in Submission.objects.order_by("import_row")]
    assert stored == [
        {"bulan": "2026-10", "bunga": "1.5", "hp": "+6281234567890"},
        {"bulan": "2026-10", "bunga": "2", "hp": None},
        {"bulan": "2026-09", "bunga": "0.75", "hp": "+6281234567890"},
    ]


def test_an_unpublished_form_is_refused(form, world):
    form.unpublish()
    run = run_import(world, form, workbook([WARUNG]))
    assert run.status == RunStatus.REJECTED
    assert problems(run) == {(0, "", "form_not_published")}
    assert not Submission.objects.exists()
