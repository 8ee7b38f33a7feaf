from cooperatives.enums import Role
from cooperatives.models import Cooperative, RoleGrant
from cooperatives.services import FORM_ADMIN_GROUP
from tests.factories import UserFactory


def test_form_admin_sees_the_registry_but_cannot_edit_a_cooperative_directly(world, client):
    client.force_login(world.grace)
    assert client.get("/admin/cooperative/").status_code == 200
    assert client.get(f"/admin/cooperative/inspect/{world.coop_a.pk}/").status_code == 200
    response = client.post(f"/admin/cooperative/edit/{world.coop_a.pk}/", {"name": "Diubah"})
    assert response.status_code == 302
    assert Cooperative.objects.get(pk=world.coop_a.pk).name != "Diubah"


def test_village_staff_and_officers_cannot_use_the_admin(world, client):
    for name in ("alice", "bob", "henry", "dave", "erin", "frank", "ivan"):
        client.force_login(getattr(world, name))
        response = client.get("/admin/")
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/admin/login/"), name


def test_a_role_granted_in_the_admin_goes_through_the_service(world, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    newcomer = UserFactory(username="newcomer")
    client.force_login(root)
    response = client.post(
        "/admin/rolegrant/new/",
        {"user": newcomer.pk, "role": Role.FORM_ADMIN, "region": "64", "cooperative": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = RoleGrant.objects.get(user=newcomer)
    assert grant.granted_by == root
    # The service, not a bare model form, also opened the Wagtail admin to the new form admin.
    assert newcomer.groups.filter(name=FORM_ADMIN_GROUP).exists()


def test_a_grant_needs_exactly_one_scope(world, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        "/admin/rolegrant/new/",
        {
            "user": world.ivan.pk,
            "role": Role.OPERATOR,
            "region": "64",
            "cooperative": world.coop_a.pk,
        },
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=world.ivan).exists()
