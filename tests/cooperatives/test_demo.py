import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cooperatives.demo import DEMO_PASSWORD, DEMO_USERS
from cooperatives.enums import CooperativeStatus, Role
from cooperatives.models import Cooperative, Member, RoleGrant
from forms.models import KopdesFormPage

pytestmark = pytest.mark.django_db


def test_seed_demo_covers_every_village_every_role_and_is_idempotent(capsys):
    call_command("seed_demo")
    # 1,038 villages, two of which (Merabu and Panaan in Berau) share one cooperative.
    assert Cooperative.objects.count() == 1037
    statuses = set(Cooperative.objects.values_list("status", flat=True))
    assert statuses == set(CooperativeStatus.values)
    assert Member.objects.count() > 150
    roles = set(RoleGrant.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    user = get_user_model().objects.get(username="operator")
    assert user.check_password(DEMO_PASSWORD)
    assert {u.username for u in DEMO_USERS} <= set(
        get_user_model().objects.values_list("username", flat=True)
    )
    assert set(KopdesFormPage.objects.live().values_list("slug", flat=True)) == {
        "pendaftaran-koperasi",
        "laporan-keuangan-bulanan",
        "pengajuan-pinjaman",
        "pengajuan-pembiayaan-koperasi",
    }
    counts = (Cooperative.objects.count(), Member.objects.count(), RoleGrant.objects.count())
    call_command("seed_demo")
    assert (
        Cooperative.objects.count(),
        Member.objects.count(),
        RoleGrant.objects.count(),
    ) == counts
    # Logins are printed only where the settings ask for it (development), not under test.
    assert DEMO_PASSWORD not in capsys.readouterr().out
