"""The import API: the same flow as the portal, for token clients."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cooperatives.models import Member

from .books import BUDI, SITI, member_book

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def upload(client, world, data, **fields):
    payload = {
        "cooperative": world.coop_a.pk,
        "kind": "members",
        "file": io.BytesIO(data),
        **fields,
    }
    payload["file"].name = "anggota.xlsx"
    return client.post(reverse("api-import-list"), payload, format="multipart")


def test_upload_preview_confirm_through_the_api(world, django_capture_on_commit_callbacks):
    client = client_for(world.alice)
    bad = [*BUDI]
    bad[2] = "X"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, member_book([SITI, bad]))
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    detail = client.get(reverse("api-import-detail", args=[run_id])).json()
    assert detail["status"] == "ready"
    assert (detail["created"], detail["rows_invalid"], detail["rows_skipped"]) == (1, 1, 4)
    assert detail["errors"][0] | {"message": ""} == {
        "row": 7,
        "column": "D",
        "code": "sex_invalid",
        "message": "",
    }
    refused = client.post(reverse("api-import-confirm", args=[run_id]), {}, format="json")
    assert refused.status_code == 409
    assert not Member.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            reverse("api-import-confirm", args=[run_id]), {"skip_invalid": True}, format="json"
        )
    assert accepted.status_code == 202
    detail = client.get(reverse("api-import-detail", args=[run_id])).json()
    assert detail["status"] == "applied"
    assert list(Member.objects.values_list("nik", flat=True)) == [SITI[0]]
    again = client.post(reverse("api-import-cancel", args=[run_id]))
    assert again.status_code == 409
    rows = client.get(reverse("api-import-error-rows", args=[run_id]))
    assert rows.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(rows.content)).active
    assert sheet.max_row == 2


def test_a_file_that_is_not_a_workbook_is_refused_with_a_reason(world):
    response = upload(client_for(world.alice), world, b"NIK,Nama\n1,2\n")
    assert response.status_code == 400
    assert "Excel" in response.json()["file"][0]


def test_scope_and_role_are_enforced(world):
    assert upload(client_for(world.carol), world, member_book([SITI])).status_code == 404
    assert upload(client_for(world.bob), world, member_book([SITI])).status_code == 403
    alice_run = upload(client_for(world.alice), world, member_book([SITI])).json()["id"]
    carol = client_for(world.carol)
    assert carol.get(reverse("api-import-detail", args=[alice_run])).status_code == 404
    assert carol.post(reverse("api-import-confirm", args=[alice_run])).status_code == 404
    assert carol.get(reverse("api-import-list")).json()["count"] == 0
    assert client_for(world.dave).get(reverse("api-import-list")).json()["count"] == 1


def test_templates_come_from_the_api_too(world):
    client = client_for(world.alice)
    response = client.get(reverse("api-import-template", args=["members"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[-1] == "Petunjuk" or "Petunjuk" in book.sheetnames
    assert client.get(reverse("api-import-template", args=["nothing"])).status_code == 404
