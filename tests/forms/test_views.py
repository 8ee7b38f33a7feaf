"""The portal pages of filling a form, end to end through the Django test client."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms.enums import PeriodRule, SubmissionStatus
from forms.models import Submission, SubmissionFile
from forms.services import schema_for_revision, submission_save_step, submission_start
from tests.forms.builders import calculated, field, group, publish_form, step

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FIELDS = [
    step("Identitas"),
    field("short_text", "nama", "Nama kegiatan"),
    field("yes_no", "punya_kios", "Sudah punya kios?"),
    field(
        "single_choice",
        "jenis_kios",
        "Jenis kios",
        choices=[{"code": "sewa", "label": "Sewa"}, {"code": "milik", "label": "Milik sendiri"}],
        visible_when={"field": "punya_kios", "operator": "eq", "value": "yes"},
    ),
    field("file", "berita_acara", "Berita acara", allowed=["pdf"], max_size_mb=2),
    step("Pengurus"),
    {"type": "info", "value": {"text": "<p>Isi semua pengurus.</p>", "text_en": ""}},
    group(
        "pengurus",
        "Pengurus",
        [
            field("short_text", "nama", "Nama"),
            field("rupiah", "simpanan", "Simpanan pokok"),
        ],
        min_rows=1,
        max_rows=5,
    ),
    calculated("total", "Jumlah simpanan", "sum(pengurus.simpanan)"),
]


@pytest.fixture(autouse=True)
def _fresh_schema_cache():
    # Revision ids are reused between tests (rolled-back transactions): drop cached schemas.
    schema_for_revision.cache_clear()
    yield
    schema_for_revision.cache_clear()


@pytest.fixture
def form(world):
    return publish_form(
        "Pendirian Usaha", FIELDS, audience=["operator"], period_rule=PeriodRule.UNLIMITED
    )


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def step_url(submission, index):
    return reverse("submission_step", kwargs={"pk": submission.pk, "step": index})


def first_step_data(version, **extra):
    return {
        "version": version,
        "action": "next",
        "nama": "Kios sembako",
        "punya_kios": "no",
        **extra,
    }


def group_data(version, rows, total=None):
    data = {
        "version": version,
        "action": "next",
        "pengurus-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "pengurus-INITIAL_FORMS": "0",
        "pengurus-MIN_NUM_FORMS": "1",
        "pengurus-MAX_NUM_FORMS": "5",
    }
    for i, (name, amount) in enumerate(rows):
        data[f"pengurus-{i}-nama"] = name
        data[f"pengurus-{i}-simpanan"] = amount
    return data


def start(form, world, key="key-1"):
    return submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key=key
    )


def with_first_step(form, world):
    draft = start(form, world)
    return submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={"nama": "Kios", "punya_kios": False, "jenis_kios": None},
        files={"berita_acara": SimpleUploadedFile("ba.pdf", PDF, "application/pdf")},
    )


def sent_submission(form, world):
    from forms.services import submission_submit

    draft = with_first_step(form, world)
    draft = submission_save_step(
        submission=draft,
        by=world.alice,
        step=1,
        answers={"pengurus": [{"nama": "Siti", "simpanan": 100000}]},
    )
    return submission_submit(submission=draft, by=world.alice)


def test_happy_path_from_start_to_a_numbered_submission(alice, form, world):
    page = alice.get(form.url)
    assert page.status_code == 200
    key = re.search(rb'name="idempotency_key" value="([0-9a-f]{32})"', page.content).group(1)
    assert b'name="cooperative"' not in page.content  # one cooperative: nothing to choose

    response = alice.post(form.url, {"idempotency_key": key.decode()})
    draft = Submission.objects.get()
    assert response.status_code == 302 and response.url == step_url(draft, 0)
    assert draft.cooperative == world.coop_a and draft.author == world.alice

    step_page = alice.get(step_url(draft, 0))
    assert step_page.status_code == 200
    assert b'aria-current="step"' in step_page.content

    upload = SimpleUploadedFile("berita-acara.pdf", PDF, content_type="application/pdf")
    response = alice.post(step_url(draft, 0), first_step_data(1, berita_acara=upload))
    assert response.status_code == 302 and response.url == step_url(draft, 1)

    # "Add a row" shows one more row and keeps what was typed; nothing is saved.
    response = alice.post(
        step_url(draft, 1), {**group_data(2, [("Siti", "100.000")]), "add_row": "pengurus"}
    )
    assert response.status_code == 200
    assert b'name="pengurus-1-nama"' in response.content
    assert b'value="Siti"' in response.content
    assert b"error-summary" not in response.content
    assert Submission.objects.get().version == 2

    response = alice.post(
        step_url(draft, 1),
        group_data(2, [("Siti", "100.000"), ("Budi", "Rp 50.000")]),
    )
    review_url = reverse("submission_review", kwargs={"pk": draft.pk})
    assert response.status_code == 302 and response.url == review_url

    review = alice.get(review_url)
    assert review.status_code == 200
    assert b"Kios sembako" in review.content and b"Budi" in review.content
    assert b"Rp 150.000" in review.content  # calculated on the server
    stored = SubmissionFile.objects.get()
    assert reverse("submission_file", args=[draft.pk, stored.pk]).encode() in review.content

    response = alice.post(review_url, {"version": 3})
    sent = Submission.objects.get()
    assert sent.status == SubmissionStatus.SUBMITTED and sent.reference
    assert response.status_code == 302
    assert response.url == reverse("submission_detail", kwargs={"pk": sent.pk})
    assert sent.data["pengurus"] == [
        {"nama": "Siti", "simpanan": 100000},
        {"nama": "Budi", "simpanan": 50000},
    ]
    assert sent.data["total"] == 150000

    detail = alice.get(response.url)
    assert detail.status_code == 200
    assert sent.reference.encode() in detail.content
    # The success message carries the reference too.
    messages = [str(m) for m in detail.context["messages"]]
    assert any(sent.reference in m for m in messages)


def test_starting_twice_with_the_same_key_makes_one_draft(alice, form):
    for _attempt in range(2):
        response = alice.post(form.url, {"idempotency_key": "a" * 32})
        assert response.status_code == 302
    assert Submission.objects.count() == 1


def test_a_user_who_may_fill_for_no_cooperative_is_told_so(client, form, world):
    client.force_login(world.ivan)
    page = client.get(form.url)
    assert page.status_code == 200
    assert b'name="idempotency_key"' not in page.content
    assert b'class="empty"' in page.content
    assert client.post(form.url, {"idempotency_key": "b" * 32}).status_code == 403
    assert not Submission.objects.exists()


def test_the_start_page_lists_own_drafts_with_a_continue_link(alice, form, world):
    draft = start(form, world)
    page = alice.get(form.url)
    assert step_url(draft, 0).encode() in page.content


def test_a_hidden_conditional_field_is_not_stored(alice, form, world):
    draft = start(form, world)
    upload = SimpleUploadedFile("ba.pdf", PDF, content_type="application/pdf")
    response = alice.post(
        step_url(draft, 0), first_step_data(1, jenis_kios="sewa", berita_acara=upload)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["punya_kios"] is False
    assert draft.data.get("jenis_kios") is None


def test_a_validation_error_shows_the_summary_with_links_to_the_fields(alice, form, world):
    draft = start(form, world)
    response = alice.post(step_url(draft, 0), {"version": 1, "action": "next", "nama": ""})
    assert response.status_code == 200
    assert b'class="error-summary"' in response.content
    assert b'href="#id_nama"' in response.content
    assert b'href="#id_berita_acara"' in response.content
    draft.refresh_from_db()
    assert draft.version == 1 and draft.data == {}


def test_a_stale_version_is_refused_and_the_first_save_kept(alice, form, world):
    draft = with_first_step(form, world)  # version 2 now
    first = alice.post(step_url(draft, 1), group_data(2, [("Siti", "100.000")]))
    assert first.status_code == 302
    stale = alice.post(step_url(draft, 1), group_data(2, [("Budi", "5.000")]))
    assert stale.status_code == 409
    draft.refresh_from_db()
    assert draft.data["pengurus"] == [{"nama": "Siti", "simpanan": 100000}]


def test_back_saves_and_returns_to_the_previous_step(alice, form, world):
    draft = with_first_step(form, world)
    data = {**group_data(2, [("Siti", "1.000")]), "action": "back"}
    response = alice.post(step_url(draft, 1), data)
    assert response.status_code == 302 and response.url == step_url(draft, 0)
    draft.refresh_from_db()
    assert draft.data["pengurus"] == [{"nama": "Siti", "simpanan": 1000}]


def test_a_step_out_of_range_is_not_found(alice, form, world):
    draft = start(form, world)
    assert alice.get(step_url(draft, 2)).status_code == 404


def test_review_refuses_an_incomplete_submission(alice, form, world):
    draft = with_first_step(form, world)
    response = alice.post(reverse("submission_review", args=[draft.pk]), {"version": 2})
    assert response.status_code == 400
    assert step_url(draft, 1).encode() in response.content  # the problem links to its step
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT


def test_another_cooperative_operator_gets_404_everywhere(client, form, world):
    draft = with_first_step(form, world)
    stored = draft.files.get()
    client.force_login(world.carol)
    for url in (
        step_url(draft, 0),
        reverse("submission_review", args=[draft.pk]),
        reverse("submission_detail", args=[draft.pk]),
        reverse("submission_file", args=[draft.pk, stored.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(step_url(draft, 0), first_step_data(2)).status_code == 404


def test_officer_in_scope_reads_but_cannot_edit(client, form, world):
    sent = sent_submission(form, world)
    stored = sent.files.get()
    client.force_login(world.dave)
    detail = client.get(reverse("submission_detail", args=[sent.pk]))
    assert detail.status_code == 200 and sent.reference.encode() in detail.content
    assert client.get(reverse("submission_file", args=[sent.pk, stored.pk])).status_code == 200
    assert client.get(step_url(sent, 0)).status_code == 404
    assert client.get(reverse("submission_review", args=[sent.pk])).status_code == 404
    listing = client.get(reverse("submission_list", args=[form.pk]))
    assert listing.status_code == 200 and sent.reference.encode() in listing.content


def test_a_user_without_roles_gets_404(client, form, world):
    sent = sent_submission(form, world)
    client.force_login(world.ivan)
    assert client.get(reverse("submission_detail", args=[sent.pk])).status_code == 404
    stored = sent.files.get()
    assert client.get(reverse("submission_file", args=[sent.pk, stored.pk])).status_code == 404
    listing = client.get(reverse("submission_list", args=[form.pk]))
    assert sent.reference.encode() not in listing.content


def test_officers_do_not_see_other_peoples_drafts(client, form, world):
    draft = with_first_step(form, world)
    client.force_login(world.dave)
    assert client.get(reverse("submission_detail", args=[draft.pk])).status_code == 404
    listing = client.get(reverse("submission_list", args=[form.pk]))
    assert listing.context["page_obj"].paginator.count == 0


def test_the_file_is_sent_as_an_attachment(alice, form, world):
    draft = with_first_step(form, world)
    stored = draft.files.get()
    response = alice.get(reverse("submission_file", args=[draft.pk, stored.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_the_step_page_has_no_inline_style_or_script(alice, form, world):
    draft = with_first_step(form, world)
    for index in (0, 1):
        html = alice.get(step_url(draft, index)).content.decode()
        # Scripts only from files of the app (the CSP allows nothing inline).
        assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=", html, re.IGNORECASE)
    assert "ba.pdf" in alice.get(step_url(draft, 0)).content.decode()


def test_form_list_links_the_forms_a_user_may_fill(client, form, world):
    client.force_login(world.alice)
    assert form.url.encode() in client.get(reverse("form_list")).content
    client.force_login(world.carol)  # an operator too, of coop_c: may fill for it
    assert form.url.encode() in client.get(reverse("form_list")).content
    client.force_login(world.ivan)
    assert form.url.encode() not in client.get(reverse("form_list")).content
    client.force_login(world.frank)
    listing = client.get(reverse("form_list")).content
    assert reverse("submission_list", args=[form.pk]).encode() in listing


def test_submission_list_filters_by_reference_and_status(alice, form, world):
    sent = sent_submission(form, world)
    url = reverse("submission_list", args=[form.pk])
    assert alice.get(url, {"q": sent.reference}).context["page_obj"].paginator.count == 1
    assert alice.get(url, {"q": "XXX"}).context["page_obj"].paginator.count == 0
    assert alice.get(url, {"status": "draft"}).context["page_obj"].paginator.count == 0
    assert alice.get(url, {"cooperative": "Bukit"}).context["page_obj"].paginator.count == 1
