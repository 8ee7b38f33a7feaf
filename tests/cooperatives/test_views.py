"""Portal pages of the cooperative directory, cooperative detail and members."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.enums import CooperativeStatus, MemberStatus, RegionLevel, Sex
from cooperatives.models import Region
from cooperatives.services import cooperative_update, member_set_status
from tests.factories import CooperativeFactory, MemberFactory, make_nik

FLAG = "NIK juga terdaftar di koperasi lain"


def html(response) -> str:
    return response.content.decode()


def listed(response) -> set:
    return set(response.context["page_obj"].object_list)


def add_cooperatives(
    count: int, *, status: CooperativeStatus = CooperativeStatus.DRAFT, regency: str = ""
) -> list:
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, cooperative_link__isnull=True)
    if regency:
        villages = villages.filter(regency_code=regency)
    created = []
    for village in villages.order_by("code")[:count]:
        cooperative = CooperativeFactory(
            name=f"Koperasi Desa Merah Putih {village.name}", home_village=village, status=status
        )
        MemberFactory(cooperative=cooperative)
        created.append(cooperative)
    assert len(created) == count
    return created


# --- Directory ------------------------------------------------------------------------------


def test_directory_lists_only_cooperatives_in_scope(world, client):
    client.force_login(world.dave)
    assert listed(client.get(reverse("cooperative_list"))) == {world.coop_a, world.coop_b}
    client.force_login(world.carol)
    assert listed(client.get(reverse("cooperative_list"))) == {world.coop_c}
    client.force_login(world.ivan)
    response = client.get(reverse("cooperative_list"))
    assert listed(response) == set()
    assert world.coop_a.name not in html(response)


def test_directory_needs_sign_in(world, client):
    response = client.get(reverse("cooperative_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_directory_search_by_name_is_case_insensitive(world, client):
    client.force_login(world.erin)
    url = reverse("cooperative_list")
    assert listed(client.get(url, {"q": "bukit raya"})) == {world.coop_a, world.coop_k}
    assert listed(client.get(url, {"q": "EMBALUT"})) == {world.coop_b}
    # Searching never widens the scope: erin cannot find Berau's cooperative.
    assert listed(client.get(url, {"q": "Merabu"})) == set()


def test_directory_filters_by_kabupaten_and_kecamatan(world, client):
    client.force_login(world.frank)
    url = reverse("cooperative_list")
    assert listed(client.get(url, {"kabupaten": "64.03"})) == {world.coop_c}
    assert listed(client.get(url, {"kabupaten": "64.02"})) == {
        world.coop_a,
        world.coop_b,
        world.coop_k,
    }
    assert listed(client.get(url, {"kabupaten": "64.02", "kecamatan": "64.02.13"})) == {
        world.coop_k
    }
    assert listed(client.get(url, {"kabupaten": "64.02", "kecamatan": "64.02.16"})) == {
        world.coop_a,
        world.coop_b,
    }


def test_cooperative_with_two_villages_is_listed_once_with_both(world, client):
    client.force_login(world.frank)
    response = client.get(reverse("cooperative_list"), {"kabupaten": "64.03"})
    assert list(response.context["page_obj"].object_list) == [world.coop_c]
    page = html(response)
    assert "Desa Merabu" in page and "Desa Panaan" in page
    assert page.count(world.coop_c.name) == 1


def test_stale_kecamatan_of_another_kabupaten_is_dropped(world, client):
    client.force_login(world.frank)
    response = client.get(
        reverse("cooperative_list"), {"kabupaten": "64.03", "kecamatan": "64.02.16"}
    )
    assert listed(response) == {world.coop_c}


def test_directory_filters_by_status(world, client):
    client.force_login(world.frank)
    url = reverse("cooperative_list")
    assert listed(client.get(url, {"status": "active"})) == {world.coop_a, world.coop_c}
    assert listed(client.get(url, {"status": "submitted"})) == {world.coop_k}
    assert listed(client.get(url, {"status": "active", "kabupaten": "64.02"})) == {world.coop_a}
    # An unknown status is ignored rather than an error.
    assert len(listed(client.get(url, {"status": "bogus"}))) == 4


def test_region_choices_list_only_regions_with_visible_cooperatives(world, client):
    client.force_login(world.erin)
    form = client.get(reverse("cooperative_list")).context["form"]
    assert [code for code, _label in form.fields["kabupaten"].choices] == ["", "64.02"]
    # One kabupaten in scope: its kecamatan are offered straight away.
    assert {code for code, _label in form.fields["kecamatan"].choices} == {
        "",
        "64.02.13",
        "64.02.16",
    }

    client.force_login(world.frank)
    form = client.get(reverse("cooperative_list")).context["form"]
    assert {code for code, _label in form.fields["kabupaten"].choices} == {"", "64.02", "64.03"}
    # Several kabupaten: kecamatan wait for one to be chosen (no JavaScript needed).
    assert [code for code, _label in form.fields["kecamatan"].choices] == [""]
    assert form.districts_need_regency
    form = client.get(reverse("cooperative_list"), {"kabupaten": "64.03"}).context["form"]
    assert [code for code, _label in form.fields["kecamatan"].choices] == ["", "64.03.01"]


def test_district_choices_never_leak_out_of_scope(world, client):
    client.force_login(world.dave)
    page = html(client.get(reverse("cooperative_list"), {"kabupaten": "64.02"}))
    assert 'value="64.02.16"' in page
    assert 'value="64.02.13"' not in page
    assert 'value="64.03"' not in page


def test_directory_rows_show_places_status_and_member_count(world, client):
    for _ in range(3):
        MemberFactory(cooperative=world.coop_a)
    client.force_login(world.dave)
    response = client.get(reverse("cooperative_list"))
    counts = {c: c.member_count for c in response.context["page_obj"].object_list}
    assert counts == {world.coop_a: 3, world.coop_b: 0}
    page = html(response)
    assert "Desa Bukit Raya" in page
    assert "Tenggarong Seberang" in page
    assert "Kabupaten Kutai Kartanegara" in page
    assert '<span class="badge st-active">Aktif</span>' in page
    assert '<span class="badge st-registered">Terdaftar</span>' in page


def test_directory_paginates_25_per_page_keeping_the_filters(world, client):
    add_cooperatives(30)
    client.force_login(world.frank)
    url = reverse("cooperative_list")
    first = client.get(url, {"status": "draft"})
    assert first.context["page_obj"].paginator.count == 30
    assert len(first.context["page_obj"].object_list) == 25
    page = html(first)
    assert "?status=draft&amp;page=2" in page
    second = client.get(url, {"status": "draft", "page": 2})
    assert len(second.context["page_obj"].object_list) == 5
    assert listed(first).isdisjoint(listed(second))
    assert all(c.status == CooperativeStatus.DRAFT for c in listed(second))
    # A page number past the end shows the last page, not an error.
    assert client.get(url, {"status": "draft", "page": 99}).context["page_obj"].number == 2


def _directory_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cooperative_list"), params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("params", "regency"),
    [({}, ""), ({"kabupaten": "64.02", "q": "Koperasi", "status": "draft"}, "64.02")],
)
def test_directory_query_count_does_not_grow_with_cooperatives(world, client, params, regency):
    add_cooperatives(1, regency=regency)
    client.force_login(world.frank)
    _directory_queries(client, **params)
    before = _directory_queries(client, **params)
    add_cooperatives(30, regency=regency)
    assert _directory_queries(client, **params) == before
    assert client.get(reverse("cooperative_list"), params).context["page_obj"].paginator.count >= 31


def test_directory_query_count_for_a_regency_officer_does_not_grow(world, client):
    client.force_login(world.erin)
    _directory_queries(client)
    before = _directory_queries(client)
    add_cooperatives(30, regency="64.02")
    assert _directory_queries(client) == before


# --- Cooperative detail ---------------------------------------------------------------------


def test_detail_shows_identity_villages_legal_ids_units_and_history(world, client):
    cooperative_update(
        cooperative=world.coop_a,
        nik_koperasi="6402160000000001",
        legal_entity_number="AHU-0001234.AH.01.29.TAHUN 2025",
        legal_entity_date=datetime.date(2025, 8, 17),
        npwp="012345678901234",
        nib="1234567890123",
        address="Jl. Poros Desa No. 1",
    )
    MemberFactory(cooperative=world.coop_a, sex=Sex.FEMALE)
    resigned = MemberFactory(cooperative=world.coop_a)
    member_set_status(member=resigned, status=MemberStatus.RESIGNED)
    client.force_login(world.alice)
    response = client.get(reverse("cooperative_detail", args=[world.coop_a.pk]))
    assert response.status_code == 200
    page = html(response)
    for text in (
        world.coop_a.name,
        "Desa Bukit Raya",
        "Kec. Tenggarong Seberang",
        "Kabupaten Kutai Kartanegara",
        "Jl. Poros Desa No. 1",
        "6402160000000001",
        "AHU-0001234.AH.01.29.TAHUN 2025",
        "17 Agustus 2025",
        "012345678901234",
        "1234567890123",
        "Unit simpan pinjam",
        "Gerai sembako",
        "Riwayat status",
    ):
        assert text in page, text
    history = list(response.context["history"])
    assert [change.to_status for change in history] == [
        CooperativeStatus.DRAFT,
        CooperativeStatus.SUBMITTED,
        CooperativeStatus.REGISTERED,
        CooperativeStatus.ACTIVE,
    ]
    counts = response.context["counts"]
    assert (counts.total, counts.active, counts.female, counts.male) == (2, 1, 1, 1)
    assert reverse("member_list", args=[world.coop_a.pk]) in page


def test_detail_lists_both_villages_of_a_shared_cooperative(world, client):
    client.force_login(world.carol)
    page = html(client.get(reverse("cooperative_detail", args=[world.coop_c.pk])))
    assert "Desa Merabu" in page and "Desa Panaan" in page
    assert "Kec. Kelay" in page and "Kabupaten Berau" in page


@pytest.mark.parametrize(
    ("user", "cooperative"),
    [
        ("alice", "coop_b"),
        ("alice", "coop_c"),
        ("carol", "coop_a"),
        ("dave", "coop_k"),
        ("dave", "coop_c"),
        ("erin", "coop_c"),
        ("ivan", "coop_a"),
    ],
)
def test_out_of_scope_cooperative_pages_answer_404(world, client, user, cooperative):
    target = getattr(world, cooperative)
    member = MemberFactory(cooperative=target)
    client.force_login(getattr(world, user))
    for url in (
        reverse("cooperative_detail", args=[target.pk]),
        reverse("member_list", args=[target.pk]),
        reverse("member_detail", args=[target.pk, member.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert target.name not in html(response)


def test_unknown_cooperative_answers_404(world, client):
    client.force_login(world.frank)
    assert client.get(reverse("cooperative_detail", args=[999999])).status_code == 404


# --- Members --------------------------------------------------------------------------------


@pytest.fixture
def coop_a_members(world):
    siti = MemberFactory(
        cooperative=world.coop_a,
        name="Siti Aminah",
        sex=Sex.FEMALE,
        nik=make_nik(female=True),
        phone="081234567890",
        join_date=datetime.date(2025, 8, 17),
        village=world.coop_a.home_village,
    )
    budi = MemberFactory(cooperative=world.coop_a, name="Budi Santoso")
    agus = MemberFactory(cooperative=world.coop_a, name="Agus Salim")
    member_set_status(member=agus, status=MemberStatus.RESIGNED)
    MemberFactory(cooperative=world.coop_b, name="Warga Embalut")
    return {"siti": siti, "budi": budi, "agus": agus}


def test_member_list_shows_the_columns(world, coop_a_members, client):
    client.force_login(world.alice)
    response = client.get(reverse("member_list", args=[world.coop_a.pk]))
    assert response.status_code == 200
    assert listed(response) == set(coop_a_members.values())
    page = html(response)
    siti = coop_a_members["siti"]
    for text in ("Siti Aminah", siti.nik, "+6281234567890", "17 Agustus 2025", "Bukit Raya"):
        assert text in page, text
    assert ">P</td>" in page and ">L</td>" in page
    assert '<span class="badge st-resigned">Keluar</span>' in page
    assert "Warga Embalut" not in page


def test_member_list_search_by_name_or_nik_and_filter_status(world, coop_a_members, client):
    client.force_login(world.alice)
    url = reverse("member_list", args=[world.coop_a.pk])
    siti, budi, agus = coop_a_members["siti"], coop_a_members["budi"], coop_a_members["agus"]
    assert listed(client.get(url, {"q": "aminah"})) == {siti}
    assert listed(client.get(url, {"q": budi.nik})) == {budi}
    assert listed(client.get(url, {"q": budi.nik[-6:]})) == {budi}
    assert listed(client.get(url, {"status": "resigned"})) == {agus}
    assert listed(client.get(url, {"status": "active"})) == {siti, budi}
    assert listed(client.get(url, {"q": "Warga Embalut"})) == set()


def test_member_list_paginates_25_per_page(world, client):
    for index in range(30):
        MemberFactory(cooperative=world.coop_a, name=f"Warga {index:02d}")
    client.force_login(world.alice)
    url = reverse("member_list", args=[world.coop_a.pk])
    first = client.get(url, {"q": "Warga"})
    assert len(first.context["page_obj"].object_list) == 25
    assert "?q=Warga&amp;page=2" in html(first)
    assert len(client.get(url, {"q": "Warga", "page": 2}).context["page_obj"].object_list) == 5


def test_member_list_query_count_does_not_grow_with_members(world, client):
    for _ in range(3):
        MemberFactory(cooperative=world.coop_a)
    client.force_login(world.dave)
    url = reverse("member_list", args=[world.coop_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(20):
        MemberFactory(cooperative=world.coop_a, village=world.coop_a.home_village)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


@pytest.fixture
def duplicate(world):
    """One person registered in coop_a and again in coop_c (Berau)."""
    nik = make_nik()
    in_a = MemberFactory(cooperative=world.coop_a, name="Dua Koperasi", nik=nik)
    MemberFactory(cooperative=world.coop_c, name="Dua Koperasi", nik=nik)
    MemberFactory(cooperative=world.coop_a, name="Satu Koperasi")
    return in_a


def test_officer_sees_the_duplicate_nik_flag(world, duplicate, client):
    client.force_login(world.dave)
    response = client.get(reverse("member_list", args=[world.coop_a.pk]))
    page = html(response)
    assert page.count(FLAG) == 1
    flagged = {m.name for m in response.context["page_obj"].object_list if m.nik_elsewhere}
    assert flagged == {"Dua Koperasi"}
    detail = client.get(reverse("member_detail", args=[world.coop_a.pk, duplicate.pk]))
    assert FLAG in html(detail)


def test_operator_does_not_see_the_duplicate_nik_flag(world, duplicate, client):
    for user in (world.alice, world.bob):
        client.force_login(user)
        page = html(client.get(reverse("member_list", args=[world.coop_a.pk])))
        assert "Dua Koperasi" in page
        assert FLAG not in page
        detail = client.get(reverse("member_detail", args=[world.coop_a.pk, duplicate.pk]))
        assert FLAG not in html(detail)


def test_member_detail_shows_all_fields(world, coop_a_members, client):
    siti = coop_a_members["siti"]
    client.force_login(world.alice)
    response = client.get(reverse("member_detail", args=[world.coop_a.pk, siti.pk]))
    assert response.status_code == 200
    page = html(response)
    for text in (
        "Siti Aminah",
        siti.nik,
        "Perempuan (P)",
        "+6281234567890",
        "17 Agustus 2025",
        "Desa Bukit Raya, Kec. Tenggarong Seberang, Kabupaten Kutai Kartanegara",
        "Aktif",
    ):
        assert text in page, text


def test_member_of_another_cooperative_under_this_url_answers_404(world, coop_a_members, client):
    other = world.coop_b.members.get()
    client.force_login(world.dave)  # dave may see both cooperatives
    assert client.get(reverse("member_detail", args=[world.coop_b.pk, other.pk])).status_code == 200
    response = client.get(reverse("member_detail", args=[world.coop_a.pk, other.pk]))
    assert response.status_code == 404
    assert "Warga Embalut" not in html(response)


def test_member_pages_link_back_to_their_cooperative(world, coop_a_members, client):
    client.force_login(world.alice)
    page = html(client.get(reverse("member_list", args=[world.coop_a.pk])))
    siti = coop_a_members["siti"]
    assert reverse("member_detail", args=[world.coop_a.pk, siti.pk]) in page
    detail = re.escape(reverse("cooperative_detail", args=[world.coop_a.pk]))
    assert re.search(rf'<a href="{detail}">', page)
