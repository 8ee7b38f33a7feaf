"""The portal shell: sign in/out, language, the role-aware home, error pages, page weight."""

import datetime
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import Context, Template, loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from cooperatives.enums import CooperativeStatus, MemberStatus, RegionLevel
from cooperatives.models import Region
from cooperatives.services import member_set_status
from tests.factories import PASSWORD, CooperativeFactory, MemberFactory, UserFactory
from website.models import HomePage
from website.templatetags.kopdes import bar_class, rupiah

PAGE_BUDGET_BYTES = 100_000
INLINE_STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
ASSET_URL = re.compile(r"<(?:link|script|img)\b[^>]*\b(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)


def html(response) -> str:
    return response.content.decode()


def add_cooperatives(count: int, *, district: str | None = None, members: int = 1) -> list:
    """`count` more cooperatives (in `district` if given), each with members, some active."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, cooperative_link__isnull=True)
    if district:
        villages = villages.filter(district_code=district)
    villages = list(villages.order_by("code")[:count])
    assert len(villages) == count, "not enough free villages for this test"
    created = []
    for index, village in enumerate(villages):
        status = CooperativeStatus.ACTIVE if index % 2 else CooperativeStatus.DRAFT
        cooperative = CooperativeFactory(home_village=village, status=status)
        for _ in range(members):
            MemberFactory(cooperative=cooperative)
        created.append(cooperative)
    return created


@pytest.fixture
def members(world):
    """Three members in coop_a (one resigned), one in coop_b, two in coop_c, one in coop_k."""
    a1 = MemberFactory(cooperative=world.coop_a, name="Siti Aminah")
    MemberFactory(cooperative=world.coop_a, name="Budi Santoso")
    resigned = MemberFactory(cooperative=world.coop_a, name="Agus Salim")
    member_set_status(member=resigned, status=MemberStatus.RESIGNED)
    MemberFactory(cooperative=world.coop_b)
    MemberFactory(cooperative=world.coop_c)
    MemberFactory(cooperative=world.coop_c)
    MemberFactory(cooperative=world.coop_k)
    return a1


# --- Sign in, sign out, password ------------------------------------------------------------


def test_login_page_speaks_indonesian_by_default(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="id">' in page
    assert "Masuk" in page
    assert "Kata sandi" in page
    assert 'for="id_username"' in page and 'for="id_password"' in page


def test_home_sends_anonymous_visitors_to_sign_in(db, client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signing_in_lands_on_home(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == world.alice.pk


def test_wrong_password_shows_the_form_again_with_an_error(world, client):
    response = client.post(reverse("login"), {"username": "alice", "password": "salah-sekali"})
    assert response.status_code == 200
    assert 'class="errorlist nonfield"' in html(response)
    assert "_auth_user_id" not in client.session


def test_logout_refuses_get_and_signs_out_on_post(world, client):
    client.force_login(world.alice)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_every_page_offers_a_post_logout_button(world, client):
    client.force_login(world.alice)
    page = html(client.get(reverse("home")))
    logout = re.escape(reverse("logout"))
    assert re.search(
        rf'<form method="post" action="{logout}">.*?<button type="submit">Keluar</button>',
        page,
        re.DOTALL,
    )
    assert "Ganti kata sandi" in page


def test_password_change_then_sign_in_with_the_new_password(world, client):
    client.force_login(world.alice)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Kata sandi baru" in html(page)
    new = "Sungai-Mahakam-Biru-77"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert client.get(response.url).status_code == 200
    client.post(reverse("logout"))
    signed_in = client.post(reverse("login"), {"username": "alice", "password": new})
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.alice.pk


def test_password_change_refuses_a_wrong_current_password(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "bukan-sandi-lama",
            "new_password1": "Sungai-Mahakam-Biru-77",
            "new_password2": "Sungai-Mahakam-Biru-77",
        },
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html(response)
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)


def test_lockout_page_says_locked_for_thirty_minutes_in_indonesian(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "alice", "password": "salah"}, REMOTE_ADDR="10.9.9.9"
        )
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    page = html(response)
    assert "terkunci sementara" in page
    assert "perangkat/alamat ini" in page
    assert "30 menit" in page


# --- Language ---------------------------------------------------------------------------------


def test_language_switch_sets_cookie_and_saves_the_profile(world, client):
    client.force_login(world.dave)
    response = client.post(
        reverse("language_switch"), {"language": "en", "next": reverse("cooperative_list")}
    )
    assert response.status_code == 302
    assert response.url == reverse("cooperative_list")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert UserProfile.get_for_user(world.dave).preferred_language == "en"

    page = html(client.get(reverse("home")))
    assert '<html lang="en">' in page
    assert "Cooperatives by status" in page
    assert "Koperasi menurut status" not in page


def test_chosen_language_follows_the_user_to_another_device(world, client):
    client.force_login(world.dave)
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    other_phone = Client()
    other_phone.force_login(world.dave)
    assert '<html lang="en">' in html(other_phone.get(reverse("home")))


def test_switching_back_to_indonesian(world, client):
    client.force_login(world.dave)
    client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    client.post(reverse("language_switch"), {"language": "id", "next": "/"})
    assert UserProfile.get_for_user(world.dave).preferred_language == "id"
    page = html(client.get(reverse("home")))
    assert '<html lang="id">' in page and "Koperasi menurut status" in page


def test_language_switch_on_the_login_page_works_without_an_account(db, client):
    page = html(client.get(reverse("login")))
    assert f'action="{reverse("language_switch")}"' in page
    assert 'name="language" value="en"' in page
    response = client.post(reverse("language_switch"), {"language": "en", "next": reverse("login")})
    assert response.url == reverse("login")
    english = html(client.get(reverse("login")))
    assert '<html lang="en">' in english and "Sign in" in english
    assert not UserProfile.objects.exists()


def test_language_switch_never_redirects_off_site(world, client):
    client.force_login(world.alice)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(reverse("language_switch"), {"language": "en", "next": target})
        assert response.url == reverse("home")


def test_language_switch_ignores_unknown_languages_and_get(world, client):
    client.force_login(world.alice)
    response = client.post(reverse("language_switch"), {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert UserProfile.get_for_user(world.alice).preferred_language != "xx"
    assert client.get(reverse("language_switch")).status_code == 405


# --- Home: figures per role -------------------------------------------------------------------


def test_operator_home_shows_her_own_cooperative_only(world, members, client):
    client.force_login(world.alice)
    response = client.get(reverse("home"))
    figures = response.context["figures"]
    assert figures.total_cooperatives == 1
    assert figures.total_members == 3
    assert figures.active_members == 2
    assert figures.own_cooperatives == [world.coop_a]
    assert figures.own_cooperatives[0].members_total == 3
    assert figures.breakdown is None
    page = html(response)
    assert world.coop_a.name in page
    assert world.coop_b.name not in page
    assert reverse("member_list", args=[world.coop_a.pk]) in page
    assert "Operator (petugas desa)" in page
    assert "Beranda" in page


def test_loan_officer_and_pengawas_get_the_cooperative_card(world, members, client):
    for user in (world.bob, world.henry):
        client.force_login(user)
        figures = client.get(reverse("home")).context["figures"]
        assert figures.own_cooperatives == [world.coop_a]
        assert figures.total_members == 3


def test_district_officer_home_counts_two_cooperatives_per_cooperative(world, members, client):
    client.force_login(world.dave)
    response = client.get(reverse("home"))
    figures = response.context["figures"]
    assert figures.total_cooperatives == 2
    counts = {item.status: item.count for item in figures.statuses}
    assert counts[CooperativeStatus.ACTIVE] == 1
    assert counts[CooperativeStatus.REGISTERED] == 1
    assert counts[CooperativeStatus.DRAFT] == 0
    assert figures.total_members == 4
    assert figures.active_members == 3
    assert figures.breakdown.level == "cooperative"
    rows = {row.cooperative: row for row in figures.breakdown.rows}
    assert set(rows) == {world.coop_a, world.coop_b}
    assert (rows[world.coop_a].members, rows[world.coop_a].active_members) == (3, 2)
    assert rows[world.coop_b].members == 1
    assert figures.own_cooperatives == []
    page = html(response)
    assert "Petugas kecamatan" in page and "Kec. Tenggarong Seberang" in page
    assert world.coop_c.name not in page


def test_regency_officer_home_breaks_down_per_kecamatan(world, members, client):
    client.force_login(world.erin)
    figures = client.get(reverse("home")).context["figures"]
    assert figures.total_cooperatives == 3
    assert figures.total_members == 5
    assert figures.breakdown.level == RegionLevel.DISTRICT
    rows = {row.region.code: row for row in figures.breakdown.rows}
    # Every kecamatan of Kutai Kartanegara is listed, also those without a cooperative.
    assert set(rows) == set(
        Region.objects.filter(level=RegionLevel.DISTRICT, regency_code="64.02").values_list(
            "code", flat=True
        )
    )
    seberang = rows["64.02.16"]
    assert (seberang.cooperatives, seberang.active, seberang.members) == (2, 1, 4)
    assert (rows["64.02.13"].cooperatives, rows["64.02.13"].members) == (1, 1)
    assert sum(row.cooperatives for row in rows.values()) == figures.total_cooperatives


def test_province_officer_home_breaks_down_per_kabupaten(world, members, client):
    client.force_login(world.frank)
    response = client.get(reverse("home"))
    figures = response.context["figures"]
    assert figures.total_cooperatives == 4
    assert figures.total_members == 7
    assert figures.active_members == 6
    assert figures.active_cooperatives == 2
    assert figures.breakdown.level == RegionLevel.REGENCY
    rows = {row.region.code: row for row in figures.breakdown.rows}
    assert len(rows) == Region.objects.filter(level=RegionLevel.REGENCY).count() == 10
    assert (rows["64.02"].cooperatives, rows["64.02"].members) == (3, 5)
    assert (rows["64.03"].cooperatives, rows["64.03"].active, rows["64.03"].members) == (1, 1, 2)
    assert rows["64.01"].cooperatives == 0
    page = html(response)
    assert "Per kabupaten/kota" in page
    assert f"{reverse('cooperative_list')}?kabupaten=64.02" in page


def test_form_admin_and_superuser_see_the_whole_province(world, members, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (world.grace, root):
        client.force_login(user)
        figures = client.get(reverse("home")).context["figures"]
        assert figures.total_cooperatives == 4
        assert figures.breakdown.level == RegionLevel.REGENCY


def test_user_without_role_is_told_politely_whom_to_ask(world, members, client):
    client.force_login(world.ivan)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["figures"].has_access is False
    page = html(response)
    assert "belum punya akses" in page
    assert "Dinas Koperasi" in page
    assert "ivan" in page
    assert world.coop_a.name not in page


def test_status_bars_use_width_classes_and_show_the_numbers(world, client):
    client.force_login(world.frank)
    page = html(client.get(reverse("home")))
    bars = re.findall(r'class="bar-fill fill-(\w+) (w\d+)"', page)
    assert dict(bars) == {
        "draft": "w0",
        "submitted": "w26",
        "registered": "w26",
        "active": "w50",
        "suspended": "w0",
        "dissolved": "w0",
    }
    assert f"{reverse('cooperative_list')}?status=active" in page


def test_home_shows_the_announcement_only_when_there_is_one(world, client):
    client.force_login(world.alice)
    assert "Pengumuman" not in html(client.get(reverse("home")))
    HomePage.objects.update(announcement="<p>Rapat anggota tahunan tanggal <b>20 Juli</b>.</p>")
    page = html(client.get(reverse("home")))
    assert "Pengumuman" in page
    assert "Rapat anggota tahunan tanggal <b>20 Juli</b>." in page


def test_admin_link_only_for_users_who_may_open_the_admin(world, client):
    client.force_login(world.grace)
    assert reverse("wagtailadmin_home") in html(client.get(reverse("home")))
    client.force_login(world.alice)
    assert reverse("wagtailadmin_home") not in html(client.get(reverse("home")))


def test_nav_marks_the_current_page(world, client):
    client.force_login(world.alice)
    home = html(client.get(reverse("home")))
    assert f'<a href="{reverse("home")}" aria-current="page">' in home
    detail = html(client.get(reverse("cooperative_detail", args=[world.coop_a.pk])))
    assert f'<a href="{reverse("cooperative_list")}" aria-current="true">' in detail
    assert f'<a href="{reverse("home")}" aria-current' not in detail


def test_home_has_landmarks_skip_link_and_labels(world, client):
    client.force_login(world.alice)
    page = html(client.get(reverse("home")))
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in page
    assert 'href="#main"' in page


def test_messages_are_shown_by_the_base_template(world, rf):
    request = rf.get("/")
    request.user = world.alice
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "Data anggota tersimpan.")
    with translation.override("id"):
        page = loader.get_template("404.html").render({}, request)
    assert '<li class="msg msg-success">Data anggota tersimpan.</li>' in page


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_cooperatives(world, members, client):
    client.force_login(world.frank)
    _home_queries(client)
    before = _home_queries(client)
    add_cooperatives(30, members=2)
    assert _home_queries(client) == before


def test_district_home_query_count_does_not_grow_with_cooperatives(world, members, client):
    client.force_login(world.dave)
    _home_queries(client)
    before = _home_queries(client)
    add_cooperatives(10, district="64.02.16", members=2)
    after = _home_queries(client)
    assert after == before
    assert client.get(reverse("home")).context["figures"].total_cooperatives == 12


# --- Error pages ------------------------------------------------------------------------------


def test_not_found_page_is_the_portal_page_in_indonesian(world, client):
    client.force_login(world.alice)
    response = client.get(reverse("cooperative_detail", args=[world.coop_c.pk]))
    assert response.status_code == 404
    page = html(response)
    assert "Halaman tidak ditemukan" in page
    assert world.coop_c.name not in page


def test_server_error_page_renders_without_request_or_database(db, django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("id"):
        page = loader.get_template("500.html").render()
    assert "Terjadi gangguan" in page
    assert "{% extends" not in Path(loader.get_template("500.html").origin.name).read_text()


def test_forbidden_page_renders(world, rf):
    request = rf.get("/")
    request.user = world.alice
    with translation.override("id"):
        page = loader.get_template("403.html").render({}, request)
    assert "Tidak diizinkan" in page


# --- Template filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "Rp 1.234.567"),
        (-1234, "-Rp 1.234"),
        (0, "Rp 0"),
        (999, "Rp 999"),
        ("2500000", "Rp 2.500.000"),
        (None, ""),
        ("abc", ""),
    ],
)
def test_rupiah(value, expected):
    assert rupiah(value) == expected


def test_rupiah_keeps_dots_in_english_too():
    with translation.override("en"):
        rendered = Template("{% load kopdes %}{{ amount|rupiah }}").render(
            Context({"amount": 1234567})
        )
    assert rendered == "Rp 1.234.567"


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(0, 10, "w0"), (1, 1000, "w2"), (1, 4, "w26"), (1, 2, "w50"), (10, 10, "w100"), (3, 0, "w0")],
)
def test_bar_class(count, total, expected):
    assert bar_class(count, total) == expected


def test_every_bar_class_exists_in_the_stylesheet():
    css = Path(finders.find("css/kopdes.css")).read_text()
    for step in range(0, 101, 2):
        assert f".w{step}{{width:{step}%}}" in css


def test_numbers_and_dates_follow_the_active_language():
    template = Template("{% load humanize %}{{ n|intcomma }} {{ d|date }}")
    context = Context({"n": 1234567, "d": datetime.date(2025, 8, 17)})
    with translation.override("id"):
        assert template.render(context) == "1.234.567 17 Agustus 2025"
    with translation.override("en"):
        assert template.render(context) == "1,234,567 17 August 2025"


# --- Light, local, CSP-clean pages ------------------------------------------------------------


def page_weight(response) -> int:
    """Bytes of the HTML plus every local stylesheet, script and image it references."""
    page = html(response)
    total = len(response.content)
    for url in set(ASSET_URL.findall(page)):
        parsed = urlparse(url)
        assert not parsed.netloc, f"external asset {url}"
        if not parsed.path.startswith(settings.STATIC_URL):
            continue
        found = finders.find(parsed.path[len(settings.STATIC_URL) :])
        assert found, f"missing static file {url}"
        total += Path(found).stat().st_size
    return total


def assert_csp_clean(page: str) -> None:
    assert not INLINE_STYLE_ATTRIBUTE.search(page), INLINE_STYLE_ATTRIBUTE.search(page)
    assert not STYLE_BLOCK.search(page)
    assert not INLINE_SCRIPT.search(page)
    assert not INLINE_HANDLER.search(page)


@pytest.fixture
def full_world(world, members):
    """Enough cooperatives and members that every list shows a full page."""
    add_cooperatives(30)
    for index in range(30):
        MemberFactory(cooperative=world.coop_a, name=f"Warga Bukit Raya {index}")
    return world


def test_portal_pages_are_light_and_csp_clean(full_world, client):
    world = full_world
    pages = {
        "login": (None, reverse("login")),
        "home": (world.frank, reverse("home")),
        "directory": (world.frank, reverse("cooperative_list")),
        "detail": (world.frank, reverse("cooperative_detail", args=[world.coop_a.pk])),
        "members": (world.frank, reverse("member_list", args=[world.coop_a.pk])),
        "operator home": (world.alice, reverse("home")),
    }
    for name, (user, url) in pages.items():
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, name
        weight = page_weight(response)
        assert weight < PAGE_BUDGET_BYTES, f"{name}: {weight} bytes"
        assert_csp_clean(html(response))
        assert "fonts.googleapis" not in html(response)


def test_the_full_lists_really_are_full(full_world, client):
    client.force_login(full_world.frank)
    directory = client.get(reverse("cooperative_list"))
    assert len(directory.context["page_obj"].object_list) == 25
    members = client.get(reverse("member_list", args=[full_world.coop_a.pk]))
    assert len(members.context["page_obj"].object_list) == 25


def test_every_page_title_names_the_app_not_the_host(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "· Kopdes Kaltim</title>" in page
