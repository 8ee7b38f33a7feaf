"""An operator brings the member list they keep in Excel into Kopdes, on a phone."""

import openpyxl
import pytest

from cooperatives.models import Member
from imports.enums import RunStatus
from imports.models import ImportRun
from imports.services import import_run_check, import_run_create
from tests.e2e.conftest import assert_fits_the_phone, sign_in
from tests.factories import PASSWORD
from tests.imports.books import BUDI, RINA, SITI, member_book

pytestmark = pytest.mark.e2e


def messy_book() -> bytes:
    wrong_sex = [*BUDI]
    wrong_sex[2] = "Lk-Pr"
    wrong_date = [*RINA]
    wrong_date[4] = "31-02-1990"
    return member_book([SITI, wrong_sex, wrong_date])


def test_upload_a_messy_member_list_fix_the_wrong_rows_and_import(
    world, live_server, phone, shot, tmp_path
):
    sign_in(phone, live_server.url, "alice", PASSWORD)
    phone.goto(f"{live_server.url}/koperasi/{world.coop_a.pk}/")
    phone.get_by_role("link", name="Impor dari Excel").click()
    phone.wait_for_load_state()
    shot(phone, "20-import-start")
    assert_fits_the_phone(phone)

    upload = tmp_path / "daftar-anggota.xlsx"
    upload.write_bytes(messy_book())
    phone.get_by_label("Isi berkas").select_option("members")
    phone.get_by_label("Berkas Excel (.xlsx)").set_input_files(str(upload))
    phone.get_by_role("button", name="Unggah dan periksa").click()
    phone.wait_for_load_state()
    assert "/impor/" in phone.url
    shot(phone, "21-import-preview-with-errors")
    assert_fits_the_phone(phone)
    page = phone.content()
    assert "Pratinjau" in page
    assert "Baris salah" in page
    # Row and column exactly as Excel shows them, in Bahasa Indonesia.
    problems = phone.locator("table.problems tbody tr")
    assert problems.count() == 2
    assert problems.nth(0).inner_text().split()[:2] == ["7", "D"]
    assert "Tulis L untuk laki-laki" in problems.nth(0).inner_text()
    assert problems.nth(1).inner_text().split()[:2] == ["8", "F"]
    assert "Tanggal ini tidak ada" in problems.nth(1).inner_text()
    assert not Member.objects.exists()

    # Confirming without the choice to skip wrong rows imports nothing.
    phone.get_by_role("button", name="Konfirmasi impor").click()
    phone.wait_for_load_state()
    assert "baris salah" in phone.locator(".msg-error").inner_text()
    assert not Member.objects.exists()

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Unduh baris yang salah (.xlsx)").click()
    wrong_rows = tmp_path / "baris-salah.xlsx"
    download_info.value.save_as(wrong_rows)
    book = openpyxl.load_workbook(wrong_rows)
    sheet = book.active
    headings = [cell.value for cell in sheet[1]]
    assert sheet.max_row == 3
    assert "Kesalahan" in headings
    # Fix both rows in the downloaded workbook, as the treasurer would in Excel.
    sheet.cell(2, headings.index("Jenis Kelamin") + 1).value = "L"
    sheet.cell(3, headings.index("Tanggal Lahir") + 1).value = "02-03-1990"
    book.save(wrong_rows)

    phone.get_by_role("button", name="Batal").click()
    phone.wait_for_load_state()
    phone.get_by_label("Isi berkas").select_option("members")
    phone.get_by_label("Berkas Excel (.xlsx)").set_input_files(str(wrong_rows))
    phone.get_by_role("button", name="Unggah dan periksa").click()
    phone.wait_for_load_state()
    assert phone.locator("table.problems").count() == 0
    shot(phone, "22-import-preview-clean")
    phone.get_by_role("button", name="Konfirmasi impor").click()
    phone.wait_for_load_state()
    phone.get_by_text("Sudah diimpor.").wait_for()
    shot(phone, "23-import-result")
    assert_fits_the_phone(phone)
    assert set(Member.objects.values_list("nik", flat=True)) == {BUDI[0], RINA[0]}

    # The first (good) row came from the first file: upload it again, with the fixed ones.
    full = tmp_path / "daftar-anggota-lengkap.xlsx"
    full.write_bytes(member_book([SITI, BUDI, RINA]))
    phone.goto(f"{live_server.url}/koperasi/{world.coop_a.pk}/impor/")
    phone.get_by_label("Isi berkas").select_option("members")
    phone.get_by_label("Berkas Excel (.xlsx)").set_input_files(str(full))
    phone.get_by_role("button", name="Unggah dan periksa").click()
    phone.wait_for_load_state()
    figures = phone.locator(".figures").inner_text()
    assert "1\nbaru" in figures and "2\ntidak berubah" in figures
    phone.get_by_role("button", name="Konfirmasi impor").click()
    phone.get_by_text("Sudah diimpor.").wait_for()
    phone.get_by_role("link", name="Lihat anggota").click()
    phone.wait_for_load_state()
    assert "Siti Aminah" in phone.content()
    shot(phone, "24-members-after-import")

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Unduh .xlsx").click()
    exported = tmp_path / "anggota.xlsx"
    download_info.value.save_as(exported)
    sheet = openpyxl.load_workbook(exported).active
    rows = list(sheet.iter_rows(values_only=True))
    niks = {row[0] for row in rows[1:]}
    assert niks == {SITI[0], BUDI[0], RINA[0]}
    assert all(isinstance(nik, str) and len(nik) == 16 for nik in niks)
    assert sheet.freeze_panes == "A2"


def test_the_progress_bar_follows_the_check_and_shows_the_preview_when_done(
    world, live_server, phone, shot
):
    run = import_run_create(
        cooperative=world.coop_a,
        kind="members",
        data=member_book([SITI, BUDI]),
        file_name="anggota.xlsx",
        uploaded_by=world.alice,
        queue=False,
    )
    sign_in(phone, live_server.url, "alice", PASSWORD)
    phone.goto(f"{live_server.url}/impor/{run.pk}/")
    assert phone.locator("progress#run-progress").is_visible()
    assert "Menunggu giliran" in phone.content()
    shot(phone, "25-import-waiting")
    # The worker picks it up; the page notices by itself and shows the preview.
    assert import_run_check(run_id=run.pk).status == RunStatus.READY
    phone.get_by_text("Pratinjau").wait_for(timeout=10_000)
    assert phone.locator("progress#run-progress").count() == 0
    assert ImportRun.objects.get().created == 2
