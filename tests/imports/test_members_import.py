"""Importing a Daftar Anggota: preview, all-or-nothing apply, re-import, villages, tenants."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from cooperatives.models import Member
from finance.models import SavingsBalance
from imports.enums import RunStatus
from imports.services import import_file
from tests.factories import MemberFactory

from .books import BUDI, RINA, SITI, member_book

pytestmark = pytest.mark.django_db


def run_import(world, data, **options):
    options.setdefault("cooperative", world.coop_a)
    return import_file(
        kind="members", data=data, file_name="anggota.xlsx", uploaded_by=world.alice, **options
    )


def snapshot(queryset):
    return sorted(map(repr, queryset.values()))


def test_a_messy_valid_list_imports_every_member_with_provenance_and_balances(world):
    run = run_import(world, member_book([SITI, BUDI, RINA]))
    assert run.status == RunStatus.APPLIED, run.errors
    assert (run.created, run.updated, run.unchanged, run.rows_invalid) == (3, 0, 0, 0)
    # JUMLAH, the place-and-date line, "Ketua" and the name in brackets.
    assert run.rows_skipped == 4
    assert (run.sheet, run.header_row) == ("Anggota", 4)
    siti = Member.objects.get(cooperative=world.coop_a, nik="6402165708800002")
    assert siti.name == "Siti Aminah"
    assert siti.sex == "P"
    assert siti.birth_date == datetime.date(1980, 8, 17)
    assert siti.phone == "+6281234567890"
    assert siti.village_id == "64.02.16.2002"  # "Bukit Raya" of the cooperative's own kecamatan
    assert (siti.import_run_id, siti.import_row) == (run.pk, 6)
    rina = Member.objects.get(nik="6402164203900003")
    assert rina.phone == "+6281255556666"  # the leading 0 Excel dropped
    assert rina.join_date == datetime.date(2026, 7, 17)
    balance = SavingsBalance.objects.get(member=siti)
    assert (balance.as_of, balance.pokok, balance.wajib) == (
        datetime.date(2026, 10, 31),
        100000,
        120000,
    )
    assert (balance.import_run_id, balance.import_row) == (run.pk, 6)
    assert len(run.sha256) == 64


def test_a_list_with_wrong_rows_applies_nothing_and_names_row_and_column(world):
    bad_date = [*BUDI]
    bad_date[4] = "31-02-1980"
    number_nik = [*RINA]
    number_nik[0] = 6402164203900003
    duplicate = [*SITI]
    duplicate[1] = "Siti Duplikat"
    run = run_import(world, member_book([SITI, bad_date, number_nik, duplicate], text_nik=False))
    assert run.status == RunStatus.REJECTED
    assert run.rows_invalid == 3
    assert not Member.objects.filter(cooperative=world.coop_a).exists()
    found = {(error["row"], error["column"], error["code"]) for error in run.errors}
    assert (7, "F", "date_impossible") in found
    assert (8, "B", "nik_number") in found
    assert (9, "B", "nik_duplicate") in found
    duplicate_error = next(e for e in run.errors if e["code"] == "nik_duplicate")
    assert "6" in duplicate_error["message"]  # cites the first row


def test_skip_invalid_imports_only_the_valid_rows(world):
    bad = [*BUDI]
    bad[2] = "X"
    run = run_import(world, member_book([SITI, bad]), skip_invalid=True)
    assert run.status == RunStatus.APPLIED
    assert (run.created, run.rows_invalid) == (1, 1)
    assert list(Member.objects.filter(cooperative=world.coop_a).values_list("nik", flat=True)) == [
        SITI[0]
    ]


def test_importing_the_same_file_again_changes_nothing(world):
    data = member_book([SITI, BUDI, RINA])
    run_import(world, data)
    members_before = snapshot(Member.objects.all())
    balances_before = snapshot(SavingsBalance.objects.all())
    again = run_import(world, data)
    assert again.status == RunStatus.APPLIED
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(Member.objects.all()) == members_before
    assert snapshot(SavingsBalance.objects.all()) == balances_before


def test_an_updated_list_updates_exactly_the_changed_rows_and_never_adds_balances(world):
    first = run_import(world, member_book([SITI, BUDI, RINA]))
    moved = [*BUDI]
    moved[9] = "0813-9999-0000"
    richer = [*SITI]
    richer[12] = 150000
    second = run_import(world, member_book([richer, moved, RINA]))
    assert (second.created, second.updated, second.unchanged) == (0, 2, 1)
    budi = Member.objects.get(nik=BUDI[0])
    assert budi.phone == "+6281399990000"
    assert (budi.import_run_id, budi.import_row) == (second.pk, 7)
    assert Member.objects.get(nik=RINA[0]).import_run_id == first.pk
    # Same date: the balance is replaced, not added to.
    balances = SavingsBalance.objects.filter(member__nik=SITI[0])
    assert [(b.as_of, b.wajib) for b in balances] == [(datetime.date(2026, 10, 31), 150000)]
    change = next(c for c in second.changes if c["row"] == 6)
    assert ["Simpanan Wajib", 120000, 150000] in change["fields"]


def test_a_village_name_that_repeats_is_resolved_within_the_kecamatan_or_refused(world):
    # coop_c lies in Kelay (Berau), which has no "Bukit Raya": the kecamatan in the NIK decides.
    from_tenggarong = [*SITI]
    from_tenggarong[0] = "6402135708800002"  # NIK of Kec. Tenggarong (64.02.13)
    unknown_place = [*BUDI]
    unknown_place[0] = "6401011708750001"  # NIK of Paser: no Bukit Raya there
    unknown_place[8] = "Bukit Raya"
    run = run_import(world, member_book([from_tenggarong, unknown_place]), cooperative=world.coop_c)
    problems = {error["row"]: error for error in run.errors}
    assert 6 not in problems
    assert problems[7]["code"] == "village_elsewhere"
    assert "64.02.16.2002" in problems[7]["message"] and "64.02.13.2016" in problems[7]["message"]
    warning = next(w for w in run.warnings if w["row"] == 6)
    assert warning["code"] == "village_outside"


def test_a_member_of_another_cooperative_stays_untouched(world):
    other = MemberFactory(cooperative=world.coop_c, nik=SITI[0], name="Siti di Berau")
    before = snapshot(Member.objects.filter(pk=other.pk))
    run = run_import(world, member_book([SITI]))
    assert run.status == RunStatus.APPLIED
    assert snapshot(Member.objects.filter(pk=other.pk)) == before
    assert Member.objects.get(cooperative=world.coop_a, nik=SITI[0]).name == "Siti Aminah"
    assert [w["code"] for w in run.warnings] == ["nik_elsewhere"]
    assert "Berau" not in run.warnings[0]["message"]


def test_the_command_prints_the_json_contract_and_exits_1_on_wrong_rows(world, tmp_path):
    good = tmp_path / "anggota.xlsx"
    good.write_bytes(member_book([SITI, BUDI]))
    out = StringIO()
    call_command(
        "import_xlsx",
        "--kind",
        "members",
        "--cooperative",
        "64.02.16.2002",
        "--json",
        str(good),
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["status"] == "applied"
    assert report["rows"] == {"total": 2, "valid": 2, "invalid": 0, "skipped": 4}
    assert (report["created"], report["updated"], report["unchanged"]) == (2, 0, 0)
    assert report["file"]["sheet"] == "Anggota" and len(report["file"]["sha256"]) == 64

    bad_row = [*RINA]
    bad_row[2] = "?"
    bad = tmp_path / "salah.xlsx"
    bad.write_bytes(member_book([bad_row]))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_xlsx",
            "--kind",
            "members",
            "--cooperative",
            "64.02.16.2002",
            "--json",
            "--dry-run",
            str(bad),
            stdout=out,
        )
    assert exit_info.value.code == 1
    report = json.loads(out.getvalue())
    assert report["status"] == "dry_run"
    assert report["errors"][0]["row"] == 6 and report["errors"][0]["column"] == "D"
    assert not Member.objects.filter(nik=RINA[0]).exists()
