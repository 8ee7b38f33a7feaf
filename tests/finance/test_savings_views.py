"""The savings pages: the cooperative's savings (totals, policy, wajib arrears and their
workbook, recording a movement) and a member's passbook with its statement workbook. Whoever
sees the cooperative reads; the operator records (the pengawas gets 403, another cooperative's
operator 404); what the service refuses comes back with 400 and nothing written."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from finance import chart
from finance.balances import balances_by_code
from finance.models import JournalEntry, SavingsPolicy, SavingsTransaction
from finance.services import savings_policy_set, savings_record
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def scene(world):
    """Wajib 20.000 a month from January 2026. Siti (joined 2025) paid pokok 100.000, wajib
    January and February and 150.000 sukarela, took 40.000 out; Budi (joined 15 March 2026)
    paid nothing; Ani (joined 2025) paid wajib 120.000."""
    coop = world.coop_a
    savings_policy_set(
        cooperative=coop,
        pokok_amount=100_000,
        wajib_amount=20_000,
        wajib_from=D(2026, 1, 1),
        by=world.alice,
    )
    siti = MemberFactory(cooperative=coop, name="Siti Aminah", join_date=D(2025, 9, 1))
    budi = MemberFactory(cooperative=coop, name="Budi Santoso", join_date=D(2026, 3, 15))
    ani = MemberFactory(cooperative=coop, name="Ani Lestari", join_date=D(2025, 10, 1))
    for member, kind, date, amounts in (
        (siti, "pokok", D(2026, 1, 5), {"deposit": 100_000, "receipt_no": "P-01"}),
        (siti, "wajib", D(2026, 1, 10), {"deposit": 20_000}),
        (siti, "wajib", D(2026, 2, 10), {"deposit": 20_000}),
        (siti, "sukarela", D(2026, 3, 1), {"deposit": 150_000}),
        (siti, "sukarela", D(2026, 3, 20), {"withdrawal": 40_000, "description": "Ambil"}),
        (ani, "wajib", D(2026, 1, 10), {"deposit": 120_000}),
    ):
        savings_record(
            cooperative=coop, member=member, savings_type=kind, date=date, by=world.alice, **amounts
        )
    return {"siti": siti, "budi": budi, "ani": ani}


def savings_url(world, name="finance:savings"):
    return reverse(name, args=[world.coop_a.pk])


def passbook_url(world, member, name="finance:passbook"):
    return reverse(name, args=[world.coop_a.pk, member.pk])


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def state():
    return (SavingsTransaction.objects.count(), JournalEntry.objects.count())


# --- Reading ------------------------------------------------------------------------------------


def test_the_savings_page_shows_totals_policy_and_who_owes_wajib(client, world, scene):
    client.force_login(world.bob)  # the pengawas reads
    response = client.get(savings_url(world), {"tanggal": "2026-06-15"})
    assert response.status_code == 200
    page = response.content.decode()
    # pokok 100.000; wajib 40.000 + 120.000; sukarela 150.000 − 40.000
    totals = page.split('id="savings-totals"')[1].split("</ul>")[0]
    for amount in ("Rp 100.000", "Rp 160.000", "Rp 110.000", "Rp 370.000"):
        assert amount in totals
    # On 15 June: Siti 6 months, 120.000 billed, 40.000 paid → 80.000, 4 months; Budi March to
    # June, 80.000 → 80.000, 4 months; Ani paid all six months.
    bills = [
        (bill.name, bill.months, bill.due, bill.paid, bill.arrears, bill.months_behind)
        for bill in response.context["page_obj"].object_list
    ]
    assert bills == [
        ("Budi Santoso", 4, 80_000, 0, 80_000, 4),
        ("Siti Aminah", 6, 120_000, 40_000, 80_000, 4),
    ]
    table = page.split('id="wajib-arrears"')[1].split("</table>")[0]
    assert "Ani Lestari" not in table and passbook_url(world, scene["budi"]) in table
    assert response.context["arrears_total"] == 160_000
    assert "Rp 20.000" in page.split('id="savings-policy"')[1].split("</dl>")[0]
    # The pengawas has no forms.
    assert f'action="{savings_url(world, "finance:savings_record")}"' not in page
    assert f'action="{savings_url(world, "finance:savings_policy")}"' not in page


def test_the_operator_sees_the_forms(client, world, scene):
    client.force_login(world.alice)
    page = client.get(savings_url(world)).content.decode()
    assert f'action="{savings_url(world, "finance:savings_record")}"' in page
    assert f'action="{savings_url(world, "finance:savings_policy")}"' in page


def test_the_arrears_workbook_reads_back_with_the_same_figures(client, world, scene):
    client.force_login(world.erin)  # a regency officer in scope reads too
    rows = workbook(
        client.get(savings_url(world, "finance:savings_arrears_xlsx"), {"tanggal": "2026-06-15"})
    )
    assert len(rows[0]) == 8
    by_nik = {row[0]: row[1:] for row in rows[1:]}
    assert by_nik == {
        scene["budi"].nik: (
            "Budi Santoso",
            datetime.datetime(2026, 3, 15),
            4,
            80_000,
            0,
            80_000,
            4,
        ),
        scene["siti"].nik: (
            "Siti Aminah",
            datetime.datetime(2025, 9, 1),
            6,
            120_000,
            40_000,
            80_000,
            4,
        ),
    }


def test_a_day_in_the_future_for_the_arrears_is_refused(client, world, scene):
    client.force_login(world.alice)
    assert client.get(savings_url(world), {"tanggal": "2999-01-01"}).status_code == 400
    assert client.get(savings_url(world), {"tanggal": "kemarin"}).status_code == 400
    xlsx = client.get(savings_url(world, "finance:savings_arrears_xlsx"), {"tanggal": "2999-01-01"})
    assert xlsx.status_code == 400


def test_the_passbook_lists_each_movement_with_its_running_balance(client, world, scene):
    client.force_login(world.henry)  # the loan officer reads the member's savings
    siti = scene["siti"]
    response = client.get(passbook_url(world, siti))
    assert response.status_code == 200
    book = response.context["book"]
    assert [(row.savings_type, row.balance, row.total) for row in book.rows] == [
        ("pokok", 100_000, 100_000),
        ("wajib", 20_000, 120_000),
        ("wajib", 40_000, 140_000),
        ("sukarela", 150_000, 290_000),
        ("sukarela", 110_000, 250_000),
    ]
    page = response.content.decode()
    assert "P-01" in page and "Ambil" in page
    figures = page.split('id="passbook-balances"')[1].split("</ul>")[0]
    assert "Rp 250.000" in figures


@pytest.fixture
def in_english(client):
    """Requests in English (the msgids, whatever is translated later). The language middleware
    leaves the request's language active in the thread: it must not outlive the test."""
    client.cookies["kopdes_language"] = "en"
    with translation.override(translation.get_language()):
        yield client


def test_the_passbook_filters_a_period_and_its_statement_reads_back(
    in_english, client, world, scene
):
    client.force_login(world.alice)
    siti = scene["siti"]
    period = {"dari": "2026-02-01", "sampai": "2026-03-10"}
    response = client.get(passbook_url(world, siti), period)
    assert response.status_code == 200
    book = response.context["book"]
    assert book.opening == {"pokok": 100_000, "wajib": 20_000, "sukarela": 0}
    assert [row.date for row in book.rows] == [D(2026, 2, 10), D(2026, 3, 1)]
    assert passbook_url(world, siti, "finance:passbook_xlsx") in response.content.decode()

    rows = workbook(client.get(passbook_url(world, siti, "finance:passbook_xlsx"), period))
    assert rows[0][:6] == (
        "Date",
        "Savings",
        "Receipt no.",
        "Description",
        "Deposit (Rp)",
        "Withdrawal (Rp)",
    )
    feb1, feb10, mar1 = (
        datetime.datetime(2026, 2, 1),
        datetime.datetime(2026, 2, 10),
        datetime.datetime(2026, 3, 1),
    )
    # Date, kind, receipt, description, deposit, withdrawal; then pokok, wajib, sukarela, total.
    assert rows[1:] == [
        # The opening balances on the first day of the period.
        (feb1, None, None, "Opening balance", None, None, 100_000, 20_000, 0, 120_000),
        (feb10, "Simpanan wajib", None, None, 20_000, None, 100_000, 40_000, 0, 140_000),
        (mar1, "Simpanan sukarela", None, None, 150_000, None, 100_000, 40_000, 150_000, 290_000),
    ]


def test_a_wrong_period_is_refused_with_a_message(client, world, scene):
    client.force_login(world.alice)
    siti = scene["siti"]
    reversed_period = {"dari": "2026-03-01", "sampai": "2026-02-01"}
    response = client.get(passbook_url(world, siti), reversed_period)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert client.get(passbook_url(world, siti), {"dari": "1 Maretan"}).status_code == 400
    xlsx = client.get(passbook_url(world, siti, "finance:passbook_xlsx"), reversed_period)
    assert xlsx.status_code == 400


def test_another_cooperatives_operator_gets_404(client, world, scene):
    client.force_login(world.carol)
    assert client.get(savings_url(world)).status_code == 404
    assert client.get(passbook_url(world, scene["siti"])).status_code == 404
    assert (
        client.get(passbook_url(world, scene["siti"], "finance:passbook_xlsx")).status_code == 404
    )
    response = client.post(savings_url(world, "finance:savings_record"), {})
    assert response.status_code == 404


def test_a_member_of_another_cooperative_is_not_found_under_this_one(client, world, scene):
    stranger = MemberFactory(cooperative=world.coop_c)
    client.force_login(world.frank)  # sees both cooperatives
    assert client.get(passbook_url(world, stranger)).status_code == 404
    assert (
        client.get(reverse("finance:passbook", args=[world.coop_c.pk, stranger.pk])).status_code
        == 200
    )


def test_the_member_page_links_to_the_passbook(client, world, scene):
    client.force_login(world.alice)
    siti = scene["siti"]
    page = client.get(reverse("member_detail", args=[world.coop_a.pk, siti.pk])).content.decode()
    assert f'id="member-passbook" href="{passbook_url(world, siti)}"' in page


# --- Writing ------------------------------------------------------------------------------------


def deposit_form(who, **overrides):
    data = {
        "member": who.nik,
        "savings_type": "sukarela",
        "movement": "setoran",
        "amount": "Rp 50.000",
        "date": "2026-04-01",
        "receipt_no": "SS-9",
        "description": "",
    }
    return {**data, **overrides}


def test_the_pengawas_cannot_record_or_set_the_policy(client, world, scene):
    client.force_login(world.bob)
    before = state()
    response = client.post(
        savings_url(world, "finance:savings_record"), deposit_form(scene["siti"])
    )
    assert response.status_code == 403
    response = client.post(
        savings_url(world, "finance:savings_policy"),
        {"pokok_amount": "1", "wajib_amount": "1", "wajib_from": "2026-01"},
    )
    assert response.status_code == 403
    assert client.post(savings_url(world, "finance:savings_post")).status_code == 403
    assert state() == before
    assert SavingsPolicy.objects.get().pokok_amount == 100_000


def test_the_operator_records_a_deposit_and_lands_on_the_passbook(client, world, scene):
    client.force_login(world.alice)
    siti = scene["siti"]
    response = client.post(savings_url(world, "finance:savings_record"), deposit_form(siti))
    assert response.status_code == 302
    assert response.headers["Location"] == passbook_url(world, siti)
    movement = SavingsTransaction.objects.get(receipt_no="SS-9")
    assert (movement.member, movement.deposit, movement.date) == (siti, 50_000, D(2026, 4, 1))
    assert movement.journal_entry.source_key == f"savings:{movement.pk}"
    assert balances_by_code(world.coop_a)[chart.VOLUNTARY_SAVINGS] == 160_000


def test_a_pokok_withdrawal_of_an_active_member_is_refused_beside_the_field(client, world, scene):
    client.force_login(world.alice)
    before = state()
    response = client.post(
        savings_url(world, "finance:savings_record"),
        deposit_form(scene["siti"], savings_type="pokok", movement="penarikan", amount="100000"),
    )
    assert response.status_code == 400
    form = response.context["record_form"]
    assert [error.code for error in form.errors.as_data()["movement"]] == ["savings_locked"]
    assert "Siti Aminah" in response.content.decode()
    assert state() == before


def test_refused_on_the_passbook_the_form_comes_back_there(client, world, scene):
    client.force_login(world.alice)
    siti = scene["siti"]
    before = state()
    data = deposit_form(siti, movement="penarikan", amount="110.001", kembali="buku")
    response = client.post(savings_url(world, "finance:savings_record"), data)
    assert response.status_code == 400
    assert response.templates[0].name == "finance/savings_passbook.html"
    assert [e.code for e in response.context["record_form"].errors.as_data()["amount"]] == [
        "balance_exceeded"
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"member": "6402169999990001"}, "member"),  # nobody has this NIK here
        ({"amount": "dua puluh ribu"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"date": "2999-01-01"}, "date"),  # the service: in the future
        ({"savings_type": "bunga"}, "savings_type"),
        ({"receipt_no": "P-01", "savings_type": "pokok", "amount": "1"}, "amount"),  # pokok paid
    ],
)
def test_bad_input_is_refused_with_400_and_nothing_written(client, world, scene, overrides, field):
    client.force_login(world.alice)
    before = state()
    response = client.post(
        savings_url(world, "finance:savings_record"), deposit_form(scene["siti"], **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["record_form"].errors
    assert state() == before


def test_the_operator_sets_the_policy_and_bad_figures_are_refused(client, world, scene):
    client.force_login(world.alice)
    url = savings_url(world, "finance:savings_policy")
    response = client.post(
        url, {"pokok_amount": "Rp 150.000", "wajib_amount": "25.000", "wajib_from": "2026-07"}
    )
    assert response.status_code == 302
    policy = SavingsPolicy.objects.get()
    assert (policy.pokok_amount, policy.wajib_amount, policy.wajib_from) == (
        150_000,
        25_000,
        D(2026, 7, 1),
    )
    for bad in (
        {"pokok_amount": "-5", "wajib_amount": "25.000", "wajib_from": "2026-07"},
        {"pokok_amount": "5", "wajib_amount": "25.000", "wajib_from": "Juli"},
    ):
        assert client.post(url, bad).status_code == 400
    assert SavingsPolicy.objects.get().pokok_amount == 150_000


def test_movements_outside_the_journal_are_posted_from_the_page(client, world, scene):
    legacy = SavingsTransaction.objects.create(
        cooperative=world.coop_a,
        member=scene["budi"],
        date=D(2026, 4, 1),
        savings_type="wajib",
        deposit=20_000,
    )
    client.force_login(world.alice)
    page = client.get(savings_url(world)).content.decode()
    assert 'id="savings-waiting"' in page
    response = client.post(savings_url(world, "finance:savings_post"))
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert legacy.journal_entry is not None
    assert 'id="savings-waiting"' not in client.get(savings_url(world)).content.decode()
