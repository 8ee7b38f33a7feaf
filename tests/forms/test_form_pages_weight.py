"""The form pages are light, local and CSP-clean like the rest of the portal, and a step that
comes back with errors takes the focus to its error summary."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

from forms.defaults import ensure_core_forms
from forms.enums import PeriodRule
from forms.services import (
    schema_for_revision,
    submission_save_step,
    submission_start,
    submission_submit,
)
from tests.forms.builders import field, publish_form, step
from tests.forms.test_defaults import balanced_report
from tests.website.test_portal import PAGE_BUDGET_BYTES, assert_csp_clean, html, page_weight

SCRIPT = "forms/steps.js"
SCRIPT_BUDGET_BYTES = 6_000


def sent_financial_report(world, form):
    """A complete monthly report of coop_a, saved step by step, ready to send."""
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="report"
    )
    schema = schema_for_revision(draft.revision_id)
    answers = balanced_report()
    for index, current in enumerate(schema.steps):
        codes = {spec.code for spec in current.fields}
        draft = submission_save_step(
            submission=draft,
            by=world.alice,
            step=index,
            answers={code: value for code, value in answers.items() if code in codes},
        )
    return draft


def many_submissions(world, count):
    form = publish_form(
        "Catatan Kegiatan",
        [field("short_text", "kegiatan", "Kegiatan")],
        audience=["operator"],
        period_rule=PeriodRule.UNLIMITED,
    )
    for number in range(count):
        draft = submission_start(
            form_page=form,
            cooperative=world.coop_a,
            author=world.alice,
            idempotency_key=f"k{number}",
        )
        draft = submission_save_step(
            submission=draft, by=world.alice, step=0, answers={"kegiatan": f"Rapat {number}"}
        )
        submission_submit(submission=draft, by=world.alice)
    return form


def weigh(client, user, url, *, method="get", data=None, status=200):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    assert response.status_code == status, url
    assert_csp_clean(html(response))
    return page_weight(response), response


def test_form_pages_stay_within_the_page_budget_and_csp_clean(world, client):
    core = {page.slug: page for page in ensure_core_forms()}
    report_form = core["laporan-keuangan-bulanan"]
    listed = many_submissions(world, 30)
    weights: dict[str, int] = {}
    steps_with_errors = 0

    weights["form list (operator)"], _ = weigh(client, world.alice, reverse("form_list"))
    weights["form list (province)"], _ = weigh(client, world.frank, reverse("form_list"))
    for slug, page in core.items():
        weights[f"start {slug}"], _ = weigh(client, world.alice, page.url)

    # Every step of every core form, sent back empty: the most errors a step can show.
    for slug, page in core.items():
        draft = submission_start(
            form_page=page, cooperative=world.coop_a, author=world.alice, idempotency_key=slug
        )
        for index in range(len(schema_for_revision(draft.revision_id).steps)):
            url = reverse("submission_step", args=[draft.pk, index])
            weights[f"step {slug} {index}"], _ = weigh(client, world.alice, url)
            weight, response = weigh(
                client, world.alice, url, method="post", data={"version": 1, "action": "next"}
            )
            if response.context["errors"]:
                steps_with_errors += 1
                assert 'id="errors" autofocus' in html(response)
            weights[f"step {slug} {index} with errors"] = weight

    report = sent_financial_report(world, report_form)
    review = reverse("submission_review", args=[report.pk])
    weights["review"], _ = weigh(client, world.alice, review)
    sent = submission_submit(submission=report, by=world.alice)
    detail = reverse("submission_detail", args=[sent.pk])
    weights["detail (author)"], _ = weigh(client, world.alice, detail)
    weights["detail (district officer)"], _ = weigh(client, world.dave, detail)
    weights["submission list, full page"], response = weigh(
        client, world.frank, reverse("submission_list", args=[listed.pk])
    )
    assert len(response.context["page_obj"].object_list) == 25

    assert steps_with_errors >= 12  # most steps have a required answer
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] < PAGE_BUDGET_BYTES, f"{heaviest}: {weights[heaviest]} bytes"


def test_the_step_script_is_small_and_served_by_the_app(world, client):
    found = finders.find(SCRIPT)
    assert found, "the step script must be a static file of the app"
    assert Path(found).stat().st_size < SCRIPT_BUDGET_BYTES
    form = publish_form("Satu Langkah", [field("short_text", "nama", "Nama")])
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="one"
    )
    client.force_login(world.alice)
    page = html(client.get(reverse("submission_step", args=[draft.pk, 0])))
    assert re.search(r'<script src="/static/forms/steps\.js" defer></script>', page)


CONDITIONAL = [
    step("Usaha"),
    field("yes_no", "punya_kios", "Sudah punya kios?"),
    field(
        "rupiah",
        "sewa",
        "Sewa per bulan",
        visible_when={"field": "punya_kios", "operator": "eq", "value": "yes"},
    ),
    field(
        "short_text",
        "pemilik",
        "Nama pemilik kios",
        visible_when={"field": "sewa", "operator": "gte", "value": "1.000.000"},
    ),
    field("phone", "telepon", "Telepon", required=False),
    field(
        "short_text",
        "jam_telepon",
        "Jam bisa ditelepon",
        required=False,
        visible_when={"field": "telepon", "operator": "filled", "value": ""},
    ),
    field(
        "short_text",
        "kode_telepon",
        "Kode wilayah",
        required=False,
        visible_when={"field": "telepon", "operator": "eq", "value": "+62541"},
    ),
    step("Lain-lain"),
    field(
        "short_text",
        "catatan_kios",
        "Catatan kios",
        visible_when={"field": "punya_kios", "operator": "eq", "value": "yes"},
    ),
]


def test_same_step_conditions_are_written_for_the_browser_to_mirror(world, client):
    form = publish_form("Usaha Desa", CONDITIONAL)
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="when"
    )
    client.force_login(world.alice)
    page = html(client.get(reverse("submission_step", args=[draft.pk, 0])))

    def wrapper(code):
        return re.search(rf'<(?:div|fieldset) class="field" id="field-{code}"([^>]*)>', page)[1]

    assert wrapper("punya_kios") == ""  # unconditional
    assert wrapper("sewa") == (
        ' data-when="punya_kios" data-when-op="eq" data-when-value="yes" data-when-kind="bool"'
    )
    assert 'data-when="sewa" data-when-op="gte" data-when-value="1.000.000"' in wrapper("pemilik")
    assert 'data-when-kind="number"' in wrapper("pemilik")
    # A phone number is normalized by the server (+62…): the browser may only ask "filled?".
    assert 'data-when="telepon" data-when-op="filled"' in wrapper("jam_telepon")
    assert wrapper("kode_telepon") == ""
    # Without the script every field of the step is there, each conditional one with its note.
    for code in ("sewa", "pemilik", "jam_telepon", "kode_telepon"):
        assert f'id="field-{code}"' in page
    assert not re.search(r"\shidden(?=[\s>])", page)

    # A condition on an earlier step is decided by the server alone: nothing to mirror.
    submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={"punya_kios": True, "sewa": 500_000, "pemilik": None},
    )
    later = html(client.get(reverse("submission_step", args=[draft.pk, 1])))
    assert 'id="field-catatan_kios"' in later
    assert "data-when" not in later


def test_only_a_step_with_errors_asks_for_the_focus(world, client):
    form = publish_form("Satu Isian", [field("short_text", "nama", "Nama")])
    draft = submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="focus"
    )
    client.force_login(world.alice)
    url = reverse("submission_step", args=[draft.pk, 0])
    assert "autofocus" not in html(client.get(url))
    response = client.post(url, {"version": 1, "action": "next", "nama": ""})
    assert response.status_code == 200
    page = html(response)
    assert re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" id="errors" autofocus>', page
    )
    assert page.count("autofocus") == 1
