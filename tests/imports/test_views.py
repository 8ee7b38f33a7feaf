"""The portal's import pages: upload → check (the job) → preview → confirm (the job) → result."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cooperatives.models import Member
from imports.enums import RunStatus
from imports.models import ImportRun
from imports.reader import MAX_FILE_BYTES

from .books import BUDI, SITI, member_book

pytestmark = pytest.mark.django_db


def upload(client, world, data, name="anggota.xlsx", kind="members"):
    return client.post(
        reverse("import_start", args=[world.coop_a.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, data), "sheet": ""},
    )


def test_upload_check_preview_confirm_and_result(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    bad = [*BUDI]
    bad[2] = "X"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, member_book([SITI, bad]))
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_run_detail", args=[run.pk])
    assert run.status == RunStatus.READY
    assert (run.created, run.rows_invalid, run.uploaded_by) == (1, 1, world.alice)

    page = client.get(reverse("import_run_detail", args=[run.pk]))
    html = page.content.decode()
    assert "Pratinjau" in html and "Baris salah" in html
    assert "Unduh baris yang salah" in html
    assert not Member.objects.exists()

    # Without the explicit choice a file with a wrong row applies nothing.
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("import_run_confirm", args=[run.pk]), follow=True)
    assert "baris salah" in refused.content.decode().lower()
    run.refresh_from_db()
    assert run.status == RunStatus.READY
    assert not Member.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_run_confirm", args=[run.pk]), {"skip_invalid": "on"})
    run.refresh_from_db()
    assert run.status == RunStatus.APPLIED
    assert run.confirmed_by == world.alice
    assert list(Member.objects.values_list("nik", flat=True)) == [SITI[0]]
    status = client.get(reverse("import_run_status", args=[run.pk])).json()
    assert status == {
        "status": "applied",
        "label": "Sudah diimpor",
        "done": status["done"],
        "total": status["total"],
        "percent": status["percent"],
        "working": False,
    }


def test_the_wrong_rows_come_back_as_a_workbook_that_imports_once_fixed(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    bad = [*BUDI]
    bad[2] = "X"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, member_book([SITI, bad]))
    run = ImportRun.objects.get()
    response = client.get(reverse("import_run_error_rows", args=[run.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    headings = rows[0]
    assert headings[1] == "NIK" and "Kesalahan" in headings
    assert len(rows) == 2
    fixed = rows[1]
    assert fixed[1] == BUDI[0]  # the NIK stays text
    assert "D7" in fixed[headings.index("Kesalahan")]
    # Fix the cell in the downloaded workbook and upload that.
    sheet = book.active
    sheet.cell(2, headings.index("Jenis Kelamin") + 1).value = "L"
    out = io.BytesIO()
    book.save(out)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, out.getvalue(), name="baris-salah.xlsx")
    second = ImportRun.objects.latest("pk")
    assert second.status == RunStatus.READY, second.errors
    assert (second.created, second.rows_invalid) == (1, 0)


def test_hostile_or_oversized_uploads_get_a_clear_message_and_nothing_is_stored(client, world):
    client.force_login(world.alice)
    response = upload(client, world, b"NIK;Nama\n6402;Siti\n", name="anggota.xlsx")
    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    response = upload(client, world, b"x" * (MAX_FILE_BYTES + 1))
    assert response.status_code == 400
    assert "MB" in response.content.decode()
    # The CSV is stored and refused by the check (its reason is on the run); the oversized
    # upload never becomes a run.
    assert ImportRun.objects.count() <= 1


def test_only_operators_of_the_cooperative_import_and_others_see_nothing(client, world):
    data = member_book([SITI])
    client.force_login(world.bob)  # pengawas: may read the history, not import
    page = client.get(reverse("import_start", args=[world.coop_a.pk]))
    assert page.status_code == 200 and b'type="file"' not in page.content
    assert upload(client, world, data).status_code == 403
    client.force_login(world.carol)  # another cooperative's operator
    assert client.get(reverse("import_start", args=[world.coop_a.pk])).status_code == 404
    assert upload(client, world, data).status_code == 404
    assert not ImportRun.objects.exists()


def test_someone_outside_the_scope_cannot_see_or_confirm_a_run(client, world):
    client.force_login(world.alice)
    upload(client, world, member_book([SITI]))
    run = ImportRun.objects.get()
    client.force_login(world.carol)
    for name in ("import_run_detail", "import_run_status", "import_run_file"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("import_run_confirm", args=[run.pk])).status_code == 404
    client.force_login(world.dave)  # district officer: sees it, may not confirm it
    assert client.get(reverse("import_run_detail", args=[run.pk])).status_code == 200
    assert client.post(reverse("import_run_confirm", args=[run.pk])).status_code == 403


def test_templates_download_for_every_kind(client, world):
    client.force_login(world.alice)
    for kind in ("members", "savings", "cashbook", "loans"):
        response = client.get(reverse("import_template", args=[kind]))
        assert response.status_code == 200, kind
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "Petunjuk" in book.sheetnames
    assert client.get(reverse("import_template", args=["submissions"])).status_code == 404


def test_a_run_left_behind_by_a_worker_is_queued_again(world, monkeypatch):
    import datetime

    from django.utils import timezone

    from imports import tasks
    from imports.services import import_run_create

    run = import_run_create(
        cooperative=world.coop_a,
        kind="members",
        data=member_book([SITI]),
        file_name="a.xlsx",
        queue=False,
    )
    queued = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda name, *args, **kw: queued.append((name, args))
    )
    assert tasks.imports_requeue_stuck() == 0  # too recent: a worker may still have it
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert tasks.imports_requeue_stuck() == 1
    assert queued == [("imports.tasks.import_check", (run.pk,))]
    # Picked up again, it is checked once; a second delivery leaves it alone.
    assert tasks.import_check(run.pk) == "ready"
    assert tasks.import_check(run.pk) == "skipped"


def test_a_member_page_says_which_file_and_row_the_member_came_from(client, world):
    from imports.services import import_file

    run = import_file(
        cooperative=world.coop_a,
        kind="members",
        data=member_book([SITI]),
        file_name="buku-anggota.xlsx",
        uploaded_by=world.alice,
    )
    member = Member.objects.get()
    client.force_login(world.bob)
    page = client.get(reverse("member_detail", args=[world.coop_a.pk, member.pk])).content.decode()
    assert "buku-anggota.xlsx, baris 6" in page
    assert reverse("import_run_detail", args=[run.pk]) in page


def test_an_oversized_request_is_refused_before_its_body_is_read(client, world):
    client.force_login(world.alice)
    huge = str(500 * 1024 * 1024)
    response = client.post(
        reverse("import_start", args=[world.coop_a.pk]), {"kind": "members"}, CONTENT_LENGTH=huge
    )
    assert response.status_code == 413
    assert "lebih besar dari 20 MB" in response.content.decode()
    api = client.post(reverse("api-import-list"), {}, CONTENT_LENGTH=huge)
    assert api.status_code == 413 and "20 MB" in api.json()["detail"]
    assert not ImportRun.objects.exists()


def test_the_wrong_rows_workbook_neutralises_formula_text_and_keeps_phones(
    client, world, django_capture_on_commit_callbacks
):
    book = openpyxl.load_workbook(io.BytesIO(member_book([BUDI])))
    sheet = book.active
    sheet["C6"].value = "=cmd|' /C calc'!A0"
    sheet["C6"].data_type = "s"
    sheet["D6"].value = "X"  # wrong sex: the row comes back
    out = io.BytesIO()
    book.save(out)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, out.getvalue())
    run = ImportRun.objects.get()
    response = client.get(reverse("import_run_error_rows", args=[run.pk]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    headings = rows[0]
    assert rows[1][headings.index("Nama Lengkap")] == "'=cmd|' /C calc'!A0"
    assert rows[1][headings.index("No. HP")] == BUDI[9]


def test_while_the_rows_are_written_the_bar_is_busy_not_a_stale_count(client, world):
    from imports.services import import_run_check, import_run_create

    run = import_run_create(
        cooperative=world.coop_a,
        kind="members",
        data=member_book([SITI]),
        file_name="a.xlsx",
        uploaded_by=world.alice,
        queue=False,
    )
    import_run_check(run_id=run.pk)
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.APPLYING)
    client.force_login(world.alice)
    html = client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert '<progress id="run-progress" max="100" aria-describedby' in html
    assert "Semua baris disimpan sekaligus" in html
    assert "Konfirmasi impor" not in html
