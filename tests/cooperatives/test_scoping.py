import pytest
from django.http import Http404

from cooperatives.enums import Role
from cooperatives.models import Member
from cooperatives.scoping import (
    get_in_scope_or_404,
    scope_queryset,
    user_has_role,
    user_scope,
    visible_cooperatives,
)
from cooperatives.services import role_grant_create
from tests.factories import MemberFactory


def test_each_named_user_sees_exactly_their_scope(world):
    expected = {
        "alice": {world.coop_a},
        "bob": {world.coop_a},
        "henry": {world.coop_a},
        "carol": {world.coop_c},
        "dave": {world.coop_a, world.coop_b},
        "erin": {world.coop_a, world.coop_b, world.coop_k},
        "frank": {world.coop_a, world.coop_b, world.coop_c, world.coop_k},
        "grace": {world.coop_a, world.coop_b, world.coop_c, world.coop_k},
        "ivan": set(),
    }
    for name, user in world.users.items():
        assert set(visible_cooperatives(user)) == expected[name], name


def test_a_cooperative_covering_two_villages_is_seen_from_either_village(world):
    from cooperatives.models import Region
    from tests.factories import UserFactory

    panaan_officer = UserFactory(username="panaan")
    # A village-level grant on the second village of coop_c still covers the cooperative.
    from cooperatives.models import RoleGrant

    RoleGrant.objects.create(
        user=panaan_officer,
        role=Role.DISTRICT_OFFICER,
        region=Region.objects.get(code="64.03.01.2002"),
    )
    assert list(visible_cooperatives(panaan_officer)) == [world.coop_c]


def test_members_are_scoped_through_their_cooperative(world):
    mine = MemberFactory(cooperative=world.coop_a)
    theirs = MemberFactory(cooperative=world.coop_c)
    assert list(scope_queryset(Member.objects.all(), world.alice)) == [mine]
    assert list(scope_queryset(Member.objects.all(), world.carol)) == [theirs]
    assert set(scope_queryset(Member.objects.all(), world.frank)) == {mine, theirs}
    assert not scope_queryset(Member.objects.all(), world.ivan).exists()


def test_out_of_scope_objects_are_404_not_403(world):
    theirs = MemberFactory(cooperative=world.coop_c)
    with pytest.raises(Http404):
        get_in_scope_or_404(Member.objects.all(), world.alice, pk=theirs.pk)
    assert get_in_scope_or_404(Member.objects.all(), world.carol, pk=theirs.pk) == theirs
    with pytest.raises(Http404):
        get_in_scope_or_404(Member.objects.all(), world.carol, pk="not-a-number")


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_cooperatives(AnonymousUser()).exists()
    world.frank.is_active = False
    world.frank.save()
    frank = type(world.frank).objects.get(pk=world.frank.pk)
    assert not visible_cooperatives(frank).exists()


def test_new_grant_takes_effect_for_the_same_user_object(world):
    assert list(visible_cooperatives(world.ivan)) == []
    role_grant_create(user=world.ivan, role=Role.OPERATOR, cooperative=world.coop_b)
    assert list(visible_cooperatives(world.ivan)) == [world.coop_b]


def test_user_has_role_follows_the_scope_tree(world):
    assert user_has_role(world.dave, Role.DISTRICT_OFFICER, world.coop_a)
    assert not user_has_role(world.dave, Role.DISTRICT_OFFICER, world.coop_c)
    assert user_has_role(world.erin, Role.REGENCY_OFFICER, world.coop_k)
    assert user_has_role(world.frank, Role.PROVINCE_OFFICER, world.coop_c)
    assert not user_has_role(world.alice, Role.PENGAWAS, world.coop_a)
    assert user_has_role(world.bob, Role.PENGAWAS, world.coop_a)
    assert Role.OPERATOR in user_scope(world.alice).roles


def test_scope_query_count_does_not_grow_with_grants(world, django_assert_max_num_queries):
    from cooperatives.models import Region

    for code in ("64.01", "64.03", "64.07", "64.08"):
        role_grant_create(
            user=world.erin, role=Role.REGENCY_OFFICER, region=Region.objects.get(code=code)
        )
    erin = type(world.erin).objects.get(pk=world.erin.pk)
    with django_assert_max_num_queries(2):
        assert len(list(visible_cooperatives(erin))) == 4
