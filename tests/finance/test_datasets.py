"""The national data sets: the ODS annual figures per cooperative and the SIMKOPDES member and
savings list, hand-computed from the books of test_shu.py (Bukit Raya) and a small second book
(Embalut).

Bukit Raya on 31 December Y (entries of 1 January Y+1 left out):
  kas: Y−1 100.000 − 250.000 = −150.000; Y savings 300.000 + 180.000 + 500.000 = 980.000,
       sales 3.000.000 − refund 100.000 + 3.000.000 + loan services 500.000 − expenses 4.400.001
       => 2.979.999 in Y; 2.829.999 on 31 December        = assets 2.829.999
  liabilities: simpanan sukarela 500.000                    = external capital 500.000
  equity: pokok 300.000 + wajib 180.000 + the results of Y−1 (−150.000) and Y (1.999.999)
                                                            = own capital 2.329.999
  business volume (revenue of Y) 6.400.000; SHU of Y 1.999.999
  members: Ani (P), Budi (L), Citra (P) active; Dodi (L) resigned; Eko joined in Y+1 => 3, 1 L, 2 P

Embalut in Y: a bank loan of 1.000.000 into kas, other income 250.000, office costs 50.000, and
300.000 moved from kas to its own bank sub-account 1-102.01 (counted under 1-102):
  assets 1.000.000 + 250.000 − 50.000 = 1.200.000; external 1.000.000; own 200.000;
  volume 250.000; SHU 200.000; one member (P).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.enums import CooperativeStatus, MemberStatus, Sex
from cooperatives.models import Cooperative, Member
from cooperatives.scoping import visible_cooperatives
from finance import chart
from finance.datasets import member_savings_rows, ods_rows
from finance.models import Account
from finance.services import (
    Line,
    account_create_sub,
    annual_meeting_record,
    shu_distribute,
    shu_policy_set,
)
from tests.factories import CooperativeFactory, MemberFactory
from tests.finance.test_shu import POLICY, post, shu_books
from tests.finance.test_shu_views import client_for, rows_of, workbook


def embalut_books(coop: Cooperative, user, y: int) -> None:
    MemberFactory(cooperative=coop, name="Wati", sex=Sex.FEMALE, join_date=datetime.date(y, 1, 5))
    post(
        coop,
        datetime.date(y, 2, 1),
        "Pinjaman bank",
        Line(chart.CASH, debit=1_000_000),
        Line(chart.BANK_LOANS, credit=1_000_000),
    )
    post(
        coop,
        datetime.date(y, 3, 1),
        "Pendapatan lain",
        Line(chart.CASH, debit=250_000),
        Line("4-901", credit=250_000),
    )
    post(
        coop,
        datetime.date(y, 3, 2),
        "ATK",
        Line("5-903", debit=50_000),
        Line(chart.CASH, credit=50_000),
    )
    bank = Account.objects.get(code=chart.BANK, cooperative=None)
    own_bank = account_create_sub(cooperative=coop, parent=bank, name="Bank Kaltimtara", by=user)
    post(
        coop,
        datetime.date(y, 4, 1),
        "Setor ke bank",
        Line(own_bank, debit=300_000),
        Line(chart.CASH, credit=300_000),
    )


@pytest.fixture
def books(world):
    result = shu_books(world.coop_a, by=world.alice)
    y = result.year
    Member.objects.filter(pk=result.dodi.pk).update(status=MemberStatus.RESIGNED)
    MemberFactory(
        cooperative=world.coop_a, name="Eko", sex=Sex.MALE, join_date=datetime.date(y + 1, 1, 1)
    )
    annual_meeting_record(
        cooperative=world.coop_a,
        year=y,
        held_on=datetime.date(y + 1, 1, 1),
        members_present=3,
        pengurus=3,
        pengawas=2,
        employees=4,
        by=world.alice,
    )
    embalut_books(world.coop_b, world.alice, y)
    return result


def by_name(rows):
    return {row.name: row for row in rows}


# --- ODS -----------------------------------------------------------------------------------------


def test_ods_figures_per_cooperative(books, world):
    rows = by_name(ods_rows(Cooperative.objects.all(), year=books.year))
    a = rows[world.coop_a.name]
    assert (a.members, a.members_men, a.members_women) == (3, 1, 2)
    assert (a.pengurus, a.pengawas, a.managers, a.employees) == (3, 2, 5, 4)
    assert a.rat_held and a.rat_date == datetime.date(books.year + 1, 1, 1)
    assert a.assets == 2_829_999
    assert a.external_capital == 500_000
    assert a.own_capital == 2_329_999
    assert a.own_capital + a.external_capital == a.assets
    assert a.business_volume == 6_400_000
    assert a.shu == 1_999_999
    assert (a.regency, a.district) == ("Kabupaten Kutai Kartanegara", "Tenggarong Seberang")
    b = rows[world.coop_b.name]
    assert (b.assets, b.external_capital, b.own_capital) == (1_200_000, 1_000_000, 200_000)
    assert (b.business_volume, b.shu) == (250_000, 200_000)
    assert (b.members, b.members_men, b.members_women) == (1, 0, 1)
    assert b.rat_held is False and b.pengurus is None and b.rat_date is None
    c = rows[world.coop_c.name]
    assert (c.assets, c.own_capital, c.members, c.shu) == (0, 0, 0, 0)
    # Merabu – Panaan covers two villages.
    assert "Merabu" in c.villages and "Panaan" in c.villages


def test_a_distribution_moves_the_members_part_from_own_to_external_capital(books, world):
    shu_policy_set(cooperative=world.coop_a, from_year=books.year, by=world.alice, **POLICY)
    # Dated the RAT (1 January Y+1): the figures of 31 December Y do not change.
    shu_distribute(cooperative=world.coop_a, year=books.year, by=world.alice)
    before = ods_rows(Cooperative.objects.filter(pk=world.coop_a.pk), year=books.year)[0]
    assert (before.own_capital, before.external_capital) == (2_329_999, 500_000)
    # In Y+1: all but the reserve (1.999.999 − 799.999 = 1.200.000) is owed to members and funds.
    # Own capital then: 2.329.999 − 1.200.000 + next year's sale to Ani (700.000) + Budi's
    # wajib of 1 January (10.000) = 1.839.999; external 500.000 + 1.200.000 = 1.700.000.
    after = ods_rows(Cooperative.objects.filter(pk=world.coop_a.pk), year=books.year + 1)[0]
    assert after.external_capital == 1_700_000
    assert after.own_capital == 1_839_999
    assert after.shu == 700_000


def test_erin_gets_her_regency_only(books, world):
    names = {row.name for row in ods_rows(visible_cooperatives(world.erin), year=books.year)}
    assert names == {world.coop_a.name, world.coop_b.name, world.coop_k.name}
    book = workbook(client_for(world.erin).get(reverse("finance:ods_scope", args=[books.year])))
    sheet = rows_of(book[book.sheetnames[0]])
    assert sheet[0][0] == "NIK Koperasi"
    assert {row[1] for row in sheet[1:]} == names
    alice = workbook(client_for(world.alice).get(reverse("finance:ods_scope", args=[books.year])))
    only = rows_of(alice[alice.sheetnames[0]])[1:]
    assert [row[1] for row in only] == [world.coop_a.name]
    headings = rows_of(alice[alice.sheetnames[0]])[0]
    row = dict(zip(headings, only[0], strict=True))
    assert row["Jumlah Anggota"] == 3
    assert row["Modal Sendiri"] == 2_329_999
    assert row["Modal Luar"] == 500_000
    assert row["Volume Usaha"] == 6_400_000
    assert row["Aset"] == 2_829_999
    assert row["SHU"] == 1_999_999
    assert row["RAT"] == "Ya"
    assert row["Jumlah Pengurus"] == 3 and row["Jumlah Karyawan"] == 4


def test_ods_queries_do_not_grow_with_the_cooperatives(books, world):
    extra = CooperativeFactory(status=CooperativeStatus.ACTIVE)
    for coop in (world.coop_c, world.coop_k, extra):
        embalut_books(coop, world.alice, books.year)

    def queries(cooperatives) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = ods_rows(cooperatives, year=books.year)
        return len(captured), len(rows)

    one = queries(Cooperative.objects.filter(pk=world.coop_a.pk))
    five = queries(Cooperative.objects.all())
    assert one[1] == 1 and five[1] == 5
    assert five[0] == one[0]


# --- SIMKOPDES -----------------------------------------------------------------------------------


def test_simkopdes_rows_and_savings_on_a_day(books, world):
    y = books.year
    rows = {
        row.name: row for row in member_savings_rows(world.coop_a, as_of=datetime.date(y, 12, 31))
    }
    assert set(rows) == {"Ani", "Budi", "Citra", "Dodi"}  # Eko joined later
    assert (rows["Ani"].pokok, rows["Ani"].wajib, rows["Ani"].sukarela) == (
        100_000,
        120_000,
        500_000,
    )
    assert (rows["Budi"].pokok, rows["Budi"].wajib, rows["Budi"].sukarela) == (100_000, 60_000, 0)
    # Statuses as the national system writes them, in Bahasa Indonesia.
    assert (rows["Dodi"].pokok, rows["Dodi"].status) == (0, "Keluar")
    later = {
        row.name: row for row in member_savings_rows(world.coop_a, as_of=datetime.date(y + 1, 1, 1))
    }
    assert later["Budi"].wajib == 70_000
    assert "Eko" in later


def test_simkopdes_download_reads_back(books, world):
    y = books.year
    url = reverse("finance:simkopdes_xlsx", args=[world.coop_a.pk])
    book = workbook(client_for(world.bob).get(url, {"tanggal": f"{y}-12-31"}))
    rows = rows_of(book[book.sheetnames[0]])
    headings = rows[0]
    assert headings[:3] == ("NIK", "Nama Lengkap", "Jenis Kelamin")
    assert headings[-3:] == ("Simpanan Pokok", "Simpanan Wajib", "Simpanan Sukarela")
    members = {row[1]: dict(zip(headings, row, strict=True)) for row in rows[1:]}
    assert set(members) == {"Ani", "Budi", "Citra", "Dodi"}
    ani = members["Ani"]
    assert ani["NIK"] == books.ani.nik and isinstance(ani["NIK"], str)
    assert ani["Jenis Kelamin"] == "P"
    assert (ani["Simpanan Pokok"], ani["Simpanan Wajib"], ani["Simpanan Sukarela"]) == (
        100_000,
        120_000,
        500_000,
    )
    assert ani["Tanggal Masuk"].date() == datetime.date(y - 2, 1, 10)
    assert client_for(world.carol).get(url).status_code == 404


def test_the_datasets_page_shows_the_year_and_links_the_downloads(books, world):
    url = reverse("finance:datasets", args=[world.coop_a.pk])
    response = client_for(world.erin).get(url, {"tahun": books.year})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rp 2.329.999" in html and "Rp 6.400.000" in html
    assert reverse("finance:ods_xlsx", args=[world.coop_a.pk, books.year]) in html
    assert reverse("finance:ods_scope", args=[books.year]) in html  # erin sees more
    alice = client_for(world.alice).get(url).content.decode()
    assert reverse("finance:ods_scope", args=[books.year]) not in alice
    bad = client_for(world.alice).get(url, {"tahun": "1990"})
    assert bad.status_code == 400
    one = workbook(
        client_for(world.alice).get(reverse("finance:ods_xlsx", args=[world.coop_a.pk, books.year]))
    )
    assert len(rows_of(one[one.sheetnames[0]])) == 2
