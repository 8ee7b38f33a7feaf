"""The SHU page, its forms and its workbooks, on the hand-computed books of test_shu.py."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from finance import chart
from finance.enums import EntrySource
from finance.models import AnnualMeeting, JournalEntry, ShuPolicy
from finance.services import shu_policy_set
from tests.finance.test_shu import POLICY, shu_books


@pytest.fixture
def books(world):
    result = shu_books(world.coop_a, by=world.alice)
    shu_policy_set(cooperative=world.coop_a, from_year=result.year, by=world.alice, **POLICY)
    return result


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["kopdes_language"] = "en"
    return client


def shu_url(books, name="finance:shu") -> str:
    return reverse(name, args=[books.cooperative.pk, books.year])


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(response.content), read_only=True)


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_the_result_the_allocation_the_shares_and_the_formulas(books, world):
    response = client_for(world.bob).get(shu_url(books))
    assert response.status_code == 200
    html = response.content.decode()
    for figure in ("Rp 6.400.000", "Rp 4.400.001", "Rp 1.999.999", "Rp 799.999", "Rp 183.334"):
        assert figure in html
    assert "Ani" in html and "Dodi" in html
    assert "Rp 477.452" in html  # Ani's share
    assert "÷ all members' simpanan pokok + wajib (Rp 480.000)" in html
    assert "÷ all members' transactions (Rp 3.400.000)" in html
    # The pengawas reads; the forms and the button are the book keeper's.
    assert reverse("finance:shu_policy", args=[books.cooperative.pk, books.year]) not in html
    assert reverse("finance:shu_distribute", args=[books.cooperative.pk, books.year]) not in html


def test_the_book_keeper_sees_the_forms_and_the_distribute_button(books, world):
    html = client_for(world.alice).get(shu_url(books)).content.decode()
    assert reverse("finance:shu_policy", args=[books.cooperative.pk, books.year]) in html
    assert reverse("finance:rat_record", args=[books.cooperative.pk, books.year]) in html
    assert reverse("finance:shu_distribute", args=[books.cooperative.pk, books.year]) in html


def test_without_a_year_the_page_shows_last_year(books, world):
    response = client_for(world.alice).get(reverse("finance:shu", args=[books.cooperative.pk]))
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year - 1 == books.year


def test_the_running_year_is_provisional_and_has_no_button(books, world):
    response = client_for(world.alice).get(
        reverse("finance:shu", args=[books.cooperative.pk, books.year + 1])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "provisional" in html
    assert reverse("finance:shu_distribute", args=[books.cooperative.pk, books.year + 1]) not in (
        html
    )


def test_a_year_not_begun_is_not_found(books, world):
    url = reverse("finance:shu", args=[books.cooperative.pk, timezone.localdate().year + 1])
    assert client_for(world.alice).get(url).status_code == 404


def test_another_cooperatives_operator_gets_404_everywhere(books, world):
    carol = client_for(world.carol)
    for name in ("finance:shu", "finance:shu_xlsx", "finance:rat_package"):
        assert carol.get(shu_url(books, name)).status_code == 404
    for name in ("finance:shu_policy", "finance:rat_record", "finance:shu_distribute"):
        assert carol.post(shu_url(books, name), {}).status_code == 404
    assert carol.get(reverse("finance:datasets", args=[books.cooperative.pk])).status_code == 404


# --- the forms -----------------------------------------------------------------------------------


def policy_post(from_year, **parts):
    data = {"from_year": from_year}
    data.update({key: "0" for key in ShuPolicy.PARTS})
    data.update(parts)
    return data


def test_the_pengawas_may_not_change_the_allocation(books, world):
    response = client_for(world.bob).post(
        shu_url(books, "finance:shu_policy"), policy_post(books.year, reserve="100")
    )
    assert response.status_code == 403
    assert ShuPolicy.objects.get().reserve == 40


def test_the_book_keeper_sets_the_allocation_and_a_wrong_total_comes_back(books, world):
    alice = client_for(world.alice)
    url = shu_url(books, "finance:shu_policy")
    response = alice.post(url, policy_post(books.year + 1, reserve="50", member_capital="30"))
    assert response.status_code == 400
    assert "The parts add up to 80" in response.content.decode()
    assert not ShuPolicy.objects.filter(from_year=books.year + 1).exists()
    response = alice.post(
        url, policy_post(books.year + 1, reserve="50", member_capital="25", member_business="25")
    )
    assert response.status_code == 302
    assert response["Location"] == shu_url(books)
    policy = ShuPolicy.objects.get(from_year=books.year + 1)
    assert (policy.reserve, policy.member_business, policy.updated_by) == (50, 25, world.alice)


def test_the_rat_is_recorded_by_the_book_keeper_only(books, world):
    data = {
        "held_on": f"{books.year + 1}-01-01",
        "members_present": "3",
        "pengurus": "3",
        "pengawas": "2",
        "employees": "1",
        "notes": "BA-01/RAT",
    }
    assert client_for(world.bob).post(shu_url(books, "finance:rat_record"), data).status_code == 403
    response = client_for(world.alice).post(shu_url(books, "finance:rat_record"), data)
    assert response.status_code == 302
    meeting = AnnualMeeting.objects.get()
    assert (meeting.year, meeting.managers, meeting.notes) == (books.year, 5, "BA-01/RAT")
    too_early = {**data, "held_on": f"{books.year}-12-31"}
    response = client_for(world.alice).post(shu_url(books, "finance:rat_record"), too_early)
    assert response.status_code == 400
    assert "held after the year has ended" in response.content.decode()


def test_distribute_posts_once_and_only_for_the_book_keeper(books, world):
    url = shu_url(books, "finance:shu_distribute")
    assert client_for(world.bob).post(url).status_code == 403
    alice = client_for(world.alice)
    assert alice.post(url).status_code == 302
    assert alice.post(url).status_code == 302
    entry = JournalEntry.objects.get(source=EntrySource.SHU)
    assert entry.lines.get(account__code=chart.RETAINED_SHU).debit == 1_999_999
    html = alice.get(shu_url(books)).content.decode()
    assert entry.reference in html


def test_distributing_the_running_year_is_refused_with_a_message(books, world):
    url = reverse("finance:shu_distribute", args=[books.cooperative.pk, books.year + 1])
    response = client_for(world.alice).post(url, follow=True)
    assert "has not ended yet" in response.content.decode()
    assert not JournalEntry.objects.filter(source=EntrySource.SHU).exists()


# --- the workbooks -------------------------------------------------------------------------------


def test_member_shares_download_reads_back(books, world):
    book = workbook(client_for(world.bob).get(shu_url(books, "finance:shu_xlsx")))
    assert book.sheetnames == ["Members' SHU", "SHU allocation"]
    rows = rows_of(book["Members' SHU"])
    assert rows[0][0] == "No."
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["Ani"][1] == books.ani.nik  # NIK as text, all 16 digits
    assert by_name["Ani"][3:] == (220_000, 2_000_000, 183_334, 294_118, 477_452)
    assert by_name["Dodi"][3:] == (0, 0, 0, 0, 0)
    assert sum(row[7] for row in rows[1:]) == 900_000
    allocation = rows_of(book["SHU allocation"])
    assert allocation[3][2] == 1_999_999  # SHU
    assert allocation[4][0] == "Cadangan" and allocation[4][2] == 799_999
    assert allocation[-1][2] == 1_999_999


def test_the_rat_package_is_one_workbook_with_statements_shu_and_members(books, world):
    from finance.statement_exports import rat_sheets

    statements = [sheet.name for sheet in rat_sheets(books.cooperative, year=books.year)]
    book = workbook(client_for(world.alice).get(shu_url(books, "finance:rat_package")))
    assert len(book.sheetnames) == len(statements) + 3
    assert book.sheetnames[-3:] == ["SHU allocation", "Members' SHU", "Member list"]
    # The statements come first and carry the year's figures.
    statement_values = {
        value
        for name in book.sheetnames[:-3]
        for row in rows_of(book[name])
        for value in row
        if isinstance(value, int | float)
    }
    assert {6_400_000, 4_400_001, 1_999_999} <= statement_values
    members = {row[1]: row for row in rows_of(book["Member list"])[1:]}
    # pokok, wajib, sukarela on 31 December: Budi's wajib of 1 January is not in it.
    assert members["Budi"][-3:] == (100_000, 60_000, 0)
    assert members["Ani"][-3:] == (100_000, 120_000, 500_000)
    shares = {row[2]: row for row in rows_of(book["Members' SHU"])[1:]}
    assert shares["Citra"][-1] == 156_862
