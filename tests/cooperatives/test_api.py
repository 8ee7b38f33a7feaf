"""The REST API at /api/v1/: tokens and lockout, scoping, filters, members, regions, the
signed-in user, query counts and the OpenAPI schema."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail.users.models import UserProfile

from cooperatives import api_urls
from cooperatives.enums import BusinessUnitCode, CooperativeStatus, MemberStatus, RegionLevel
from cooperatives.models import Region
from cooperatives.services import member_set_status
from tests.factories import PASSWORD, CooperativeFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    # The token throttle counts in the cache, which outlives a test's database transaction.
    cache.clear()


def client_for(user=None, **defaults) -> APIClient:
    client = APIClient(**defaults)
    if user is not None:
        client.force_authenticate(user)
    return client


def coop_url(coop) -> str:
    return reverse("api-cooperative-detail", kwargs={"pk": coop.pk})


def members_url(coop) -> str:
    return reverse("api-member-list", kwargs={"cooperative_pk": coop.pk})


def member_url(member, coop=None) -> str:
    return reverse(
        "api-member-detail",
        kwargs={"cooperative_pk": (coop or member.cooperative).pk, "pk": member.pk},
    )


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- Tokens and lockout --------------------------------------------------------------------


def test_token_obtained_with_password_authenticates_later_requests(world):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=world.alice).key == key
    me = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


def test_token_is_refused_for_wrong_password(world):
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "salah-sandi-1"})

    assert response.status_code == 400
    assert response.json()["detail"]
    assert "token" not in response.json()
    assert not Token.objects.filter(user=world.alice).exists()


def test_token_request_without_password_is_400(world):
    response = APIClient().post(TOKEN_URL, {"username": "alice"})

    assert response.status_code == 400
    assert "password" in response.json()


def test_token_is_refused_for_inactive_user(world):
    world.alice.is_active = False
    world.alice.save(update_fields=["is_active"])

    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 400
    assert not Token.objects.filter(user=world.alice).exists()


def test_token_revoke_deletes_the_callers_token_only(world):
    alice_key = APIClient().post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).json()
    bob_key = APIClient().post(TOKEN_URL, {"username": "bob", "password": PASSWORD}).json()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {alice_key['token']}")

    response = client.delete(TOKEN_URL)

    assert response.status_code == 204
    assert not Token.objects.filter(user=world.alice).exists()
    assert Token.objects.filter(user=world.bob, key=bob_key["token"]).exists()
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_revoke_needs_a_signed_in_caller(world):
    assert APIClient().delete(TOKEN_URL).status_code in (401, 403)


def test_lockout_after_failure_limit_is_per_username_and_address(world):
    limit = settings.AXES_FAILURE_LIMIT
    same_address = APIClient(REMOTE_ADDR="10.20.30.40")
    wrong = {"username": "alice", "password": "bukan-sandinya-1"}

    for _attempt in range(limit - 1):
        assert same_address.post(TOKEN_URL, wrong).status_code == 400
    locking = same_address.post(TOKEN_URL, wrong)
    right_but_locked = same_address.post(TOKEN_URL, {"username": "alice", "password": PASSWORD})

    assert locking.status_code == 403
    assert right_but_locked.status_code == 403
    assert right_but_locked["Content-Type"].startswith("application/json")
    assert right_but_locked.json()["detail"]
    assert "token" not in right_but_locked.json()
    assert not Token.objects.filter(user=world.alice).exists()
    # The same username from another address, and another username from this address, still work.
    other_address = APIClient(REMOTE_ADDR="10.20.30.41")
    assert (
        other_address.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code
        == 200
    )
    assert (
        same_address.post(TOKEN_URL, {"username": "bob", "password": PASSWORD}).status_code == 200
    )
    # Signing in elsewhere clears only that address's count: here alice stays locked.
    assert (
        same_address.post(TOKEN_URL, {"username": "alice", "password": PASSWORD}).status_code == 403
    )


def test_successful_token_sign_in_clears_earlier_failures(world):
    limit = settings.AXES_FAILURE_LIMIT
    client = APIClient(REMOTE_ADDR="10.20.30.50")
    wrong = {"username": "carol", "password": "bukan-sandinya-2"}

    for _attempt in range(limit - 1):
        assert client.post(TOKEN_URL, wrong).status_code == 400
    assert client.post(TOKEN_URL, {"username": "carol", "password": PASSWORD}).status_code == 200
    # Without the reset, the first of these would be failure number `limit` and lock carol out.
    for _attempt in range(limit - 1):
        assert client.post(TOKEN_URL, wrong).status_code == 400


def test_token_endpoint_is_throttled(world):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    allowed = int(rate.split("/")[0])
    client = APIClient(REMOTE_ADDR="10.20.30.60")

    statuses = [client.post(TOKEN_URL, {}).status_code for _request in range(allowed)]
    throttled = client.post(TOKEN_URL, {})

    assert set(statuses) == {400}
    assert throttled.status_code == 429
    # DRF's own messages come in Bahasa Indonesia by default.
    assert "dibatasi" in throttled.json()["detail"]


# --- Authentication required ---------------------------------------------------------------


def test_every_read_endpoint_refuses_anonymous_callers(world):
    member = MemberFactory(cooperative=world.coop_a)
    urls = [
        reverse("api-cooperative-list"),
        coop_url(world.coop_a),
        members_url(world.coop_a),
        member_url(member),
        reverse("api-region-list"),
        reverse("api-region-detail", kwargs={"code": "64.02"}),
        reverse("api-me"),
    ]
    for url in urls:
        response = APIClient().get(url)
        assert response.status_code in (401, 403), url
        assert set(response.json()) == {"detail"}, url


# --- Cooperatives: scope -------------------------------------------------------------------

SCOPES = {
    "alice": {"coop_a"},
    "bob": {"coop_a"},
    "henry": {"coop_a"},
    "carol": {"coop_c"},
    "dave": {"coop_a", "coop_b"},
    "erin": {"coop_a", "coop_b", "coop_k"},
    "frank": {"coop_a", "coop_b", "coop_c", "coop_k"},
    "grace": {"coop_a", "coop_b", "coop_c", "coop_k"},
    "ivan": set(),
}


@pytest.mark.parametrize(("name", "visible"), sorted(SCOPES.items()))
def test_cooperative_list_is_exactly_the_users_scope(world, name, visible):
    response = client_for(getattr(world, name)).get(reverse("api-cooperative-list"))

    assert listed_ids(response) == {getattr(world, coop).pk for coop in visible}
    assert response.json()["count"] == len(visible)


@pytest.mark.parametrize(("name", "visible"), sorted(SCOPES.items()))
def test_detail_and_members_outside_scope_answer_404(world, name, visible):
    client = client_for(getattr(world, name))
    for coop_name in ("coop_a", "coop_b", "coop_c", "coop_k"):
        coop = getattr(world, coop_name)
        member = MemberFactory(cooperative=coop)
        expected = 200 if coop_name in visible else 404
        assert client.get(coop_url(coop)).status_code == expected, coop_name
        assert client.get(members_url(coop)).status_code == expected, coop_name
        assert client.get(member_url(member)).status_code == expected, coop_name


def test_out_of_scope_answers_exactly_like_a_missing_cooperative(world):
    client = client_for(world.alice)

    outside = client.get(coop_url(world.coop_c))
    missing = client.get(reverse("api-cooperative-detail", kwargs={"pk": 999_999}))

    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json() == {"detail": "Data tidak ditemukan."}


def test_member_of_another_cooperative_is_404_under_a_visible_cooperative(world):
    member_of_b = MemberFactory(cooperative=world.coop_b)

    response = client_for(world.dave).get(member_url(member_of_b, coop=world.coop_a))

    assert response.status_code == 404


def test_cooperative_detail_shows_villages_region_names_units_and_counts(world):
    MemberFactory(cooperative=world.coop_c)
    MemberFactory(cooperative=world.coop_c)
    leaver = MemberFactory(cooperative=world.coop_c)
    member_set_status(member=leaver, status=MemberStatus.RESIGNED)

    data = client_for(world.carol).get(coop_url(world.coop_c)).json()

    merabu, panaan = (
        Region.objects.get(code="64.03.01.2001"),
        Region.objects.get(code="64.03.01.2002"),
    )
    assert data["id"] == world.coop_c.pk
    assert data["name"] == world.coop_c.name
    assert data["status"] == CooperativeStatus.ACTIVE
    assert data["home_village"] == "64.03.01.2001"
    assert data["villages"] == [
        {"code": merabu.code, "name": merabu.name, "kind": merabu.kind},
        {"code": panaan.code, "name": panaan.name, "kind": panaan.kind},
    ]
    assert data["district"] == {"code": "64.03.01", "name": merabu.parent.name}
    assert data["regency"] == {"code": "64.03", "name": merabu.parent.parent.name}
    assert [unit["code"] for unit in data["business_units"]] == list(BusinessUnitCode.values)
    assert data["member_count"] == 3
    assert data["active_member_count"] == 2
    assert {"nik_koperasi", "legal_entity_number", "legal_entity_date", "npwp", "nib"} <= set(data)


# --- Cooperatives: filters -----------------------------------------------------------------


def test_filter_by_name_is_case_insensitive(world):
    response = client_for(world.frank).get(reverse("api-cooperative-list"), {"search": "BUKIT"})

    assert listed_ids(response) == {world.coop_a.pk, world.coop_k.pk}


def test_filter_by_status(world):
    url = reverse("api-cooperative-list")
    client = client_for(world.frank)

    assert listed_ids(client.get(url, {"status": "active"})) == {world.coop_a.pk, world.coop_c.pk}
    assert listed_ids(client.get(url, {"status": "registered"})) == {world.coop_b.pk}


def test_filter_by_regency_and_district(world):
    url = reverse("api-cooperative-list")
    client = client_for(world.frank)

    assert listed_ids(client.get(url, {"regency": "64.02"})) == {
        world.coop_a.pk,
        world.coop_b.pk,
        world.coop_k.pk,
    }
    assert listed_ids(client.get(url, {"regency": "64.03"})) == {world.coop_c.pk}
    assert listed_ids(client.get(url, {"district": "64.02.16"})) == {
        world.coop_a.pk,
        world.coop_b.pk,
    }
    assert listed_ids(client.get(url, {"district": "64.02.13"})) == {world.coop_k.pk}


def test_region_filters_match_any_village_of_the_cooperative_not_only_its_home(world):
    home = Region.objects.filter(level=RegionLevel.VILLAGE, district_code="64.01.01").first()
    away = Region.objects.filter(level=RegionLevel.VILLAGE, regency_code="64.07").first()
    spanning = CooperativeFactory(home_village=home, other_villages=[away])
    url = reverse("api-cooperative-list")
    client = client_for(world.frank)

    assert listed_ids(client.get(url, {"regency": "64.07"})) == {spanning.pk}
    assert listed_ids(client.get(url, {"district": away.district_code})) == {spanning.pk}


def test_filters_never_widen_the_scope(world):
    url = reverse("api-cooperative-list")
    client = client_for(world.alice)

    assert listed_ids(client.get(url, {"regency": "64.02"})) == {world.coop_a.pk}
    assert listed_ids(client.get(url, {"district": "64.02.13"})) == set()
    assert listed_ids(client.get(url, {"search": "Merabu"})) == set()


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "bubar"), ("regency", "6402"), ("district", "64.02"), ("regency", "64.02.16")],
)
def test_invalid_filter_value_is_400_naming_the_parameter(world, param, value):
    response = client_for(world.frank).get(reverse("api-cooperative-list"), {param: value})

    assert response.status_code == 400
    assert param in response.json()


# --- Members -------------------------------------------------------------------------------


def test_member_list_search_and_status(world):
    siti = MemberFactory(cooperative=world.coop_a, name="Siti Aminah", sex="P")
    budi = MemberFactory(cooperative=world.coop_a, name="Budi Santoso")
    gone = MemberFactory(cooperative=world.coop_a, name="Joko Widodo")
    member_set_status(member=gone, status=MemberStatus.RESIGNED)
    MemberFactory(cooperative=world.coop_b, name="Siti Rahma")
    url = members_url(world.coop_a)
    client = client_for(world.alice)

    assert listed_ids(client.get(url)) == {siti.pk, budi.pk, gone.pk}
    assert listed_ids(client.get(url, {"search": "siti"})) == {siti.pk}
    assert listed_ids(client.get(url, {"search": budi.nik[-8:]})) == {budi.pk}
    assert listed_ids(client.get(url, {"status": "resigned"})) == {gone.pk}
    assert client.get(url, {"status": "pindah"}).status_code == 400


def test_member_detail_shows_the_member(world):
    member = MemberFactory(cooperative=world.coop_a, name="Siti Aminah", sex="P")

    data = client_for(world.bob).get(member_url(member)).json()

    assert data["id"] == member.pk
    assert data["cooperative"] == world.coop_a.pk
    assert data["nik"] == member.nik
    assert data["name"] == "Siti Aminah"
    assert data["sex"] == "P"
    assert data["status"] == MemberStatus.ACTIVE


@pytest.fixture
def shared_nik(world):
    """One NIK registered in coop_a and coop_b; another only in coop_a."""
    twice = MemberFactory(cooperative=world.coop_a)
    MemberFactory(cooperative=world.coop_b, nik=twice.nik)
    once = MemberFactory(cooperative=world.coop_a)
    return twice, once


@pytest.mark.parametrize("name", ["dave", "erin", "frank", "henry"])
def test_officers_see_whether_a_nik_is_registered_elsewhere(world, shared_nik, name):
    twice, once = shared_nik
    client = client_for(getattr(world, name))

    rows = {row["id"]: row for row in client.get(members_url(world.coop_a)).json()["results"]}

    assert rows[twice.pk]["nik_elsewhere"] is True
    assert rows[once.pk]["nik_elsewhere"] is False
    assert client.get(member_url(twice)).json()["nik_elsewhere"] is True
    assert client.get(member_url(once)).json()["nik_elsewhere"] is False


def test_superuser_sees_every_cooperative_and_nik_elsewhere(world, shared_nik):
    twice, _once = shared_nik
    root = UserFactory(username="root", is_superuser=True)
    client = client_for(root)

    assert listed_ids(client.get(reverse("api-cooperative-list"))) == {
        world.coop_a.pk,
        world.coop_b.pk,
        world.coop_c.pk,
        world.coop_k.pk,
    }
    assert client.get(member_url(twice)).json()["nik_elsewhere"] is True


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_cooperative_staff_never_receive_nik_elsewhere(world, shared_nik, name):
    twice, _once = shared_nik
    client = client_for(getattr(world, name))

    rows = client.get(members_url(world.coop_a)).json()["results"]

    assert rows
    assert all("nik_elsewhere" not in row for row in rows)
    assert "nik_elsewhere" not in client.get(member_url(twice)).json()


# --- Regions -------------------------------------------------------------------------------


def test_regions_filter_by_level_and_parent(world):
    client = client_for(world.ivan)
    url = reverse("api-region-list")

    regencies = client.get(url, {"level": "regency"}).json()
    districts = client.get(url, {"parent": "64.02"}).json()

    assert regencies["count"] == 10
    assert {row["level"] for row in regencies["results"]} == {"regency"}
    assert districts["count"] == Region.objects.filter(parent_id="64.02").count() > 0
    assert {row["parent"] for row in districts["results"]} == {"64.02"}
    assert client.get(url, {"level": "dusun"}).status_code == 400


def test_region_detail_by_code(world):
    client = client_for(world.ivan)
    village = Region.objects.get(code="64.02.16.2002")

    data = client.get(reverse("api-region-detail", kwargs={"code": village.code})).json()

    assert data["code"] == village.code
    assert data["name"] == village.name
    assert data["level"] == RegionLevel.VILLAGE
    assert data["parent"] == "64.02.16"
    assert client.get(reverse("api-region-detail", kwargs={"code": "99.99"})).status_code == 404


# --- The signed-in user --------------------------------------------------------------------


def test_me_for_a_district_officer(world):
    data = client_for(world.dave).get(reverse("api-me")).json()

    assert data["username"] == "dave"
    assert data["name"] == "Dave"
    assert data["language"] == "id"
    assert data["is_officer"] is True
    assert data["role_grants"] == [
        {
            "role": "district_officer",
            "role_label": data["role_grants"][0]["role_label"],
            "scope_type": "region",
            "scope_label": str(Region.objects.get(code="64.02.16")),
            "region_code": "64.02.16",
            "cooperative_id": None,
        }
    ]


def test_me_for_an_operator_and_for_a_user_without_roles(world):
    alice = client_for(world.alice).get(reverse("api-me")).json()
    ivan = client_for(world.ivan).get(reverse("api-me")).json()

    assert alice["is_officer"] is False
    [grant] = alice["role_grants"]
    assert grant["role"] == "operator"
    assert grant["scope_type"] == "cooperative"
    assert grant["cooperative_id"] == world.coop_a.pk
    assert grant["scope_label"] == world.coop_a.name
    assert grant["region_code"] is None
    assert ivan["role_grants"] == []
    assert ivan["is_officer"] is False


def test_me_shows_the_chosen_language(world):
    profile = UserProfile.get_for_user(world.erin)
    profile.preferred_language = "en"
    profile.save(update_fields=["preferred_language"])

    assert client_for(world.erin).get(reverse("api-me")).json()["language"] == "en"


# --- Query counts --------------------------------------------------------------------------


def count_queries(client: APIClient, url: str) -> int:
    # A forced user keeps its scope cached between requests: warm it so both counts compare alike.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_cooperative_list_queries_do_not_grow_with_rows(world):
    client = client_for(world.frank)
    url = reverse("api-cooperative-list")
    for coop in (world.coop_a, world.coop_c):
        MemberFactory(cooperative=coop)
    few = count_queries(client, url)

    for _extra in range(6):
        coop = CooperativeFactory()
        MemberFactory(cooperative=coop)
        MemberFactory(cooperative=coop)
    many = count_queries(client, url)

    assert client.get(url).json()["count"] == 10
    assert many == few


def test_member_list_queries_do_not_grow_with_rows(world, shared_nik):
    client = client_for(world.dave)
    url = members_url(world.coop_a)
    few = count_queries(client, url)

    for _extra in range(8):
        MemberFactory(cooperative=world.coop_a)
    many = count_queries(client, url)

    assert client.get(url).json()["count"] == 10
    assert many == few


# --- OpenAPI schema ------------------------------------------------------------------------


def test_schema_generates_without_warnings_and_validates(tmp_path: Path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert "/api/v1/cooperatives/" in yaml.safe_load(out.read_text())["paths"]


def openapi_path(route: str) -> str:
    """The schema's spelling of a Django route: <int:pk> becomes {id}, <x:name> becomes {name}."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{%s}" % ("id" if m[1] == "pk" else m[1]), route)
    return "/api/v1/" + path


def test_schema_documents_every_api_route_with_a_unique_operation_id(world):
    response = client_for(world.ivan).get(reverse("api-schema"), {"format": "json"})
    schema = response.json()

    routes = {openapi_path(str(pattern.pattern)) for pattern in api_urls.urlpatterns}
    assert routes <= set(schema["paths"])
    operations = [op for item in schema["paths"].values() for op in item.values()]
    operation_ids = [op["operationId"] for op in operations]
    assert len(operation_ids) == len(set(operation_ids))
    assert schema["paths"]["/api/v1/auth/token/"].keys() == {"post", "delete"}
    list_params = {p["name"] for p in schema["paths"]["/api/v1/cooperatives/"]["get"]["parameters"]}
    assert {"search", "status", "regency", "district", "page"} <= list_params
