"""The savings pages on a 360 px phone: the operator opens a member's savings book from the
member page, records a deposit, is refused a pokok withdrawal, and nothing reaches past the
edge of the screen. Fields are found by name, not by label: the labels are translated later."""

import datetime

import pytest

from finance.chart import chart_ensure_standard
from finance.models import SavingsTransaction
from finance.services import savings_policy_set, savings_record
from tests.e2e.conftest import assert_fits_the_phone, sign_in
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.e2e

D = datetime.date


def test_the_operator_keeps_a_members_savings_book_on_a_phone(
    world, page_tree, live_server, phone, shot
):
    # A transactional test before this one may have emptied the tables the migration seeded.
    chart_ensure_standard()
    coop = world.coop_a
    savings_policy_set(
        cooperative=coop,
        pokok_amount=100_000,
        wajib_amount=20_000,
        wajib_from=D(2026, 1, 1),
        by=world.alice,
    )
    siti = MemberFactory(
        cooperative=coop, name="Siti Aminah binti Abdurrahman", join_date=D(2025, 9, 1)
    )
    MemberFactory(cooperative=coop, name="Budi Santoso", join_date=D(2026, 3, 15))
    savings_record(
        cooperative=coop,
        member=siti,
        savings_type="pokok",
        date=D(2026, 1, 5),
        deposit=100_000,
        receipt_no="SP-2026-0001",
        description="Simpanan pokok saat masuk menjadi anggota koperasi",
        by=world.alice,
    )

    sign_in(phone, live_server.url, "alice", PASSWORD)
    phone.goto(f"{live_server.url}/koperasi/{coop.pk}/anggota/{siti.pk}/")
    phone.locator("#member-passbook").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/anggota/{siti.pk}/simpanan/")
    assert_fits_the_phone(phone)

    phone.locator("input[name=savings_type][value=sukarela]").check()
    phone.locator("input[name=amount]").fill("50.000")
    phone.locator("input[name=receipt_no]").fill("SS-01")
    phone.locator("form[action$='/simpanan/catat/'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert SavingsTransaction.objects.get(receipt_no="SS-01").deposit == 50_000
    assert "SS-01" in phone.locator("#passbook").inner_text()
    shot(phone, "70-savings-passbook")
    assert_fits_the_phone(phone)

    # Simpanan pokok stays while Siti is a member: refused beside the field, nothing written.
    phone.locator("input[name=savings_type][value=pokok]").check()
    phone.locator("input[name=movement][value=penarikan]").check()
    phone.locator("input[name=amount]").fill("100.000")
    phone.locator("form[action$='/simpanan/catat/'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").count() == 1
    assert "Siti Aminah" in phone.locator("#record-movement").locator("xpath=..").inner_text()
    assert SavingsTransaction.objects.count() == 2
    shot(phone, "71-savings-pokok-refused")
    assert_fits_the_phone(phone)

    phone.goto(f"{live_server.url}/koperasi/{coop.pk}/buku/simpanan/?tanggal=2026-06-15")
    assert "Budi Santoso" in phone.locator("#wajib-arrears").inner_text()
    shot(phone, "72-savings-page")
    assert_fits_the_phone(phone)
