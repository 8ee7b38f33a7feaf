"""Issue 3 end to end in a real browser: an admin builds a two-step form in the Wagtail admin
(a condition, a repeating group, a file) and publishes it; an operator fills it on a 360 px
phone, signs out half-way, resumes the draft, fixes an error shown in Indonesian, uploads a PDF
and sends it; an officer in scope reads it and an operator of another regency gets 404."""

import re

import pytest
from django.utils import timezone, translation

from forms.blocks import FileBlock, GroupBlock, RupiahBlock, ShortTextBlock, StepBlock, YesNoBlock
from forms.demo import ensure_form_index
from forms.enums import SubmissionStatus
from forms.models import KopdesFormPage, Submission
from tests.e2e.conftest import PHONE, assert_fits_the_phone, sign_in, sign_out
from tests.factories import PASSWORD
from tests.forms.builders import field, publish_form

pytestmark = pytest.mark.e2e

TITLE = "Pendataan Kios Desa"
REQUIRED = "Kolom ini harus diisi."  # "This field is required." in the portal's Indonesian


def block_label(block_class) -> str:
    """The block's name as the admin (in Indonesian) lists it in the block chooser."""
    with translation.override("id"):
        return str(block_class().meta.label)


# --- the Wagtail admin --------------------------------------------------------------------------


def add_block(page, stream: str, block_class) -> str:
    """Append a block to the StreamField (or nested stream) named `stream` through the "+"
    chooser, as an admin does; returns the new block's form prefix."""
    count = page.locator(f"input[name='{stream}-count']")
    number = int(count.input_value())
    count.locator("xpath=..").locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name=block_label(block_class), exact=True).click()
    prefix = f"{stream}-{number}"
    page.locator(f"input[name='{prefix}-type']").wait_for(state="attached")
    return prefix


def fill_field_block(page, prefix: str, code: str, label: str, *, required: bool = True) -> None:
    page.locator(f"#{prefix}-value-code").fill(code)
    page.locator(f"#{prefix}-value-label").fill(label)
    required_box = page.locator(f"#{prefix}-value-required")
    if required:
        required_box.check()
    else:
        required_box.uncheck()


def admin_builds_and_publishes_the_form(browser, base_url: str, shot) -> KopdesFormPage:
    index = ensure_form_index()
    # grace is a form administrator of the province: no superuser, only the group's admin
    # access and its page permissions on the form index.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base_url, "grace", PASSWORD)
        page.goto(f"{base_url}/admin/pages/{index.pk}/")
        shot(page, "forms-01-admin-form-index")
        page.locator(f"a[href='/admin/pages/{index.pk}/add_subpage/']").first.click()
        page.wait_for_load_state()
        # The form index allows one page type only: Wagtail opens its editor straight away.
        assert "/admin/pages/add/kopdes_forms/kopdesformpage/" in page.url

        page.locator("#id_title").fill(TITLE)
        page.locator("#id_reference_prefix").fill("KOP")

        first_step = add_block(page, "fields", StepBlock)
        page.locator(f"#{first_step}-value-title").fill("Data usaha")
        name = add_block(page, "fields", ShortTextBlock)
        fill_field_block(page, name, "nama_usaha", "Nama usaha")
        has_kiosk = add_block(page, "fields", YesNoBlock)
        fill_field_block(page, has_kiosk, "punya_kios", "Sudah punya kios?")
        rent = add_block(page, "fields", RupiahBlock)
        fill_field_block(page, rent, "sewa_kios", "Sewa kios per bulan")
        page.locator(f"#{rent}-value-visible_when-field").fill("punya_kios")
        page.locator(f"#{rent}-value-visible_when-operator").select_option("eq")
        page.locator(f"#{rent}-value-visible_when-value").fill("yes")
        page.locator(f"#{rent}-value-label").scroll_into_view_if_needed()
        shot(page, "forms-02-admin-condition")

        second_step = add_block(page, "fields", StepBlock)
        page.locator(f"#{second_step}-value-title").fill("Pengurus dan berkas")
        board = add_block(page, "fields", GroupBlock)
        fill_field_block(page, board, "pengurus", "Pengurus")
        page.locator(f"#{board}-value-min_rows").fill("1")
        page.locator(f"#{board}-value-max_rows").fill("5")
        member_name = add_block(page, f"{board}-value-fields", ShortTextBlock)
        fill_field_block(page, member_name, "nama", "Nama pengurus")
        minutes = add_block(page, "fields", FileBlock)
        fill_field_block(page, minutes, "berita_acara", "Berita acara musyawarah")
        shot(page, "forms-03-admin-group-and-file")

        page.locator(".w-dropdown--dropdown-button .w-dropdown__toggle").click()
        page.locator("button[name='action-publish']").click()
        page.wait_for_load_state()
        shot(page, "forms-04-admin-published")
        assert f"/admin/pages/{index.pk}/" in page.url, page.url
    finally:
        context.close()

    form = KopdesFormPage.objects.get(title=TITLE)
    assert form.live and form.get_parent().pk == index.pk
    assert [child.block_type for child in form.fields] == [
        "step",
        "short_text",
        "yes_no",
        "rupiah",
        "step",
        "group",
        "file",
    ]
    rent_block = form.fields[3].value
    assert dict(rent_block["visible_when"]) == {
        "field": "punya_kios",
        "operator": "eq",
        "value": "yes",
    }
    assert [c.value["code"] for c in form.fields[5].value["fields"]] == ["nama"]
    return form


# --- the portal on a phone ----------------------------------------------------------------------


def test_admin_builds_a_form_and_an_operator_fills_it_on_a_phone(
    world, page_tree, live_server, browser, phone, shot, tmp_path
):
    base = live_server.url
    form = admin_builds_and_publishes_the_form(browser, base, shot)

    # Alice (operator of coop_a) finds the form and starts it.
    sign_in(phone, base, "alice", PASSWORD)
    phone.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Formulir").click()
    phone.wait_for_load_state()
    card = phone.locator(".card").filter(has_text=TITLE)
    shot(phone, "forms-05-operator-form-list")
    card.get_by_role("link", name="Isi", exact=True).click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="Mulai isian baru").click()
    phone.wait_for_load_state()
    draft = Submission.objects.get(form_page=form)
    assert phone.url.endswith(f"/isian/{draft.pk}/langkah/0/")

    # Step 1: the rent appears only for "Ya", live, as the server will decide.
    assert_fits_the_phone(phone)
    rent = phone.locator("#field-sewa_kios")
    assert rent.is_hidden()
    phone.get_by_label("Nama usaha").fill("Kios Sembako Bukit Raya")
    phone.get_by_label("Ya", exact=True).check()
    assert rent.is_visible()
    phone.get_by_label("Tidak", exact=True).check()
    assert rent.is_hidden()
    phone.get_by_label("Ya", exact=True).check()
    phone.get_by_label("Sewa kios per bulan").fill("1.500.000")
    shot(phone, "forms-06-operator-step-1")
    phone.get_by_role("button", name="Simpan dan lanjut").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{draft.pk}/langkah/1/")
    draft.refresh_from_db()
    assert draft.data["sewa_kios"] == 1_500_000 and draft.current_step == 1

    # Half-way she signs out; the draft waits for her.
    sign_out(phone)
    sign_in(phone, base, "alice", PASSWORD)
    phone.goto(f"{base}/formulir/")
    phone.locator(".card").filter(has_text=TITLE).get_by_role("link", name="Isian").click()
    phone.wait_for_load_state()
    shot(phone, "forms-07-operator-finds-the-draft")
    phone.get_by_role("link", name=f"Draf #{draft.pk}").click()
    phone.wait_for_load_state()
    phone.get_by_role("link", name="Lanjutkan mengisi").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{draft.pk}/langkah/1/")
    assert_fits_the_phone(phone)

    # Saving the empty step: the errors are listed in Indonesian, beside each field and in a
    # summary that takes the focus.
    phone.get_by_role("button", name="Simpan dan periksa").click()
    phone.wait_for_load_state()
    summary = phone.locator("#errors")
    assert summary.is_visible()
    assert phone.evaluate("document.activeElement.id") == "errors"
    assert "Mohon perbaiki jawaban berikut" in summary.inner_text()
    assert f"Berita acara musyawarah: {REQUIRED}" in summary.inner_text()
    assert f"Pengurus, baris 1, Nama pengurus: {REQUIRED}" in summary.inner_text()
    assert REQUIRED in phone.locator("#field-berita_acara .errorlist").inner_text()
    assert REQUIRED in phone.locator("#group-pengurus td .errorlist").inner_text()
    assert "Pengurus: Isi paling sedikit 1 baris." in summary.inner_text()
    assert_fits_the_phone(phone)
    shot(phone, "forms-08-operator-errors")
    # A link of the summary takes her to the field itself.
    summary.get_by_role("link", name=re.compile("Berita acara musyawarah")).click()
    assert phone.evaluate("document.activeElement.id") == "id_berita_acara"

    # She fixes it: two board members (one row added) and the minutes as a PDF.
    phone.get_by_label("Nama pengurus, baris 1").fill("Siti Aminah")
    phone.get_by_role("button", name="Tambah baris").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("#group-pengurus")
    phone.get_by_label("Nama pengurus, baris 2").fill("Budi Santoso")
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    phone.locator("#id_berita_acara").set_input_files(str(minutes))
    assert_fits_the_phone(phone)
    shot(phone, "forms-09-operator-step-2-fixed")
    phone.get_by_role("button", name="Simpan dan periksa").click()
    phone.wait_for_load_state()
    assert phone.url.endswith(f"/isian/{draft.pk}/periksa/")

    review = phone.locator("main").inner_text()
    for answer in ("Kios Sembako Bukit Raya", "Rp 1.500.000", "Siti Aminah", "Budi Santoso"):
        assert answer in review
    assert "berita-acara.pdf" in review
    assert_fits_the_phone(phone)
    shot(phone, "forms-10-operator-review")
    phone.get_by_role("button", name="Kirim formulir").click()
    phone.wait_for_load_state()

    sent = Submission.objects.get(pk=draft.pk)
    assert sent.status == SubmissionStatus.SUBMITTED
    year = timezone.localdate().year
    assert re.fullmatch(rf"KOP-{year}-\d{{6}}", sent.reference)
    assert phone.url.endswith(f"/isian/{sent.pk}/")
    assert sent.reference in phone.locator(".messages").inner_text()
    assert phone.locator(".reference").inner_text() == sent.reference
    assert_fits_the_phone(phone)
    shot(phone, "forms-11-operator-sent")
    sign_out(phone)

    # Dave, district officer of coop_a's kecamatan, finds it in the list and reads it.
    sign_in(phone, base, "dave", PASSWORD)
    phone.goto(f"{base}/formulir/")
    phone.locator(".card").filter(has_text=TITLE).get_by_role("link", name="Isian").click()
    phone.wait_for_load_state()
    assert_fits_the_phone(phone)
    shot(phone, "forms-12-officer-list")
    phone.get_by_role("link", name=sent.reference).click()
    phone.wait_for_load_state()
    detail = phone.locator("main").inner_text()
    assert sent.reference in detail and world.coop_a.name in detail
    assert "Siti Aminah" in detail and "berita-acara.pdf" in detail
    assert phone.get_by_role("link", name="Lanjutkan mengisi").count() == 0
    assert_fits_the_phone(phone)
    shot(phone, "forms-13-officer-detail")
    sign_out(phone)

    # Carol, operator of a cooperative in Berau, gets 404 on the same address.
    sign_in(phone, base, "carol", PASSWORD)
    response = phone.goto(f"{base}/isian/{sent.pk}/")
    assert response.status == 404
    assert sent.reference not in phone.content()
    shot(phone, "forms-14-other-regency-404")


# --- conditions without and with the script -----------------------------------------------------

CONDITIONAL = [
    field("short_text", "nama_kios", "Nama kios"),
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
]


def start_conditional_form(world):
    from forms.services import submission_start

    form = publish_form("Sewa Kios", CONDITIONAL)
    return submission_start(
        form_page=form, cooperative=world.coop_a, author=world.alice, idempotency_key="sewa"
    )


def test_conditions_follow_the_answers_live_even_through_a_chain(
    world, page_tree, live_server, phone
):
    draft = start_conditional_form(world)
    sign_in(phone, live_server.url, "alice", PASSWORD)
    phone.goto(f"{live_server.url}/isian/{draft.pk}/langkah/0/")
    rent, owner = phone.locator("#field-sewa"), phone.locator("#field-pemilik")
    assert rent.is_hidden() and owner.is_hidden()
    phone.get_by_label("Ya", exact=True).check()
    assert rent.is_visible() and owner.is_hidden()
    phone.get_by_label("Sewa per bulan").fill("Rp 1.000.000")
    assert owner.is_visible()
    phone.get_by_label("Sewa per bulan").fill("999.999")
    assert owner.is_hidden()
    phone.get_by_label("Sewa per bulan").fill("2.500.000")
    assert owner.is_visible()
    # Hiding the rent hides what hangs on it, whatever the rent says.
    phone.get_by_label("Tidak", exact=True).check()
    assert rent.is_hidden() and owner.is_hidden()


def test_without_the_script_every_field_shows_and_the_server_decides(
    world, page_tree, live_server, browser, shot
):
    draft = start_conditional_form(world)
    context = browser.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "alice", PASSWORD)
        page.goto(f"{live_server.url}/isian/{draft.pk}/langkah/0/")
        assert page.locator("#field-sewa").is_visible()
        assert page.locator("#field-pemilik").is_visible()
        hint = "Hanya perlu diisi untuk jawaban tertentu pada “Sudah punya kios?”."
        assert hint in page.locator("#field-sewa").inner_text()
        # "Tidak", a rent typed anyway and the name forgotten: the summary takes the focus
        # without any script (autofocus), and the server has dropped the rent it does not need.
        page.get_by_label("Tidak", exact=True).check()
        page.get_by_label("Sewa per bulan").fill("2.000.000")
        page.get_by_role("button", name="Simpan dan periksa").click()
        page.wait_for_load_state()
        assert page.evaluate("document.activeElement.id") == "errors"
        assert "Nama kios: Kolom ini harus diisi." in page.locator("#errors").inner_text()
        assert page.locator("#field-sewa").count() == 0
        assert_fits_the_phone(page)
        shot(page, "forms-15-no-script-errors")
        page.get_by_label("Nama kios").fill("Kios Mawar")
        page.get_by_role("button", name="Simpan dan periksa").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/isian/{draft.pk}/periksa/")
    finally:
        context.close()
    draft.refresh_from_db()
    assert draft.data["punya_kios"] is False and draft.data["nama_kios"] == "Kios Mawar"
    assert draft.data.get("sewa") is None and draft.data.get("pemilik") is None
