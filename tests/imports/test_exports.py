"""Exports: every list as .xlsx, re-read with openpyxl as a village treasurer's Excel would.

Typed cells (numbers, dates, NIK as text), the Rupiah format, the frozen styled header with its
filter, neutralised formulas without mangled +62… phone numbers, the list's filters and scope,
big exports through a background job only its requester may download, and the command line.
"""

import datetime
import io
import re
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import include, path, reverse
from django.utils import timezone

from cooperatives.enums import MemberStatus, Sex
from cooperatives.models import Member
from finance.models import CashBookEntry, MonthlyReport, SavingsBalance, SavingsTransaction
from forms.enums import SubmissionStatus
from forms.models import Submission
from imports import exports
from imports.enums import RunStatus
from imports.exports import export_bytes, export_job_run, export_list
from imports.models import ExportJob
from imports.services import import_file
from imports.xlsx import AMOUNT_FORMAT
from loans.models import Loan, LoanLedgerEntry
from tests.factories import MemberFactory, make_nik
from tests.forms.builders import field, group, publish_form, republish

# The export URLs ahead of the project's (whose Wagtail catch-all would answer ekspor/<pk>/),
# whether or not website/urls.py includes them yet.
urlpatterns = [path("", include("imports.export_urls")), path("", include("website.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PHONE = "+6281234567890"
FORMULAS = ['=HYPERLINK("http://contoh.test","klik")', "+cmd", "@x", "-x"]


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def table(sheet) -> tuple[list[str], list[dict[str, object]]]:
    """The headings and the rows (heading → cell) of a sheet."""
    rows = list(sheet.iter_rows())
    headings = [cell.value for cell in rows[0]]
    return headings, [dict(zip(headings, row, strict=False)) for row in rows[1:]]


def get_export(client, user, name, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


def assert_table_shape(sheet, width: int) -> None:
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    assert sheet.auto_filter.ref.startswith("A1:")
    assert (
        sheet.auto_filter.ref.split(":")[1].rstrip("0123456789")
        == sheet.cell(1, width).column_letter
    )
    heading = sheet["A1"]
    assert heading.font.b is True
    assert heading.fill.fgColor.rgb.endswith("F2DCDB")


def assert_rupiah(cell, amount: int) -> None:
    assert cell.value == amount
    assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    assert cell.number_format == AMOUNT_FORMAT


def assert_date(cell, day: datetime.date) -> None:
    assert isinstance(cell.value, datetime.datetime)
    assert cell.is_date
    assert cell.value.date() == day


@pytest.fixture
def members(world):
    """Three members of coop_a with everything filled in and a savings balance each."""
    coop = world.coop_a
    people = [
        MemberFactory(
            cooperative=coop,
            name="Siti Aminah",
            sex=Sex.FEMALE,
            nik=make_nik(female=True),
            phone=PHONE,
            birth_place="Tenggarong",
            birth_date=datetime.date(1980, 8, 17),
            address="Jl. Poros No. 1",
            rt="001",
            rw="002",
            village_id="64.02.16.2002",
            join_date=datetime.date(2026, 7, 17),
        ),
        MemberFactory(cooperative=coop, name="Budi Santoso", village_id="64.02.16.2003"),
        MemberFactory(cooperative=coop, name="Rahmat Hidayat"),
    ]
    for number, member in enumerate(people, start=1):
        SavingsBalance.objects.create(
            cooperative=coop,
            member=member,
            as_of=datetime.date(2026, 10, 31),
            pokok=100000,
            wajib=120000 * number,
            sukarela=0,
        )
    return people


# --- members ------------------------------------------------------------------------------


def test_member_list_exports_typed_cells_under_the_import_headings(client, world, members):
    response = get_export(client, world.alice, "export_members", world.coop_a.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="anggota-bukit-raya-{today}.xlsx"'
    )
    book = workbook(response.content)
    sheet = book.worksheets[0]
    assert sheet.title == "Daftar Anggota"
    headings, rows = table(sheet)
    assert headings == [
        "NIK",
        "Nama Lengkap",
        "Jenis Kelamin",
        "Tempat Lahir",
        "Tanggal Lahir",
        "Alamat",
        "RT",
        "RW",
        "Desa/Kelurahan",
        "No. HP",
        "Tanggal Masuk",
        "Simpanan Pokok",
        "Simpanan Wajib",
        "Simpanan Sukarela",
        "Status",
    ]
    assert_table_shape(sheet, len(headings))
    assert len(rows) == 3
    siti = next(row for row in rows if row["Nama Lengkap"].value == "Siti Aminah")
    nik = siti["NIK"]
    assert nik.value == members[0].nik
    assert isinstance(nik.value, str) and len(nik.value) == 16
    assert nik.data_type == "s" and nik.number_format == "@"
    assert siti["No. HP"].value == PHONE
    assert siti["RT"].value == "001"  # text, the leading zeros kept
    assert siti["Desa/Kelurahan"].value == "64.02.16.2002"
    assert_date(siti["Tanggal Lahir"], datetime.date(1980, 8, 17))
    assert_date(siti["Tanggal Masuk"], datetime.date(2026, 7, 17))
    assert_rupiah(siti["Simpanan Pokok"], 100000)
    assert_rupiah(siti["Simpanan Wajib"], 120000)
    assert_rupiah(siti["Simpanan Sukarela"], 0)
    assert siti["Status"].value == str(MemberStatus.ACTIVE.label)
    # Sensible widths: the NIK's 16 digits and the names fit.
    assert sheet.column_dimensions["A"].width >= 18
    assert sheet.column_dimensions["B"].width >= len("Rahmat Hidayat")


def test_text_that_could_run_as_a_formula_comes_back_neutralised_phone_numbers_exact(client, world):
    for name in FORMULAS:
        MemberFactory(cooperative=world.coop_a, name=name, phone=PHONE)
    content = get_export(client, world.alice, "export_members", world.coop_a.pk).content
    _headings, rows = table(workbook(content).worksheets[0])
    names = sorted(row["Nama Lengkap"].value for row in rows)
    assert names == sorted("'" + name for name in FORMULAS)
    for row in rows:
        assert row["Nama Lengkap"].data_type == "s"  # text, never a formula
        assert row["No. HP"].value == PHONE
    # The raw sheet holds no formula at all.
    assert not any(cell.data_type == "f" for line in rows for cell in line.values())


def test_member_export_keeps_the_list_filters(client, world, members):
    Member.objects.filter(pk=members[2].pk).update(status=MemberStatus.RESIGNED)
    by_name = get_export(client, world.alice, "export_members", world.coop_a.pk, query="?q=siti")
    _headings, rows = table(workbook(by_name.content).worksheets[0])
    assert [row["Nama Lengkap"].value for row in rows] == ["Siti Aminah"]
    by_nik = get_export(
        client, world.alice, "export_members", world.coop_a.pk, query=f"?q={members[1].nik}"
    )
    _headings, rows = table(workbook(by_nik.content).worksheets[0])
    assert [row["Nama Lengkap"].value for row in rows] == ["Budi Santoso"]
    resigned = get_export(
        client, world.alice, "export_members", world.coop_a.pk, query="?status=resigned&page=2"
    )
    _headings, rows = table(workbook(resigned.content).worksheets[0])
    assert [row["Nama Lengkap"].value for row in rows] == ["Rahmat Hidayat"]


def test_an_exported_member_list_imports_again_as_all_unchanged(world, members):
    content = export_bytes(kind="members", user=world.alice, cooperative=world.coop_a)
    before = sorted(map(repr, Member.objects.values()))
    balances = SavingsBalance.objects.count()
    run = import_file(
        cooperative=world.coop_a,
        kind="members",
        data=content,
        file_name="anggota.xlsx",
        uploaded_by=world.alice,
    )
    assert run.status == RunStatus.APPLIED, (run.message, run.errors)
    assert (run.created, run.updated, run.unchanged, run.rows_invalid) == (0, 0, 3, 0)
    assert sorted(map(repr, Member.objects.values())) == before
    assert SavingsBalance.objects.count() == balances


def test_without_any_balance_the_member_export_leaves_the_savings_columns_out(world):
    MemberFactory(cooperative=world.coop_a, name="Siti Aminah", phone=PHONE)
    MemberFactory(cooperative=world.coop_a, name="Budi Santoso")
    content = export_bytes(kind="members", user=world.alice, cooperative=world.coop_a)
    headings, _rows = table(workbook(content).worksheets[0])
    assert not {"Simpanan Pokok", "Simpanan Wajib", "Simpanan Sukarela"} & set(headings)
    run = import_file(cooperative=world.coop_a, kind="members", data=content, file_name="a.xlsx")
    assert run.status == RunStatus.APPLIED, (run.message, run.errors)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
    assert not SavingsBalance.objects.exists()


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["export_members", "export_savings", "export_cashbook", "export_loans"]
)
def test_a_cooperative_outside_the_scope_answers_404(client, world, members, name):
    assert get_export(client, world.carol, name, world.coop_a.pk).status_code == 404
    assert get_export(client, world.ivan, name, world.coop_a.pk).status_code == 404
    assert get_export(client, world.bob, name, world.coop_a.pk).status_code == 200
    assert get_export(client, world.dave, name, world.coop_a.pk).status_code == 200


def test_signing_in_is_required(client, world):
    response = client.get(reverse("export_members", args=[world.coop_a.pk]))
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]


def test_export_list_checks_the_scope_itself(world, members):
    from django.http import Http404

    with pytest.raises(Http404):
        export_list(kind="members", user=world.carol, cooperative=world.coop_a, target=io.BytesIO())


# --- the books ------------------------------------------------------------------------------


def test_savings_book_export(client, world, members):
    siti = members[0]
    SavingsTransaction.objects.create(
        cooperative=world.coop_a,
        member=siti,
        date=datetime.date(2026, 1, 5),
        savings_type="wajib",
        deposit=20000,
        receipt_no="SW-2026-001",
        description="Simpanan wajib Januari",
    )
    SavingsTransaction.objects.create(
        cooperative=world.coop_a,
        member=siti,
        date=datetime.date(2026, 2, 1),
        savings_type="sukarela",
        withdrawal=50000,
        description="=1+1",
    )
    other = MemberFactory(cooperative=world.coop_c)
    SavingsTransaction.objects.create(
        cooperative=world.coop_c,
        member=other,
        date=datetime.date(2026, 1, 5),
        savings_type="wajib",
        deposit=99999,
    )
    response = get_export(client, world.alice, "export_savings", world.coop_a.pk)
    assert response.status_code == 200
    sheet = workbook(response.content).worksheets[0]
    headings, rows = table(sheet)
    assert headings == [
        "Tanggal",
        "NIK",
        "Nama",
        "Jenis Simpanan",
        "Setoran",
        "Penarikan",
        "No. Bukti",
        "Keterangan",
    ]
    assert_table_shape(sheet, len(headings))
    assert len(rows) == 2  # not coop_c's
    first, second = rows
    assert_date(first["Tanggal"], datetime.date(2026, 1, 5))
    assert first["NIK"].value == siti.nik and first["NIK"].data_type == "s"
    assert first["Jenis Simpanan"].value == "Wajib"
    assert_rupiah(first["Setoran"], 20000)
    assert first["Penarikan"].value is None
    assert_rupiah(second["Penarikan"], 50000)
    assert second["Keterangan"].value == "'=1+1"


def test_cash_book_export_with_running_balance(client, world):
    for day, voucher, text, debit, credit in [
        (1, "BKM-001", "Penerimaan simpanan", 1500000, 0),
        (2, "", "@SUM(A1)", 0, 400000),
    ]:
        CashBookEntry.objects.create(
            cooperative=world.coop_a,
            date=datetime.date(2026, 1, day),
            voucher_no=voucher,
            description=text,
            account="1101",
            debit=debit,
            credit=credit,
        )
    sheet = workbook(
        get_export(client, world.alice, "export_cashbook", world.coop_a.pk).content
    ).worksheets[0]
    headings, rows = table(sheet)
    assert headings[:6] == ["Tanggal", "No. Bukti", "Uraian", "Akun", "Debet", "Kredit"]
    assert_table_shape(sheet, len(headings))
    assert_rupiah(rows[0]["Debet"], 1500000)
    assert rows[0]["Kredit"].value is None
    assert_rupiah(rows[1]["Kredit"], 400000)
    assert rows[1]["Uraian"].value == "'@SUM(A1)"
    assert rows[0]["Akun"].value == "1101"  # an account code stays text
    assert_rupiah(rows[1]["Saldo"], 1100000)
    assert_date(rows[1]["Tanggal"], datetime.date(2026, 1, 2))


def test_loan_ledger_export(client, world, members):
    LoanLedgerEntry.objects.create(
        cooperative=world.coop_a,
        member=members[0],
        loan_no="PJ-001",
        disbursed_on=datetime.date(2026, 1, 10),
        principal=5000000,
        tenor_months=12,
        rate_percent=Decimal("1.500"),
        instalment=491667,
        instalments_paid=3,
        balance=3750000,
        days_overdue=45,
        collectibility="kurang_lancar",
        as_of=datetime.date(2026, 4, 30),
    )
    sheet = workbook(
        get_export(client, world.alice, "export_loans", world.coop_a.pk).content
    ).worksheets[0]
    headings, rows = table(sheet)
    assert headings[:12] == [
        "No. Pinjaman",
        "NIK",
        "Nama",
        "Tanggal Pencairan",
        "Pokok Pinjaman",
        "Jangka Waktu",
        "Bunga",
        "Angsuran",
        "Angsuran Ke",
        "Sisa Pinjaman",
        "Hari Tunggakan",
        "Kolektibilitas",
    ]
    assert_table_shape(sheet, len(headings))
    (row,) = rows
    assert row["NIK"].value == members[0].nik
    assert_date(row["Tanggal Pencairan"], datetime.date(2026, 1, 10))
    assert_rupiah(row["Pokok Pinjaman"], 5000000)
    assert_rupiah(row["Sisa Pinjaman"], 3750000)
    assert row["Bunga"].value == 1.5
    assert row["Jangka Waktu"].value == 12 and row["Hari Tunggakan"].value == 45
    assert row["Kolektibilitas"].value == "Kurang Lancar"


@pytest.fixture
def approved_submissions(world):
    form = publish_form("Pengajuan Pinjaman", [field("short_text", "tujuan", "Tujuan")])

    def approved(number: int) -> Submission:
        return Submission.objects.create(
            form_page=form,
            revision_id=form.live_revision_id,
            cooperative=world.coop_a,
            author=world.alice,
            status=SubmissionStatus.APPROVED,
            reference=f"PJ-2026-{number:04d}",
            idempotency_key=f"k{number}",
            submitted_at=timezone.now(),
        )

    return approved


def test_loans_made_in_kopdes_and_monthly_reports_export(
    client, world, members, approved_submissions
):
    approved_at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    Loan.objects.create(
        cooperative=world.coop_a,
        member=members[0],
        application=approved_submissions(1),
        product_code="modal_usaha",
        principal=3000000,
        tenor_months=10,
        purpose="Warung",
        approved_at=approved_at,
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
        7,
    )
    figures["cash"] = 2500000
    MonthlyReport.objects.create(
        cooperative=world.coop_a,
        period=datetime.date(2026, 2, 1),
        submission=approved_submissions(2),
        approved_at=approved_at,
        **figures,
    )
    loans = workbook(
        get_export(client, world.alice, "export_loans_approved", world.coop_a.pk).content
    ).worksheets[0]
    _headings, (loan,) = table(loans)
    assert loan["No. Pengajuan"].value == "PJ-2026-0001"
    assert loan["NIK"].value == members[0].nik
    assert_rupiah(loan["Pokok Pinjaman"], 3000000)
    assert loan["Tanggal Disetujui"].is_date
    assert loan["Tanggal Disetujui"].value == datetime.datetime(2026, 3, 2, 10, 30)
    reports = workbook(
        get_export(client, world.alice, "export_reports", world.coop_a.pk).content
    ).worksheets[0]
    headings, (report,) = table(reports)
    assert_table_shape(reports, len(headings))
    assert report["Bulan"].value == "2026-02"
    assert_rupiah(report["Kas"], 2500000)
    assert report["Anggota Akhir Bulan"].value == 7
    assert report["No. Laporan"].value == "PJ-2026-0002"


# --- a form's submissions -------------------------------------------------------------------

FORM_FIELDS = [
    field("short_text", "judul", "Judul"),
    field("rupiah", "total", "Total"),
    field("date", "tanggal", "Tanggal"),
    field("nik", "nik_ketua", "NIK Ketua"),
    field("phone", "hp", "No. HP"),
    field("yes_no", "aktif", "Masih aktif?"),
    field(
        "single_choice",
        "jenis",
        "Jenis kios",
        choices=[{"code": "sewa", "label": "Sewa"}, {"code": "milik", "label": "Milik sendiri"}],
    ),
    field("member", "anggota", "Anggota"),
    group(
        "barang",
        "Daftar Barang",
        [
            field("short_text", "nama", "Nama barang"),
            field("integer", "jumlah", "Jumlah"),
            field("rupiah", "harga", "Harga"),
        ],
    ),
]
NIK = "6402160101900001"


@pytest.fixture
def form(world):
    return publish_form("Laporan Kios", FORM_FIELDS, audience=["operator"])


def submission(form, world, cooperative, author, number, data, status=SubmissionStatus.SUBMITTED):
    return Submission.objects.create(
        form_page=form,
        revision_id=form.live_revision_id,
        cooperative=cooperative,
        author=author,
        status=status,
        data=data,
        reference=None if status == SubmissionStatus.DRAFT else f"LK-2026-{number:04d}",
        idempotency_key=f"key-{number}",
        submitted_at=None if status == SubmissionStatus.DRAFT else timezone.now(),
    )


def answers(member, **changes):
    return {
        "judul": "=cmd|' /C calc'!A0",
        "total": 1500000,
        "tanggal": "2026-07-01",
        "nik_ketua": NIK,
        "hp": PHONE,
        "aktif": True,
        "jenis": "milik",
        "anggota": member.pk,
        "barang": [
            {"nama": "Beras", "jumlah": 10, "harga": 12000},
            {"nama": "+Gula", "jumlah": 5, "harga": 15000},
        ],
        **changes,
    }


def test_submissions_export_one_row_each_and_the_group_on_a_second_sheet(
    client, world, members, form
):
    submission(form, world, world.coop_a, world.alice, 1, answers(members[0]))
    other = MemberFactory(cooperative=world.coop_c)
    submission(form, world, world.coop_c, world.carol, 2, answers(other, judul="Merabu"))
    response = get_export(client, world.alice, "submission_export", form.pk)
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="isian-laporan-kios-\d{4}-\d\d-\d\d\.xlsx"',
        response["Content-Disposition"],
    )
    book = workbook(response.content)
    assert [sheet.title for sheet in book.worksheets] == ["Laporan Kios", "Daftar Barang"]
    main, lines = book.worksheets
    headings, rows = table(main)
    assert headings == [
        "No. Referensi",
        "Koperasi",
        "Periode",
        "Status",
        "Tanggal Dikirim",
        "Diisi Oleh",
        "Judul",
        "Total",
        "Tanggal",
        "NIK Ketua",
        "No. HP",
        "Masih aktif?",
        "Jenis kios",
        "Anggota",
    ]
    assert_table_shape(main, len(headings))
    (row,) = rows  # alice sees her cooperative's submission only
    assert row["No. Referensi"].value == "LK-2026-0001"
    assert row["Koperasi"].value == world.coop_a.name
    assert row["Status"].value == str(SubmissionStatus.SUBMITTED.label)
    assert row["Tanggal Dikirim"].is_date
    assert row["Judul"].value == "'=cmd|' /C calc'!A0"
    assert_rupiah(row["Total"], 1500000)
    assert_date(row["Tanggal"], datetime.date(2026, 7, 1))
    assert row["NIK Ketua"].value == NIK and row["NIK Ketua"].data_type == "s"
    assert row["No. HP"].value == PHONE
    assert row["Masih aktif?"].value == "Ya"
    assert row["Jenis kios"].value == "Milik sendiri"
    assert row["Anggota"].value == members[0].nik

    group_headings, group_rows = table(lines)
    assert group_headings == [
        "No. Referensi",
        "Tabel",
        "Baris Ke",
        "Nama barang",
        "Jumlah",
        "Harga",
    ]
    assert_table_shape(lines, len(group_headings))
    assert [
        (r["No. Referensi"].value, r["Tabel"].value, r["Baris Ke"].value) for r in group_rows
    ] == [("LK-2026-0001", "Daftar Barang", 1), ("LK-2026-0001", "Daftar Barang", 2)]
    assert group_rows[1]["Nama barang"].value == "'+Gula"
    assert group_rows[0]["Jumlah"].value == 10
    assert_rupiah(group_rows[1]["Harga"], 15000)

    # The province officer sees both cooperatives' submissions.
    everything = get_export(client, world.frank, "submission_export", form.pk)
    _headings, rows = table(workbook(everything.content).worksheets[0])
    assert sorted(r["No. Referensi"].value for r in rows) == ["LK-2026-0001", "LK-2026-0002"]
    _headings, rows = table(workbook(everything.content).worksheets[1])
    assert len(rows) == 4


def test_submissions_export_keeps_the_list_filters_and_hides_other_peoples_drafts(
    client, world, members, form
):
    submission(form, world, world.coop_a, world.alice, 1, answers(members[0]))
    submission(
        form,
        world,
        world.coop_a,
        world.alice,
        2,
        answers(members[0]),
        status=SubmissionStatus.APPROVED,
    )
    submission(
        form, world, world.coop_a, world.alice, 3, answers(members[0]), SubmissionStatus.DRAFT
    )
    own = get_export(client, world.alice, "submission_export", form.pk, query="?status=approved")
    _headings, rows = table(workbook(own.content).worksheets[0])
    assert [r["No. Referensi"].value for r in rows] == ["LK-2026-0002"]
    _headings, lines = table(workbook(own.content).worksheets[1])
    assert {r["No. Referensi"].value for r in lines} == {"LK-2026-0002"}
    drafts = get_export(client, world.alice, "submission_export", form.pk, query="?status=draft")
    assert len(table(workbook(drafts.content).worksheets[0])[1]) == 1  # her own draft
    officer = get_export(client, world.frank, "submission_export", form.pk)
    _headings, rows = table(workbook(officer.content).worksheets[0])
    assert sorted(r["No. Referensi"].value for r in rows) == ["LK-2026-0001", "LK-2026-0002"]
    assert get_export(client, world.ivan, "submission_export", form.pk).status_code == 200
    nobody = get_export(client, world.ivan, "submission_export", form.pk)
    assert table(workbook(nobody.content).worksheets[0])[1] == []


def test_submissions_of_several_form_versions_each_read_with_its_own_version(
    client, world, members, form
):
    submission(form, world, world.coop_a, world.alice, 1, answers(members[0]))
    new_fields = [
        field("short_text", "catatan", "Catatan"),
        *(spec for spec in FORM_FIELDS if spec["value"]["code"] != "hp"),
    ]
    # The newer version calls "total" something else: its label wins the heading.
    new_fields = [
        {**spec, "value": {**spec["value"], "label": "Total penjualan"}}
        if spec["value"]["code"] == "total"
        else spec
        for spec in new_fields
    ]
    form = republish(form, new_fields)
    submission(
        form, world, world.coop_a, world.alice, 2, answers(members[0], catatan="Baru", hp=None)
    )
    content = get_export(client, world.alice, "submission_export", form.pk).content
    headings, rows = table(workbook(content).worksheets[0])
    assert headings[6:] == [
        "Catatan",
        "Judul",
        "Total penjualan",
        "Tanggal",
        "NIK Ketua",
        "Masih aktif?",
        "Jenis kios",
        "Anggota",
        "No. HP",  # only in the older version: after the newest version's fields
    ]
    by_reference = {row["No. Referensi"].value: row for row in rows}
    old, new = by_reference["LK-2026-0001"], by_reference["LK-2026-0002"]
    assert old["Catatan"].value is None and old["No. HP"].value == PHONE
    assert new["Catatan"].value == "Baru" and new["No. HP"].value is None
    assert_rupiah(old["Total penjualan"], 1500000)


# --- big exports in the background ----------------------------------------------------------


def test_a_big_export_runs_as_a_job_only_its_requester_may_download(
    client, world, members, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "INLINE_EXPORT_ROWS", 2)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(reverse("export_members", args=[world.coop_a.pk]) + "?q=a")
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_job_detail", args=[job.pk])
    assert (job.requested_by, job.cooperative, job.kind) == (world.alice, world.coop_a, "members")
    assert job.params["q"] == "a"
    assert job.status == ExportJob.Status.READY, job.message
    assert job.rows == 3
    assert job.finished_at is not None
    assert job.file_name == f"anggota-bukit-raya-{timezone.localdate().isoformat()}.xlsx"
    assert not job.file.name.endswith("/" + job.file_name)  # a random part in the stored name

    page = client.get(response["Location"])
    assert page.status_code == 200
    download_url = reverse("export_job_download", args=[job.pk])
    assert download_url.encode() in page.content
    assert b'http-equiv="refresh"' not in page.content  # finished: no more refreshing
    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == exports.XLSX
    assert job.file_name in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    _headings, rows = table(workbook(content).worksheets[0])
    assert len(rows) == 3

    for someone in (world.bob, world.carol, world.frank):
        client.force_login(someone)
        assert client.get(response["Location"]).status_code == 404
        assert client.get(download_url).status_code == 404


def test_a_job_page_refreshes_itself_while_the_file_is_written(client, world, members):
    job = ExportJob.objects.create(
        requested_by=world.alice, cooperative=world.coop_a, kind="members", file_name="a.xlsx"
    )
    client.force_login(world.alice)
    page = client.get(reverse("export_job_detail", args=[job.pk]))
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    assert export_job_run(job.pk) == ExportJob.Status.READY
    job.refresh_from_db()
    stored = job.file.name
    assert export_job_run(job.pk) == "skipped"  # a job queued twice is written once
    job.refresh_from_db()
    assert job.file.name == stored
    page = client.get(reverse("export_job_detail", args=[job.pk]))
    assert b'http-equiv="refresh"' not in page.content


def test_the_same_big_export_asked_twice_while_waiting_is_one_job(world):
    from imports.exports import export_job_create

    first = export_job_create(
        kind="members", user=world.alice, cooperative=world.coop_a, params={"q": "a"}
    )
    again = export_job_create(
        kind="members", user=world.alice, cooperative=world.coop_a, params={"q": "a"}
    )
    other = export_job_create(
        kind="members", user=world.alice, cooperative=world.coop_a, params={"q": "b"}
    )
    assert again.pk == first.pk
    assert other.pk != first.pk
    assert ExportJob.objects.count() == 2


def test_a_failing_job_is_marked_failed_with_a_message(world):
    missing_form = ExportJob.objects.create(
        requested_by=world.alice, kind="submissions", params={"form": 987654321}
    )
    out_of_scope = ExportJob.objects.create(
        requested_by=world.carol, cooperative=world.coop_a, kind="members"
    )
    for job in (missing_form, out_of_scope):
        assert export_job_run(job.pk) == ExportJob.Status.FAILED
        job.refresh_from_db()
        assert job.status == ExportJob.Status.FAILED
        assert job.message
        assert not job.file


def test_a_big_submissions_export_goes_through_a_job_too(
    client, world, members, form, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "INLINE_EXPORT_ROWS", 0)
    submission(form, world, world.coop_a, world.alice, 1, answers(members[0]))
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("submission_export", args=[form.pk]))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert (job.cooperative, job.kind, job.params["form"]) == (None, "submissions", form.pk)
    assert job.status == ExportJob.Status.READY, job.message
    download = client.get(reverse("export_job_download", args=[job.pk]))
    book = workbook(b"".join(download.streaming_content))
    assert len(book.worksheets) == 2
    assert len(table(book.worksheets[1])[1]) == 2


# --- the portal pages -----------------------------------------------------------------------


def test_list_pages_offer_the_download_with_their_filters(client, world, members, form):
    client.force_login(world.alice)
    page = client.get(reverse("member_list", args=[world.coop_a.pk]) + "?q=siti&status=active")
    url = reverse("export_members", args=[world.coop_a.pk])
    assert f'href="{url}?q=siti&amp;status=active"'.encode() in page.content
    detail = client.get(reverse("cooperative_detail", args=[world.coop_a.pk]))
    for name in ("export_members", "export_savings", "export_cashbook", "export_loans"):
        assert reverse(name, args=[world.coop_a.pk]).encode() in detail.content
    submissions = client.get(reverse("submission_list", args=[form.pk]))
    assert reverse("submission_export", args=[form.pk]).encode() in submissions.content


# --- the command line -----------------------------------------------------------------------


def test_the_command_writes_the_workbook_and_prints_the_rows(tmp_path, world, members, form):
    out = StringIO()
    target = tmp_path / "anggota.xlsx"
    call_command(
        "export_xlsx",
        "--kind",
        "members",
        "--cooperative",
        "64.02.16.2002",
        str(target),
        stdout=out,
    )
    assert out.getvalue().strip() == "3"
    _headings, rows = table(openpyxl.load_workbook(target).worksheets[0])
    assert sorted(r["Nama Lengkap"].value for r in rows) == [
        "Budi Santoso",
        "Rahmat Hidayat",
        "Siti Aminah",
    ]

    submission(form, world, world.coop_a, world.alice, 1, answers(members[0]))
    submission(form, world, world.coop_c, world.carol, 2, answers(members[0]))
    out = StringIO()
    target = tmp_path / "isian.xlsx"
    call_command(
        "export_xlsx",
        "--kind",
        "submissions",
        "--form",
        form.slug,
        "--cooperative",
        "64.02.16.2002",
        str(target),
        stdout=out,
    )
    assert out.getvalue().strip() == "1"  # the cooperative's own submission only
    assert len(openpyxl.load_workbook(target).worksheets) == 2

    with pytest.raises(CommandError):
        call_command("export_xlsx", "--kind", "members", "--cooperative", "99.99", str(target))
    with pytest.raises(CommandError):
        call_command(
            "export_xlsx", "--kind", "submissions", "--cooperative", "64.02.16.2002", str(target)
        )
