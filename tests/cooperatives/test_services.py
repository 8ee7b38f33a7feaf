import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from cooperatives.enums import CooperativeStatus, Role
from cooperatives.models import CooperativeStatusChange, Member, Region
from cooperatives.services import (
    FORM_ADMIN_GROUP,
    CooperativeTransitionError,
    cooperative_create,
    cooperative_transition,
    cooperative_update,
    member_create,
    member_update,
    role_grant_create,
    role_grant_revoke,
)
from tests.factories import CooperativeFactory, MemberFactory, UserFactory, make_nik


@pytest.fixture
def coop(regions):
    return CooperativeFactory()


class TestCooperativeLifecycle:
    def test_walks_draft_to_active_and_records_each_step(self, coop, regions):
        officer = UserFactory(username="officer")
        for status in ("submitted", "registered", "active"):
            cooperative_transition(cooperative=coop, to_status=status, by=officer)
        coop.refresh_from_db()
        assert coop.status == CooperativeStatus.ACTIVE
        history = list(
            CooperativeStatusChange.objects.filter(cooperative=coop).values_list(
                "from_status", "to_status"
            )
        )
        assert history == [
            ("", "draft"),
            ("draft", "submitted"),
            ("submitted", "registered"),
            ("registered", "active"),
        ]

    @pytest.mark.parametrize("target", ["active", "registered", "suspended", "dissolved"])
    def test_a_draft_cannot_skip_ahead(self, coop, target):
        with pytest.raises(CooperativeTransitionError):
            cooperative_transition(cooperative=coop, to_status=target)
        coop.refresh_from_db()
        assert coop.status == CooperativeStatus.DRAFT
        assert coop.status_changes.count() == 1

    def test_dissolved_is_final(self, regions):
        coop = CooperativeFactory(status=CooperativeStatus.DISSOLVED)
        for target in CooperativeStatus.values:
            with pytest.raises(CooperativeTransitionError):
                cooperative_transition(cooperative=coop, to_status=target)

    def test_status_cannot_be_changed_by_update(self, coop):
        with pytest.raises(ValidationError):
            cooperative_update(cooperative=coop, status=CooperativeStatus.ACTIVE)


class TestCooperativeVillages:
    def test_two_villages_share_one_cooperative(self, regions):
        merabu = Region.objects.get(code="64.03.01.2001")
        panaan = Region.objects.get(code="64.03.01.2002")
        coop = cooperative_create(
            name="KDMP Merabu – Panaan", home_village=merabu, other_villages=[panaan]
        )
        assert set(coop.villages.values_list("code", flat=True)) == {merabu.code, panaan.code}
        assert set(coop.village_links.values_list("district_code", flat=True)) == {"64.03.01"}

    def test_a_village_cannot_belong_to_two_cooperatives(self, regions):
        village = Region.objects.get(code="64.02.16.2002")
        cooperative_create(name="Pertama", home_village=village)
        with pytest.raises(ValidationError):
            cooperative_create(
                name="Kedua",
                home_village=Region.objects.get(code="64.02.16.2003"),
                other_villages=[village],
            )

    def test_only_villages_can_be_covered(self, regions):
        with pytest.raises(ValidationError):
            cooperative_create(name="Salah", home_village=Region.objects.get(code="64.02.16"))

    def test_legal_ids_are_normalised_and_checked(self, coop):
        cooperative_update(cooperative=coop, npwp="01.234.567.8-901.000", nib="1234567890123")
        coop.refresh_from_db()
        assert (coop.npwp, coop.nib) == ("012345678901000", "1234567890123")
        with pytest.raises(ValidationError):
            cooperative_update(cooperative=coop, nib="12345")

    def test_gets_the_seven_standard_business_units(self, coop):
        assert coop.business_units.count() == 7


class TestMembers:
    def test_nik_is_kept_as_text_and_phone_as_plus_62(self, coop):
        member = member_create(
            cooperative=coop,
            nik="6402 1617 0880 0001",
            name=" Siti ",
            sex="P",
            join_date=datetime.date(2025, 9, 1),
            phone="0812-3456-7890",
        )
        member.refresh_from_db()
        assert (member.nik, member.name, member.phone) == (
            "6402161708800001",
            "Siti",
            "+6281234567890",
        )

    def test_nik_is_unique_within_a_cooperative(self, coop):
        nik = make_nik()
        MemberFactory(cooperative=coop, nik=nik)
        with pytest.raises(ValidationError) as error:
            MemberFactory(cooperative=coop, nik=nik)
        assert "nik" in error.value.message_dict
        assert Member.objects.filter(nik=nik).count() == 1

    def test_the_same_nik_may_join_another_cooperative(self, coop, regions):
        nik = make_nik()
        MemberFactory(cooperative=coop, nik=nik)
        MemberFactory(cooperative=CooperativeFactory(), nik=nik)
        assert Member.objects.filter(nik=nik).count() == 2

    def test_an_invalid_nik_writes_nothing(self, coop):
        with pytest.raises(ValidationError):
            member_create(
                cooperative=coop, nik="123", name="X", sex="L", join_date=datetime.date(2025, 9, 1)
            )
        assert not Member.objects.exists()

    def test_update_refuses_a_nik_taken_in_the_same_cooperative(self, coop):
        first = MemberFactory(cooperative=coop)
        second = MemberFactory(cooperative=coop)
        with pytest.raises(ValidationError):
            member_update(member=second, nik=first.nik)


class TestRoleGrants:
    def test_operator_is_granted_on_a_cooperative_only(self, coop, regions):
        user = UserFactory(username="op")
        with pytest.raises(ValidationError):
            role_grant_create(
                user=user, role=Role.OPERATOR, region=Region.objects.get(code="64.02")
            )
        role_grant_create(user=user, role=Role.OPERATOR, cooperative=coop)

    def test_officer_roles_must_match_the_region_level(self, regions):
        user = UserFactory(username="off")
        with pytest.raises(ValidationError):
            role_grant_create(
                user=user, role=Role.DISTRICT_OFFICER, region=Region.objects.get(code="64.02")
            )
        with pytest.raises(ValidationError):
            role_grant_create(
                user=user, role=Role.PROVINCE_OFFICER, region=Region.objects.get(code="64.02")
            )

    def test_granting_twice_is_idempotent(self, coop):
        user = UserFactory(username="twice")
        first = role_grant_create(user=user, role=Role.PENGAWAS, cooperative=coop)
        second = role_grant_create(user=user, role=Role.PENGAWAS, cooperative=coop)
        assert first.pk == second.pk

    def test_form_admin_joins_and_leaves_the_admin_group(self, regions):
        user = UserFactory(username="admin2")
        grant = role_grant_create(
            user=user, role=Role.FORM_ADMIN, region=Region.objects.get(code="64")
        )
        assert user.groups.filter(name=FORM_ADMIN_GROUP).exists()
        assert user.has_perm("wagtailadmin.access_admin")
        role_grant_revoke(grant=grant)
        user = type(user).objects.get(pk=user.pk)
        assert not user.groups.filter(name=FORM_ADMIN_GROUP).exists()
        assert not user.has_perm("wagtailadmin.access_admin")
        assert Group.objects.filter(name=FORM_ADMIN_GROUP).exists()


def test_lifecycle_path_is_the_shortest_allowed_walk():
    from cooperatives.services import cooperative_lifecycle_path

    assert cooperative_lifecycle_path("draft", "active") == ["submitted", "registered", "active"]
    assert cooperative_lifecycle_path("active", "active") == []
    assert cooperative_lifecycle_path("suspended", "dissolved") == ["dissolved"]
    with pytest.raises(CooperativeTransitionError):
        cooperative_lifecycle_path("dissolved", "active")
