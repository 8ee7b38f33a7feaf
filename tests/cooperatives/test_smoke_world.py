from cooperatives.scoping import visible_cooperatives


def test_world_scopes_follow_grants(world):
    assert set(visible_cooperatives(world.alice)) == {world.coop_a}
    assert set(visible_cooperatives(world.carol)) == {world.coop_c}
    assert set(visible_cooperatives(world.dave)) == {world.coop_a, world.coop_b}
    assert set(visible_cooperatives(world.erin)) == {world.coop_a, world.coop_b, world.coop_k}
    assert set(visible_cooperatives(world.frank)) == {
        world.coop_a,
        world.coop_b,
        world.coop_c,
        world.coop_k,
    }
    assert list(visible_cooperatives(world.ivan)) == []
