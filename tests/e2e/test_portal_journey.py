import pytest

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.e2e


def test_operator_signs_in_sees_own_cooperative_and_gets_404_for_another(
    world, live_server, phone, shot
):
    MemberFactory(cooperative=world.coop_a, name="Siti Rahmawati")
    sign_in(phone, live_server.url, "alice", PASSWORD)
    assert phone.url.rstrip("/") == live_server.url
    shot(phone, "01-operator-home")
    assert world.coop_a.name in phone.content()

    phone.get_by_role("link", name=world.coop_a.name).first.click()
    phone.wait_for_load_state()
    assert f"/koperasi/{world.coop_a.pk}/" in phone.url
    shot(phone, "02-operator-cooperative")

    phone.goto(f"{live_server.url}/koperasi/{world.coop_a.pk}/anggota/")
    assert "Siti Rahmawati" in phone.content()
    shot(phone, "03-operator-members")

    response = phone.goto(f"{live_server.url}/koperasi/{world.coop_c.pk}/")
    assert response.status == 404
    assert world.coop_c.name not in phone.content()
    shot(phone, "04-operator-other-cooperative-404")

    # The page fits the phone: nothing scrolls sideways.
    phone.goto(f"{live_server.url}/koperasi/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    shot(phone, "05-operator-directory")


def test_language_switch_to_english_and_back(world, live_server, phone):
    sign_in(phone, live_server.url, "dave", PASSWORD)
    assert phone.locator("html").get_attribute("lang") == "id"
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    phone.get_by_role("button", name="Bahasa Indonesia").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "id"
