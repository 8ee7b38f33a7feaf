"""Shared fixtures: the region tree and a small world of named users.

The world, by name (who may see what):
  alice   operator of coop_a (Bukit Raya, Tenggarong Seberang, Kutai Kartanegara)
  bob     pengawas of coop_a
  henry   loan officer of coop_a
  carol   operator of coop_c (Merabu + Panaan, Kelay, Berau: two villages, one cooperative)
  dave    district officer of Tenggarong Seberang (sees coop_a and coop_b)
  erin    regency officer of Kutai Kartanegara (sees coop_a, coop_b and coop_k)
  frank   province officer (sees everything)
  grace   form admin on the province (uses the Wagtail admin)
  ivan    signed in, no role at all (sees nothing)
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from wagtail.models import Locale, Page, Site

from cooperatives.enums import CooperativeStatus, Role
from cooperatives.models import Cooperative, Region
from cooperatives.services import regions_load, role_grant_create
from finance.chart import chart_ensure_standard
from tests.factories import CooperativeFactory, UserFactory
from website.models import HomePage

# CI shares two cores with PostgreSQL and a browser: judge properties, not timings.
hypothesis_settings.register_profile(
    "kopdes", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("kopdes")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the audit trail refuses TRUNCATE; Django empties the database after a
    transactional or live-server test with one, so the test database lets that through. The
    triggers against UPDATE and DELETE stay on (tested in tests/workflows/test_concurrency.py)."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE kopdes_workflows_auditrecord DISABLE TRIGGER kopdes_audit_no_truncate"
            )


@pytest.fixture(autouse=True)
def _fresh_form_schemas():
    """Form schemas are cached by revision id; a rolled-back test database reuses ids."""
    from forms.services import schema_for_revision

    schema_for_revision.cache_clear()
    yield
    schema_for_revision.cache_clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The language middleware activates the visitor's language for the thread; a test that
    browsed in English must not leave the next one speaking it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def regions(db: None) -> None:
    """The regions and the shared chart of accounts, as the migrations leave them. The flush
    after a transactional or live-server test empties both."""
    if not Region.objects.exists():
        regions_load()
    chart_ensure_standard()


@dataclass
class World:
    coop_a: Cooperative
    coop_b: Cooperative
    coop_c: Cooperative
    coop_k: Cooperative
    alice: AbstractUser
    bob: AbstractUser
    henry: AbstractUser
    carol: AbstractUser
    dave: AbstractUser
    erin: AbstractUser
    frank: AbstractUser
    grace: AbstractUser
    ivan: AbstractUser

    @property
    def users(self) -> dict[str, AbstractUser]:
        return {
            name: getattr(self, name)
            for name in ("alice", "bob", "henry", "carol", "dave", "erin", "frank", "grace", "ivan")
        }


def build_world() -> World:
    def region(code: str) -> Region:
        return Region.objects.get(code=code)

    coop_a = CooperativeFactory(
        name="Koperasi Desa Merah Putih Bukit Raya",
        home_village=region("64.02.16.2002"),
        status=CooperativeStatus.ACTIVE,
    )
    coop_b = CooperativeFactory(
        name="Koperasi Desa Merah Putih Embalut",
        home_village=region("64.02.16.2003"),
        status=CooperativeStatus.REGISTERED,
    )
    coop_c = CooperativeFactory(
        name="Koperasi Desa Merah Putih Merabu – Panaan",
        home_village=region("64.03.01.2001"),
        other_villages=[region("64.03.01.2002")],
        status=CooperativeStatus.ACTIVE,
    )
    # Another district of the same regency: Bukit Raya of Tenggarong (64.02.13) shares the name.
    coop_k = CooperativeFactory(
        name="Koperasi Desa Merah Putih Bukit Raya (Tenggarong)",
        home_village=region("64.02.13.2016"),
        status=CooperativeStatus.SUBMITTED,
    )
    users = {
        name: UserFactory(username=name)
        for name in ("alice", "bob", "henry", "carol", "dave", "erin", "frank", "grace", "ivan")
    }
    role_grant_create(user=users["alice"], role=Role.OPERATOR, cooperative=coop_a)
    role_grant_create(user=users["bob"], role=Role.PENGAWAS, cooperative=coop_a)
    role_grant_create(user=users["henry"], role=Role.LOAN_OFFICER, cooperative=coop_a)
    role_grant_create(user=users["carol"], role=Role.OPERATOR, cooperative=coop_c)
    role_grant_create(user=users["dave"], role=Role.DISTRICT_OFFICER, region=region("64.02.16"))
    role_grant_create(user=users["erin"], role=Role.REGENCY_OFFICER, region=region("64.02"))
    role_grant_create(user=users["frank"], role=Role.PROVINCE_OFFICER, region=region("64"))
    role_grant_create(user=users["grace"], role=Role.FORM_ADMIN, region=region("64"))
    return World(coop_a=coop_a, coop_b=coop_b, coop_c=coop_c, coop_k=coop_k, **users)


@pytest.fixture
def world(regions: None) -> World:
    return build_world()


@pytest.fixture
def page_tree(db):
    """The page tree a migration makes (root, home page, site), for transactional tests: the
    flush after each of them empties it. (Serialized rollback would restore it, but a
    serialized test followed by a plain transactional one leaves the database without content
    types; and with Playwright's event loop running the live-server test sees another
    connection than the one holding the serialized copy.)"""
    chart_ensure_standard()
    if HomePage.objects.exists():
        return
    locale, _created = Locale.objects.get_or_create(language_code="id")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Kopdes Kaltim", slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Kopdes Kaltim"},
    )
