"""The forms API: forms and their JSON Schemas, and filling a submission through /api/v1/."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from forms import api_urls
from forms.enums import PeriodRule, SubmissionStatus
from forms.models import Submission
from forms.services import submission_save_step, submission_start, submission_submit
from tests.forms.builders import calculated, field, group, publish_form, republish, step

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FIELDS = [
    step("Usaha"),
    field("short_text", "nama", "Nama usaha", max_length=80),
    field("rupiah", "modal", "Modal awal", min_value=0),
    field("yes_no", "punya_kios", "Sudah punya kios?"),
    field(
        "single_choice",
        "jenis_kios",
        "Jenis kios",
        choices=[{"code": "sewa", "label": "Sewa"}, {"code": "milik", "label": "Milik sendiri"}],
        visible_when={"field": "punya_kios", "operator": "eq", "value": "yes"},
    ),
    field(
        "multiple_choice",
        "produk",
        "Produk",
        required=False,
        choices=[{"code": "beras", "label": "Beras"}, {"code": "gula", "label": "Gula"}],
    ),
    field("percentage", "bunga", "Bunga", required=False),
    field("file", "akta", "Akta", required=False, allowed=["pdf"]),
    step("Pendiri"),
    group(
        "pendiri",
        "Pendiri",
        [
            field("short_text", "nama", "Nama"),
            field("nik", "nik", "NIK"),
            field("rupiah", "simpanan", "Simpanan pokok"),
        ],
        min_rows=1,
        max_rows=3,
    ),
    calculated("total", "Jumlah simpanan", "sum(pendiri.simpanan)"),
]
RULES = [{"expression": "modal >= 0", "message": "Modal tidak boleh negatif.", "message_en": ""}]

NIK = "6402160101900001"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def form(world):
    return publish_form(
        "Pendirian Usaha",
        FIELDS,
        RULES,
        audience=["operator"],
        period_rule=PeriodRule.UNLIMITED,
    )


@pytest.fixture
def alice(world):
    return client_for(world.alice)


def start(form, world, key="key-1"):
    return submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key=key
    )


def sent_submission(form, world):
    draft = start(form, world)
    draft = submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={"nama": "Kios", "modal": 1000, "punya_kios": False, "jenis_kios": None},
    )
    draft = submission_save_step(
        submission=draft,
        by=world.alice,
        step=1,
        answers={"pendiri": [{"nama": "Siti", "nik": NIK, "simpanan": 100000}]},
    )
    return submission_submit(submission=draft, by=world.alice)


def step_url(submission, index):
    return reverse("api-submission-step", kwargs={"pk": submission.pk, "step": index})


def detail_url(submission):
    return reverse("api-submission-detail", kwargs={"pk": submission.pk})


def schema_of(client, form):
    response = client.get(reverse("api-form-detail", kwargs={"pk": form.pk}))
    assert response.status_code == 200, response.content
    schema_response = client.get(response.json()["schema_url"])
    assert schema_response.status_code == 200, schema_response.content
    return schema_response.json()


# --- Forms and their JSON Schemas --------------------------------------------------------------


def test_forms_list_shows_live_forms_with_their_schema_url(alice, form):
    response = alice.get(reverse("api-form-list"))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == form.pk and row["slug"] == form.slug
    assert row["live_revision_id"] == form.live_revision_id
    assert row["period_rule"] == PeriodRule.UNLIMITED and row["audience"] == ["operator"]
    assert row["schema_url"].endswith(
        reverse("api-form-version-schema", args=[form.pk, form.live_revision_id])
    )


def test_versions_lists_every_published_revision(alice, form):
    first = form.live_revision_id
    form = republish(form, FIELDS[:3])
    response = alice.get(reverse("api-form-versions", args=[form.pk]))
    assert response.status_code == 200
    assert [v["id"] for v in response.json()] == [form.live_revision_id, first]
    # An old version's schema stays available: submissions pinned to it are read with it.
    old = alice.get(reverse("api-form-version-schema", args=[form.pk, first]))
    assert "pendiri" in old.json()["properties"]
    draft = form.save_revision()  # saved, never published: not a version
    missing = alice.get(reverse("api-form-version-schema", args=[form.pk, draft.pk]))
    assert missing.status_code == 404


def test_json_schema_is_valid_and_describes_the_questions(alice, form):
    schema = schema_of(alice, form)

    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert props["nama"] == {
        "type": "string",
        "maxLength": 80,
        "title": "nama",
        "description": "Nama usaha",
    }
    assert props["modal"]["type"] == "integer" and props["modal"]["minimum"] == 0
    assert props["punya_kios"]["type"] == "boolean"
    assert props["jenis_kios"]["enum"] == ["sewa", "milik", None]
    assert props["jenis_kios"]["x-kopdes-visible-when"] == {
        "field": "punya_kios",
        "operator": "eq",
        "value": "yes",
    }
    assert props["produk"]["items"]["enum"] == ["beras", "gula"]
    assert props["akta"]["format"] == "binary" and props["akta"]["x-kopdes-multipart"]
    group = props["pendiri"]
    assert group["type"] == "array" and group["minItems"] == 1 and group["maxItems"] == 3
    assert group["items"]["required"] == ["nama", "nik", "simpanan"]
    assert props["total"]["readOnly"] is True
    assert schema["required"] == ["nama", "modal", "punya_kios", "pendiri"]
    assert schema["x-kopdes-steps"] == [
        {
            "index": 0,
            "title": "Usaha",
            "fields": ["nama", "modal", "punya_kios", "jenis_kios", "produk", "bunga", "akta"],
        },
        {"index": 1, "title": "Pendiri", "fields": ["pendiri", "total"]},
    ]
    assert schema["x-kopdes-rules"] == [
        {"expression": "modal >= 0", "message": "Modal tidak boleh negatif."}
    ]


def test_stored_answers_of_a_sent_submission_validate_against_the_schema(alice, form, world):
    schema = schema_of(alice, form)
    sent = sent_submission(form, world)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )

    validator.validate(sent.data)
    assert not validator.is_valid({**sent.data, "jenis_kios": "rumah"})
    assert not validator.is_valid({k: v for k, v in sent.data.items() if k != "pendiri"})
    assert not validator.is_valid({**sent.data, "pendiri": [{"nama": "Siti"}]})


# --- Filling through the API ---------------------------------------------------------------------


def test_full_flow_start_steps_submit_gives_a_reference(alice, form, world):
    response = alice.post(
        reverse("api-submission-list"),
        {"form": form.pk, "cooperative": world.coop_a.pk, "idempotency_key": "k-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["version"] == 1 and draft["editable"]
    assert draft["revision_id"] == form.live_revision_id
    assert [s["title"] for s in draft["steps"]] == ["Usaha", "Pendiri"]
    assert {p["field"] for p in draft["problems"]} >= {"nama", "pendiri"}
    submission = Submission.objects.get(pk=draft["id"])

    # Step 1 as multipart, with a file, a hidden conditional answer and a list of choices.
    response = alice.put(
        step_url(submission, 0),
        {
            "version": 1,
            "answers": json.dumps(
                {
                    "nama": "Kios sembako",
                    "modal": "Rp 1.500.000",
                    "punya_kios": False,
                    "jenis_kios": "sewa",
                    "produk": ["beras", "gula"],
                    "bunga": 1.5,
                }
            ),
            "akta": SimpleUploadedFile("akta.pdf", PDF, "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["answers"]["modal"] == 1500000
    assert body["answers"]["punya_kios"] is False
    assert body["answers"]["jenis_kios"] is None  # hidden: not stored
    assert body["answers"]["produk"] == ["beras", "gula"]
    assert body["answers"]["bunga"] == "1.5"
    (stored,) = body["files"]
    assert stored["field_code"] == "akta"
    assert stored["url"].endswith(
        reverse("api-submission-file", args=[submission.pk, stored["id"]])
    )

    response = alice.put(
        step_url(submission, 1),
        {
            "version": 2,
            "answers": {
                "pendiri": [
                    {"nama": "Siti", "nik": NIK, "simpanan": 100000},
                    {"nama": "Budi", "nik": "6402160101900002", "simpanan": "50.000"},
                ]
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3
    assert response.json()["problems"] == []

    response = alice.post(
        reverse("api-submission-submit", args=[submission.pk]), {"version": 3}, format="json"
    )
    assert response.status_code == 200, response.content
    sent = response.json()
    assert sent["status"] == SubmissionStatus.SUBMITTED and sent["reference"]
    assert sent["answers"]["total"] == 150000
    assert sent["editable"] is False
    # Token clients download through the API, as an attachment, within scope only.
    download = alice.get(stored["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    outsider = APIClient()
    outsider.force_authenticate(world.carol)
    assert outsider.get(stored["url"]).status_code == 404


def test_starting_twice_with_the_same_key_returns_the_same_draft(alice, form, world):
    payload = {"form": form.pk, "cooperative": world.coop_a.pk, "idempotency_key": "same"}
    first = alice.post(reverse("api-submission-list"), payload, format="json")
    again = alice.post(reverse("api-submission-list"), payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Submission.objects.count() == 1


def test_start_for_a_cooperative_outside_scope_reads_like_a_missing_one(form, world):
    carol = client_for(world.carol)
    outside = carol.post(
        reverse("api-submission-list"),
        {"form": form.pk, "cooperative": world.coop_a.pk, "idempotency_key": "x"},
        format="json",
    )
    missing = carol.post(
        reverse("api-submission-list"),
        {"form": form.pk, "cooperative": 999999, "idempotency_key": "x"},
        format="json",
    )
    assert outside.status_code == missing.status_code == 400
    assert "cooperative" in outside.json()
    assert not Submission.objects.exists()


def test_an_officer_in_scope_may_not_start_an_operators_form(form, world):
    response = client_for(world.dave).post(
        reverse("api-submission-list"),
        {"form": form.pk, "cooperative": world.coop_a.pk, "idempotency_key": "d"},
        format="json",
    )
    assert response.status_code == 403


def portal_errors(client, world, draft, data):
    client.force_login(world.alice)
    response = client.post(
        reverse("submission_step", kwargs={"pk": draft.pk, "step": 0}),
        {"version": draft.version, "action": "next", **data},
    )
    assert response.status_code == 200
    return response.context["form"].errors


def test_the_same_bad_answers_give_the_portals_messages(client, alice, form, world):
    draft = start(form, world)
    portal = portal_errors(client, world, draft, {"nama": "", "modal": "satu juta"})

    response = alice.put(
        step_url(draft, 0),
        {"version": 1, "answers": {"nama": "", "modal": "satu juta", "punya_kios": False}},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["modal"] == list(portal["modal"])
    assert errors["nama"] == list(portal["nama"])
    assert "Rupiah" in errors["modal"][0]
    draft.refresh_from_db()
    assert draft.version == 1 and draft.data == {}


def test_a_missing_required_answer_is_keyed_by_its_code(alice, form, world):
    draft = start(form, world)
    response = alice.put(
        step_url(draft, 0), {"version": 1, "answers": {"nama": "Kios"}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"modal", "punya_kios"}


def test_group_row_errors_are_keyed_by_group_row_and_column(alice, form, world):
    draft = start(form, world)
    response = alice.put(
        step_url(draft, 1),
        {
            "version": 1,
            "answers": {"pendiri": [{"nama": "Siti", "nik": NIK, "simpanan": "banyak"}]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["pendiri.0.simpanan"]


def test_a_visible_conditional_answer_is_required_and_stored(alice, form, world):
    draft = start(form, world)
    answers = {"nama": "Kios", "modal": 0, "punya_kios": True}
    refused = alice.put(step_url(draft, 0), {"version": 1, "answers": answers}, format="json")
    assert refused.status_code == 400 and "jenis_kios" in refused.json()["errors"]
    saved = alice.put(
        step_url(draft, 0),
        {"version": 1, "answers": {**answers, "jenis_kios": "milik"}},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["answers"]["jenis_kios"] == "milik"


def test_an_unknown_code_is_refused(alice, form, world):
    draft = start(form, world)
    response = alice.put(
        step_url(draft, 0),
        {"version": 1, "answers": {"nama": "Kios", "pendiri": []}},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["pendiri"]


def test_a_stale_version_is_refused_with_409(alice, form, world):
    draft = start(form, world)
    answers = {"nama": "Kios", "modal": 0, "punya_kios": False}
    first = alice.put(step_url(draft, 0), {"version": 1, "answers": answers}, format="json")
    stale = alice.put(
        step_url(draft, 0), {"version": 1, "answers": {**answers, "nama": "B"}}, format="json"
    )
    assert (first.status_code, stale.status_code) == (200, 409)
    submit = alice.post(reverse("api-submission-submit", args=[draft.pk]), {"version": 1})
    assert submit.status_code == 409
    draft.refresh_from_db()
    assert draft.data["nama"] == "Kios"


def test_submit_of_an_incomplete_draft_lists_what_is_missing(alice, form, world):
    draft = start(form, world)
    response = alice.post(
        reverse("api-submission-submit", args=[draft.pk]), {"version": 1}, format="json"
    )
    assert response.status_code == 400
    assert any("Pendiri" in message for message in response.json()["errors"])


def test_a_sent_submission_can_no_longer_be_changed(alice, form, world):
    sent = sent_submission(form, world)
    response = alice.put(step_url(sent, 0), {"version": sent.version, "answers": {}}, format="json")
    assert response.status_code == 409


# --- Who sees what -------------------------------------------------------------------------------


def test_another_cooperatives_operator_gets_404_on_a_draft(form, world):
    draft = start(form, world)
    carol = client_for(world.carol)
    assert carol.get(detail_url(draft)).status_code == 404
    put = carol.put(step_url(draft, 0), {"version": 1, "answers": {}}, format="json")
    assert put.status_code == 404
    submit = carol.post(reverse("api-submission-submit", args=[draft.pk]), {"version": 1})
    assert submit.status_code == 404
    assert carol.get(reverse("api-submission-list")).json()["results"] == []


def test_a_user_without_roles_sees_no_submissions(form, world):
    sent = sent_submission(form, world)
    ivan = client_for(world.ivan)
    assert ivan.get(reverse("api-submission-list")).json()["results"] == []
    assert ivan.get(detail_url(sent)).status_code == 404


def test_an_officer_sees_a_sent_submission_but_not_a_draft(form, world):
    sent = sent_submission(form, world)
    draft = start(form, world, key="key-2")
    dave = client_for(world.dave)

    listed = dave.get(reverse("api-submission-list")).json()["results"]
    assert [row["id"] for row in listed] == [sent.pk]
    detail = dave.get(detail_url(sent))
    assert detail.status_code == 200 and detail.json()["reference"] == sent.reference
    assert detail.json()["problems"] == [] and detail.json()["editable"] is False
    assert dave.get(detail_url(draft)).status_code == 404
    # Reading is not writing: a write by anyone but the author answers 404, as on the portal.
    put = dave.put(step_url(sent, 0), {"version": sent.version, "answers": {}}, format="json")
    assert put.status_code == 404


def test_the_author_lists_own_drafts_and_filters(alice, form, world):
    sent = sent_submission(form, world)
    draft = start(form, world, key="key-2")
    url = reverse("api-submission-list")

    def ids(**params):
        response = alice.get(url, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {sent.pk, draft.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(form=form.pk, cooperative=world.coop_a.pk) == {sent.pk, draft.pk}
    assert ids(cooperative=world.coop_c.pk) == set()
    assert ids(period="1999") == set()
    assert alice.get(url, {"status": "nonsense"}).status_code == 400


# --- OpenAPI --------------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings_and_documents_the_routes(tmp_path: Path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    paths = yaml.safe_load(out.read_text())["paths"]
    for pattern in api_urls.urlpatterns:
        route = str(pattern.pattern).replace("<int:pk>", "{id}")
        route = route.replace("<int:revision_id>", "{revision_id}").replace("<int:step>", "{step}")
        route = route.replace("<int:file_id>", "{file_id}")
        assert "/api/v1/" + route in paths, route
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
