"""The monthly report fills itself from the books (issue 7, point 6): opening the Laporan
Keuangan Bulanan for a month pre-fills every figure the books know; a changed figure needs a
reason; the submission keeps both.

The books of coop_a below, Dr / Cr, with every figure of March 2025 worked out by hand:

2024
  O1 30 Jun  Kas 3.000.000 / 4-101 penjualan gerai               (last year's surplus:
  O2 30 Jun  5-101 HPP gerai 1.800.000 / Kas                       3.000.000 − 1.800.000
                                                                   = 1.200.000)
  O3 31 Dec  opening balances: Kas 5.000.000, Bank 40.500.000, 1-204 peralatan 12.000.000 /
             1-209 akumulasi penyusutan 2.000.000, 3-101 pokok 5.000.000, 3-102 wajib
             10.000.000, 2-101 sukarela 8.000.000, 3-201 cadangan 20.000.000, 3-202 hibah
             12.000.000, 3-301 SHU belum dibagi 500.000
2025
  P1  5 Jan  1-131 persediaan gerai 6.000.000 / Bank
  P2 10 Feb  Kas 2.000.000 / 4-101;  P3 10 Feb  5-101 1.500.000 / 1-131
March 2025 (the month reported)
  M1  3 Mar  Kas 300.000 / 3-101 200.000 + 3-102 100.000 (two new members)
  M2  5 Mar  Kas 1.000.000 / 2-101 sukarela
  M3  6 Mar  1-102.01 Bank BRI (a sub-account) 4.000.000 / Kas
  M4 10 Mar  1-110 piutang pinjaman 10.000.000 / Bank
  M5 12 Mar  Bank 15.000.000 / 2-201 utang bank
  M6 15 Mar  Kas 3.500.000 / 4-101;  M7 15 Mar  5-101 2.600.000 / 1-131
  M8 18 Mar  1-132 persediaan apotek 1.200.000 / 2-102 utang usaha
  M9 20 Mar  Kas 900.000 / 4-401 apotek;  M10 20 Mar  5-401 500.000 / 1-132
  M11 25 Mar Kas 150.000 / 4-201 jasa pinjaman
  M12 28 Mar 5-901 gaji 700.000 / Kas;  M13 28 Mar 5-909 lain-lain 100.000 posted for the
             gerai sembako (Line.business_unit) / Kas
  M14 31 Mar 5-905 penyusutan 200.000 / 1-209;  M15 31 Mar 5-903 50.000 / 2-103 utang pajak
  A1  2 Apr  Kas 999.000 / 4-101 (after the month: never counted)

Kas    5.000 + 3.000 − 1.800 + 2.000 + 300 + 1.000 − 4.000 + 3.500 + 900 + 150 − 700 − 100
       = 9.250 thousand
Bank   40.500 − 6.000 + 4.000 − 10.000 + 15.000 = 43.500 thousand (1-102.01 under 1-102)
Stock  1-131 6.000 − 1.500 − 2.600 = 1.900; 1-132 1.200 − 500 = 700; together 2.600 thousand
Fixed  12.000 − 2.000 − 200 = 9.800 thousand
Assets 9.250 + 43.500 + 10.000 + 2.600 + 9.800 = 75.150 thousand
Liabilities  sukarela 9.000 + utang bank 15.000 + lain (1.200 + 50) 1.250 = 25.250 thousand
Equity pokok 5.200 + wajib 10.100 + cadangan (20.000 + 12.000 + 500 + last year 1.200)
       33.700 + SHU 2025 (Feb 500 + March 4.550 − 4.150 = 400) 900 = 49.900 thousand
       → 25.250 + 49.900 = 75.150: the books balance, and so does the report.
Units in March: kantor 0 / 950 (700 + 200 + 50); gerai 3.500 / 2.700 (2.600 + 100);
       simpan pinjam 150 / 0; apotek 900 / 500.
Members: ten joined on 15 Jan 2025, two in March, one in April.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cooperatives.enums import MemberStatus
from cooperatives.services import member_set_status
from finance import chart
from finance.enums import EntrySource
from finance.models import Account
from finance.monthly import last_finished_month, month_books, month_figures
from finance.services import Line, account_create_sub, journal_post
from forms.defaults import ensure_core_forms
from forms.enums import FormPurpose, PeriodRule, SubmissionStatus
from forms.models import Submission
from forms.services import (
    schema_for_revision,
    submission_problems,
    submission_save_step,
    submission_start,
    typed_answers,
)
from tests.factories import MemberFactory
from tests.forms.builders import field, publish_form
from tests.workflows.builders import approval_step, workflow
from workflows.enums import Approver
from workflows.models import ApprovalTaskState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date
MARCH = D(2025, 3, 1)
REPORT = "laporan-keuangan-bulanan"

EXPECTED = {
    "anggota_awal": 10,
    "anggota_masuk": 2,
    "anggota_keluar": 0,
    "simpanan_pokok": 5_200_000,
    "simpanan_wajib": 10_100_000,
    "simpanan_sukarela": 9_000_000,
    "kas": 9_250_000,
    "bank": 43_500_000,
    "pinjaman_beredar": 10_000_000,
    "unit_usaha": [
        {"unit": "kantor", "pendapatan": 0, "beban": 950_000},
        {"unit": "gerai_sembako", "pendapatan": 3_500_000, "beban": 2_700_000},
        {"unit": "simpan_pinjam", "pendapatan": 150_000, "beban": 0},
        {"unit": "apotek", "pendapatan": 900_000, "beban": 500_000},
    ],
    "shu_tahun_berjalan": 900_000,
    "persediaan": 2_600_000,
    "aset_tetap": 9_800_000,
    "utang_bank": 15_000_000,
    "kewajiban_lain": 1_250_000,
    "cadangan": 33_700_000,
}
STEP_OF = {
    "periode": 0,
    "anggota_awal": 0,
    "anggota_masuk": 0,
    "anggota_keluar": 0,
    "simpanan_pokok": 1,
    "simpanan_wajib": 1,
    "simpanan_sukarela": 1,
    "kas": 2,
    "bank": 2,
    "pinjaman_beredar": 2,
    "unit_usaha": 3,
    "shu_tahun_berjalan": 3,
    "persediaan": 4,
    "aset_tetap": 4,
    "utang_bank": 4,
    "kewajiban_lain": 4,
    "cadangan": 4,
    "catatan": 5,
}


def post(cooperative, date, description, *lines, by=None, source=EntrySource.MANUAL):
    return journal_post(
        cooperative=cooperative,
        date=date,
        description=description,
        lines=list(lines),
        source=source,
        by=by,
    )


def books_post(cooperative, by):
    for _ in range(10):
        MemberFactory(cooperative=cooperative, join_date=D(2025, 1, 15))
    for day in (3, 20):
        MemberFactory(cooperative=cooperative, join_date=D(2025, 3, day))
    MemberFactory(cooperative=cooperative, join_date=D(2025, 4, 10))
    bank = Account.objects.get(code=chart.BANK, cooperative__isnull=True)
    bri = account_create_sub(cooperative=cooperative, parent=bank, name="Bank BRI", by=by)
    kas, c = chart.CASH, cooperative
    post(
        c,
        D(2024, 6, 30),
        "Penjualan 2024",
        Line(kas, debit=3_000_000),
        Line("4-101", credit=3_000_000),
    )
    post(c, D(2024, 6, 30), "HPP 2024", Line("5-101", debit=1_800_000), Line(kas, credit=1_800_000))
    post(
        c,
        D(2024, 12, 31),
        "Saldo awal",
        Line(kas, debit=5_000_000),
        Line(chart.BANK, debit=40_500_000),
        Line("1-204", debit=12_000_000),
        Line("1-209", credit=2_000_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=5_000_000),
        Line(chart.COMPULSORY_SAVINGS, credit=10_000_000),
        Line(chart.VOLUNTARY_SAVINGS, credit=8_000_000),
        Line(chart.RESERVE, credit=20_000_000),
        Line("3-202", credit=12_000_000),
        Line(chart.RETAINED_SHU, credit=500_000),
        source=EntrySource.OPENING,
    )
    post(
        c,
        D(2025, 1, 5),
        "Beli barang",
        Line("1-131", debit=6_000_000),
        Line(chart.BANK, credit=6_000_000),
    )
    post(
        c, D(2025, 2, 10), "Penjualan", Line(kas, debit=2_000_000), Line("4-101", credit=2_000_000)
    )
    post(c, D(2025, 2, 10), "HPP", Line("5-101", debit=1_500_000), Line("1-131", credit=1_500_000))
    # March 2025
    post(
        c,
        D(2025, 3, 3),
        "Simpanan anggota baru",
        Line(kas, debit=300_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=200_000),
        Line(chart.COMPULSORY_SAVINGS, credit=100_000),
        source=EntrySource.SAVINGS,
    )
    post(
        c,
        D(2025, 3, 5),
        "Sukarela",
        Line(kas, debit=1_000_000),
        Line(chart.VOLUNTARY_SAVINGS, credit=1_000_000),
    )
    post(c, D(2025, 3, 6), "Setor ke BRI", Line(bri, debit=4_000_000), Line(kas, credit=4_000_000))
    post(
        c,
        D(2025, 3, 10),
        "Pinjaman",
        Line(chart.MEMBER_LOANS, debit=10_000_000),
        Line(chart.BANK, credit=10_000_000),
    )
    post(
        c,
        D(2025, 3, 12),
        "Kredit bank",
        Line(chart.BANK, debit=15_000_000),
        Line(chart.BANK_LOANS, credit=15_000_000),
    )
    post(
        c, D(2025, 3, 15), "Penjualan", Line(kas, debit=3_500_000), Line("4-101", credit=3_500_000)
    )
    post(c, D(2025, 3, 15), "HPP", Line("5-101", debit=2_600_000), Line("1-131", credit=2_600_000))
    post(c, D(2025, 3, 18), "Obat", Line("1-132", debit=1_200_000), Line("2-102", credit=1_200_000))
    post(c, D(2025, 3, 20), "Apotek", Line(kas, debit=900_000), Line("4-401", credit=900_000))
    post(
        c, D(2025, 3, 20), "HPP apotek", Line("5-401", debit=500_000), Line("1-132", credit=500_000)
    )
    post(
        c,
        D(2025, 3, 25),
        "Jasa",
        Line(kas, debit=150_000),
        Line(chart.LOAN_INTEREST, credit=150_000),
    )
    post(c, D(2025, 3, 28), "Gaji", Line("5-901", debit=700_000), Line(kas, credit=700_000))
    post(
        c,
        D(2025, 3, 28),
        "Listrik gerai",
        Line("5-909", debit=100_000, business_unit="gerai_sembako"),
        Line(kas, credit=100_000),
    )
    post(
        c, D(2025, 3, 31), "Penyusutan", Line("5-905", debit=200_000), Line("1-209", credit=200_000)
    )
    post(c, D(2025, 3, 31), "Pajak", Line("5-903", debit=50_000), Line("2-103", credit=50_000))
    post(c, D(2025, 4, 2), "April", Line(kas, debit=999_000), Line("4-101", credit=999_000))


@pytest.fixture(autouse=True)
def _language_kept():
    """The English pages below activate English in this thread: the next test gets back the
    language it would have had."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def books(world):
    books_post(world.coop_a, world.alice)


@pytest.fixture
def core(world):
    pages = {page.slug: page for page in ensure_core_forms()}
    flow = workflow("Verifikasi pengawas", approval_step("Pengawas", Approver.PENGAWAS))
    report = pages[REPORT]
    report.approval_workflow = flow
    report.save(update_fields=["approval_workflow"])
    return pages


def browser(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.cookies["kopdes_language"] = "en"  # the msgids, whatever is translated later
    return client


def step_url(submission, index):
    return reverse("submission_step", kwargs={"pk": submission.pk, "step": index})


def start(client, form, key="report-1"):
    response = client.post(form.url, {"idempotency_key": key})
    assert response.status_code == 302, response.content
    submission = Submission.objects.get(idempotency_key=key)
    assert response["Location"] == step_url(submission, 0)
    return submission


class StepPage(HTMLParser):
    """The fields of a step page's own form, with the values the browser would send."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.data = action, False, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action and "enctype" in attrs
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data[name] = attrs.get("value") or ""
        elif tag == "select":
            self.select = name
            self.data[name] = ""
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.strip("\n")


def step_data(client, submission, index, **changes):
    """What the browser posts for a step as the page shows it, with `changes` on top (a code,
    a table as a list of rows, or code-explanation for a reason)."""
    page = client.get(step_url(submission, index))
    assert page.status_code == 200
    parser = StepPage(step_url(submission, index))
    parser.feed(page.content.decode())
    data = {**parser.data, "action": "next"}
    data.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        if isinstance(value, list):  # a table: its rows replace the page's
            for key in [k for k in data if k.startswith(f"{name}-") and k[len(name) + 1].isdigit()]:
                del data[key]
            data[f"{name}-TOTAL_FORMS"] = str(len(value))
            for number, row in enumerate(value):
                for column, cell in row.items():
                    data[f"{name}-{number}-{column}"] = str(cell)
        else:
            assert name in data, f"{name} is not on step {index}"
            data[name] = str(value)
    return data


def choose_month(client, submission, month):
    submission.refresh_from_db()
    return client.post(
        step_url(submission, 0),
        {"version": submission.version, "action": "prefill", "prefill-key": month},
    )


def save_steps(client, submission, first, last, changes=None):
    for index in range(first, last + 1):
        response = client.post(
            step_url(submission, index),
            step_data(client, submission, index, **(changes or {}).get(index, {})),
        )
        assert response.status_code == 302, response.content.decode()
    return response


# --- The figures -------------------------------------------------------------------------------


def test_month_figures_are_the_hand_computed_books(books, world):
    figures = month_figures(world.coop_a, D(2025, 3, 17))
    assert figures == {**EXPECTED, "aset_lain": 0}


def test_only_codes_the_form_version_has(books, world):
    figures = month_figures(world.coop_a, MARCH, codes=frozenset({"kas", "bank", "unit_usaha"}))
    assert figures == {"kas": 9_250_000, "bank": 43_500_000, "unit_usaha": EXPECTED["unit_usaha"]}


def test_books_that_balance_give_a_report_whose_rules_hold(books, world, core):
    schema = schema_for_revision(core[REPORT].live_revision_id)
    answers = schema.calculate({"periode": "2025-03", **month_figures(world.coop_a, MARCH)})
    assert answers["total_aset"] == 75_150_000
    assert answers["total_kewajiban"] == 25_250_000
    assert answers["total_ekuitas"] == 49_900_000
    assert answers["shu_bulan"] == 400_000  # March alone: 4.550.000 − 4.150.000
    assert answers["anggota_akhir"] == 12
    assert all(rule.expression.evaluate(answers) for rule in schema.rules)


def test_a_month_without_books_knows_nothing(books, world):
    # January 2025 has one entry (P1); December 2024 has the opening balances; May has none.
    assert month_figures(world.coop_a, D(2025, 5, 1)) == {}
    books_of_may = month_books(world.coop_a, D(2025, 5, 1))
    assert len(books_of_may.notes) == 1 and "nothing" in books_of_may.notes[0]
    assert month_figures(world.coop_b, MARCH) == {}


def test_a_member_who_left_makes_the_start_and_leavers_unknown(books, world):
    before = world.coop_a.members.filter(join_date__lt=MARCH).first()
    member_set_status(member=before, status=MemberStatus.RESIGNED)
    with translation.override("en"):
        books_of_march = month_books(world.coop_a, MARCH)
    figures = books_of_march.figures
    assert figures["anggota_masuk"] == 2
    assert "anggota_awal" not in figures and "anggota_keluar" not in figures
    assert any("does not record the day a member left" in note for note in books_of_march.notes)


def test_a_member_who_joined_in_the_month_and_left_leaves_only_the_leavers_unknown(books, world):
    newcomer = world.coop_a.members.filter(join_date__month=3, join_date__year=2025).first()
    member_set_status(member=newcomer, status=MemberStatus.DECEASED)
    figures = month_figures(world.coop_a, MARCH)
    assert (figures["anggota_awal"], figures["anggota_masuk"]) == (10, 2)
    assert "anggota_keluar" not in figures


def test_assets_the_form_has_no_line_for_are_named_in_a_note(books, world, core):
    post(
        world.coop_a,
        D(2025, 3, 30),
        "Piutang",
        Line("1-120", debit=400_000),
        Line("4-101", credit=400_000),
    )
    schema = schema_for_revision(core[REPORT].live_revision_id)
    codes = frozenset(spec.code for spec in schema.fields if spec.is_input)
    with translation.override("en"):
        books_of_march = month_books(world.coop_a, MARCH, codes=codes)
    assert "aset_lain" not in books_of_march.figures
    assert any("Rp 400.000" in note and "no line" in note for note in books_of_march.notes)
    answers = schema.calculate({"periode": "2025-03", **books_of_march.figures})
    assert answers["total_aset"] + 400_000 == answers["total_kewajiban"] + answers["total_ekuitas"]


def test_last_finished_month():
    today = timezone.localdate()
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    assert last_finished_month() == f"{previous.year:04d}-{previous.month:02d}"


# --- Filling it in on the portal ----------------------------------------------------------------


def march_report(world, core):
    """alice's report of coop_a, started on the portal and turned to March 2025."""
    alice = browser(world.alice)
    draft = start(alice, core[REPORT])
    response = choose_month(alice, draft, "2025-03")
    assert response.status_code == 302 and response["Location"] == step_url(draft, 0)
    draft.refresh_from_db()
    return alice, draft


def test_opening_the_report_for_a_month_prefills_every_figure_the_books_know(books, world, core):
    alice = browser(world.alice)
    draft = start(alice, core[REPORT])
    # A report started today is for the last finished month, which these books do not reach.
    assert draft.data == {"periode": last_finished_month()}
    assert draft.prefilled == {}
    page = alice.get(step_url(draft, 0)).content.decode()
    assert "have nothing for" in page

    alice, draft = march_report(world, core)

    assert draft.prefilled == EXPECTED
    assert draft.data == {"periode": "2025-03", **EXPECTED}
    assert draft.explanations == {}
    first = alice.get(step_url(draft, 0)).content.decode()
    assert "Figures from the books for March 2025 are filled in" in first
    assert re.search(r'name="anggota_awal"[^>]*value="10"', first)
    cash = alice.get(step_url(draft, 2)).content.decode()
    assert re.search(r'name="kas"[^>]*value="9.250.000"', cash)
    assert "From the books: Rp 9.250.000" in cash
    assert "From the books: Rp 43.500.000" in cash
    assert 'name="kas-explanation"' in cash
    units = alice.get(step_url(draft, 3)).content.decode()
    assert 'name="unit_usaha-1-pendapatan"' in units and 'value="3.500.000"' in units
    assert "Rp 3.500.000" in units and "Rp 2.700.000" in units  # the books' own table
    assert 'name="unit_usaha-explanation"' in units


def test_untouched_figures_go_through_to_review_with_the_balance_rule_holding(books, world, core):
    alice, draft = march_report(world, core)
    save_steps(alice, draft, 0, 5)
    draft.refresh_from_db()
    assert submission_problems(draft) == []
    review = alice.get(reverse("submission_review", kwargs={"pk": draft.pk})).content.decode()
    assert "Differs from the books" not in review


# An unrecorded purchase of office supplies, paid in cash: kas and the surplus are 250.000
# lower, the office's expenses 250.000 higher. Reported with reasons, the report still balances.
CORRECTIONS = {
    2: {"kas": 9_000_000, "kas-explanation": "ATK Rp 250.000 dibayar tunai, belum dicatat."},
    3: {
        "unit_usaha": [
            {"unit": "kantor", "pendapatan": 0, "beban": 1_200_000},
            *EXPECTED["unit_usaha"][1:],
        ],
        "unit_usaha-explanation": "Beban kantor termasuk ATK Rp 250.000 yang belum dicatat.",
        "shu_tahun_berjalan": 650_000,
        "shu_tahun_berjalan-explanation": "Dikurangi ATK Rp 250.000.",
    },
}


def test_a_changed_figure_needs_a_reason_and_the_submission_keeps_both(books, world, core):
    alice, draft = march_report(world, core)
    save_steps(alice, draft, 0, 1)

    refused = alice.post(step_url(draft, 2), step_data(alice, draft, 2, kas=9_000_000))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "“Cash in hand”: the books show Rp 9.250.000 but the answer is Rp 9.000.000" in page
    draft.refresh_from_db()
    assert draft.data["kas"] == 9_250_000  # nothing was saved

    save_steps(alice, draft, 2, 5, CORRECTIONS)

    draft.refresh_from_db()
    assert draft.data["kas"] == 9_000_000 and draft.prefilled["kas"] == 9_250_000
    assert draft.data["shu_tahun_berjalan"] == 650_000
    assert draft.prefilled["shu_tahun_berjalan"] == 900_000
    assert draft.prefilled["unit_usaha"] == EXPECTED["unit_usaha"]
    assert draft.explanations == {
        "kas": "ATK Rp 250.000 dibayar tunai, belum dicatat.",
        "unit_usaha": "Beban kantor termasuk ATK Rp 250.000 yang belum dicatat.",
        "shu_tahun_berjalan": "Dikurangi ATK Rp 250.000.",
    }
    review = alice.get(reverse("submission_review", kwargs={"pk": draft.pk})).content.decode()
    assert "Rp 9.250.000 in the books, Rp 9.000.000 reported" in review
    assert "Rp 950.000 in the books, Rp 1.200.000 reported" in review
    assert "ATK Rp 250.000 dibayar tunai, belum dicatat." in review

    sent = alice.post(
        reverse("submission_review", kwargs={"pk": draft.pk}), {"version": draft.version}
    )
    assert sent.status_code == 302, sent.content.decode()
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.IN_REVIEW and draft.reference.startswith("LKB-")
    assert draft.prefilled["kas"] == 9_250_000 and draft.data["kas"] == 9_000_000
    assert draft.explanations["kas"] == "ATK Rp 250.000 dibayar tunai, belum dicatat."
    assert typed_answers(draft)["total_aset"] == 74_900_000

    # The pengawas deciding it sees both values and the reason.
    task = ApprovalTaskState.objects.get(submission=draft)
    bob = browser(world.bob)
    decided_on = bob.get(reverse("task_detail", kwargs={"pk": task.pk})).content.decode()
    assert "Rp 9.250.000 in the books, Rp 9.000.000 reported" in decided_on
    assert "ATK Rp 250.000 dibayar tunai, belum dicatat." in decided_on
    detail = bob.get(reverse("submission_detail", kwargs={"pk": draft.pk})).content.decode()
    assert "Dikurangi ATK Rp 250.000." in detail

    # And the API shows both.
    api = APIClient()
    api.force_authenticate(world.bob)
    data = api.get(reverse("api-submission-detail", args=[draft.pk])).json()
    assert data["answers"]["kas"] == 9_000_000 and data["prefilled"]["kas"] == 9_250_000
    assert data["explanations"]["kas"] == "ATK Rp 250.000 dibayar tunai, belum dicatat."


def test_a_row_changed_without_a_reason_is_refused_naming_the_unit(books, world, core):
    alice, draft = march_report(world, core)
    save_steps(alice, draft, 0, 2)
    rows = [dict(row) for row in EXPECTED["unit_usaha"]]
    rows[1]["pendapatan"] = 3_400_000
    refused = alice.post(step_url(draft, 3), step_data(alice, draft, 3, unit_usaha=rows))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Grocery store, Income this month: Rp 3.500.000 in the books, Rp 3.400.000" in page
    # Leaving a unit out is a change too.
    refused = alice.post(
        step_url(draft, 3), step_data(alice, draft, 3, unit_usaha=EXPECTED["unit_usaha"][:3])
    )
    assert refused.status_code == 200
    assert "Village pharmacy, Income this month: Rp 900.000 in the books, Rp 0" in (
        refused.content.decode()
    )


def test_submit_refuses_a_figure_changed_without_a_reason(books, world, core):
    _alice, draft = march_report(world, core)
    # A figure changed behind the step page's back (another client): the submit checks again.
    submission_save_step(submission=draft, by=world.alice, step=4, answers={"cadangan": 33_000_000})
    draft.refresh_from_db()
    with translation.override("en"):
        problems = submission_problems(draft)
    assert (
        "cadangan",
        "“Reserves”: the books show Rp 33.700.000 but the answer is Rp 33.000.000. Write why the "
        "figure differs from the books.",
    ) in problems
    alice = browser(world.alice)
    sent = alice.post(
        reverse("submission_review", kwargs={"pk": draft.pk}), {"version": draft.version}
    )
    assert sent.status_code == 400
    assert "the books show Rp 33.700.000 but the answer is Rp 33.000.000" in sent.content.decode()


def test_changing_the_month_refills_untouched_figures_and_keeps_corrected_ones(books, world, core):
    alice, draft = march_report(world, core)
    save_steps(alice, draft, 0, 1)
    save_steps(alice, draft, 2, 2, {2: {"kas": 9_100_000, "kas-explanation": "Selisih kas."}})

    # Back on step 1, the month is changed to February in the step's own field.
    response = alice.post(step_url(draft, 0), step_data(alice, draft, 0, periode="2025-02"))
    assert response.status_code == 302 and response["Location"] == step_url(draft, 0)

    draft.refresh_from_db()
    assert draft.data["periode"] == "2025-02"
    # February: nobody joined; kas 5.000 + 1.200 + 2.000 = 8.200 thousand; bank 34.500 thousand.
    assert (draft.data["anggota_awal"], draft.data["anggota_masuk"]) == (10, 0)
    assert draft.prefilled["kas"] == 8_200_000 and draft.data["kas"] == 9_100_000  # kept
    assert draft.explanations == {"kas": "Selisih kas."}
    assert draft.data["bank"] == draft.prefilled["bank"] == 34_500_000
    assert draft.data["unit_usaha"] == [
        {"unit": "gerai_sembako", "pendapatan": 2_000_000, "beban": 1_500_000}
    ]
    assert draft.data["shu_tahun_berjalan"] == 500_000

    # Back to March with the chooser: the corrected kas still stays.
    choose_month(alice, draft, "2025-03")
    draft.refresh_from_db()
    assert draft.data["bank"] == 43_500_000 and draft.data["kas"] == 9_100_000
    assert draft.explanations == {"kas": "Selisih kas."}


def test_a_month_without_books_prefills_nothing_and_says_so(books, world, core):
    alice = browser(world.alice)
    draft = start(alice, core[REPORT])
    choose_month(alice, draft, "2025-05")
    draft.refresh_from_db()
    assert draft.data == {"periode": "2025-05"} and draft.prefilled == {}
    page = alice.get(step_url(draft, 0)).content.decode()
    assert "The books of this cooperative have nothing for May 2025 yet" in page
    assert "From the books:" not in alice.get(step_url(draft, 2)).content.decode()


def test_a_report_started_today_is_prefilled_for_the_last_finished_month(world, core):
    month = last_finished_month()
    year, number = (int(part) for part in month.split("-"))
    post(
        world.coop_a,
        D(year, number, 10),
        "Simpanan pokok",
        Line(chart.CASH, debit=1_000_000),
        Line(chart.PRINCIPAL_SAVINGS, credit=1_000_000),
    )
    alice = browser(world.alice)
    draft = start(alice, core[REPORT])
    assert draft.data["periode"] == month
    assert draft.data["kas"] == draft.prefilled["kas"] == 1_000_000
    assert draft.data["simpanan_pokok"] == 1_000_000
    assert draft.data["bank"] == 0 and draft.data["cadangan"] == 0
    assert "unit_usaha" not in draft.data and draft.prefilled["unit_usaha"] == []


def test_filling_in_again_after_more_was_posted(books, world, core):
    alice, draft = march_report(world, core)
    post(
        world.coop_a,
        D(2025, 3, 31),
        "Bunga bank",
        Line(chart.BANK, debit=30_000),
        Line("4-901", credit=30_000),
    )
    response = choose_month(alice, draft, "2025-03")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["bank"] == draft.prefilled["bank"] == 43_530_000
    assert draft.data["shu_tahun_berjalan"] == 930_000
    assert draft.data["unit_usaha"][0] == {"unit": "kantor", "pendapatan": 30_000, "beban": 950_000}


def test_another_operator_cannot_fill_it_in_for_coop_a(books, world, core):
    _alice, draft = march_report(world, core)
    carol = browser(world.carol)
    response = carol.post(
        step_url(draft, 0),
        {"version": draft.version, "action": "prefill", "prefill-key": "2025-02"},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.data["periode"] == "2025-03"


# --- Through the API ------------------------------------------------------------------------------


def test_the_api_prefills_and_takes_reasons(books, world, core):
    api = APIClient()
    api.force_authenticate(world.alice)
    created = api.post(
        reverse("api-submission-list"),
        {"form": core[REPORT].pk, "cooperative": world.coop_a.pk, "idempotency_key": "api-1"},
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["prefilled"] == {} and data["answers"] == {"periode": last_finished_month()}
    pk = data["id"]

    first = api.put(
        reverse("api-submission-step", kwargs={"pk": pk, "step": 0}),
        {
            "version": data["version"],
            "answers": {
                "periode": "2025-03",
                "anggota_awal": 10,
                "anggota_masuk": 2,
                "anggota_keluar": 0,
            },
        },
        format="json",
    )
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["prefilled"] == EXPECTED and data["answers"]["kas"] == 9_250_000

    def save_cash(body):
        return api.put(
            reverse("api-submission-step", kwargs={"pk": pk, "step": 2}),
            {"version": data["version"], **body},
            format="json",
        )

    answers = {"kas": 9_000_000, "bank": 43_500_000, "pinjaman_beredar": 10_000_000}
    refused = save_cash({"answers": answers})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["explanations.kas"]
    unknown = save_cash({"answers": answers, "explanations": {"cadangan": "x"}})
    assert unknown.status_code == 400 and "explanations.cadangan" in unknown.json()["errors"]

    saved = save_cash({"answers": answers, "explanations": {"kas": "Selisih kas kecil."}})
    assert saved.status_code == 200, saved.content
    data = saved.json()
    assert (data["answers"]["kas"], data["prefilled"]["kas"]) == (9_000_000, 9_250_000)
    assert data["explanations"] == {"kas": "Selisih kas kecil."}
    # Saving the step again without the reason keeps the stored one.
    again = save_cash({"answers": answers})
    assert again.status_code == 200 and again.json()["explanations"] == {
        "kas": "Selisih kas kecil."
    }


# --- Other forms are not touched ----------------------------------------------------------------


def test_other_form_purposes_are_not_prefilled(books, world):
    form = publish_form(
        "Catatan Kas",
        [field("rupiah", "kas", "Kas hari ini")],
        audience=["operator"],
        period_rule=PeriodRule.UNLIMITED,
        purpose=FormPurpose.GENERAL,
    )
    alice = browser(world.alice)
    draft = start(alice, form)
    assert draft.data == {} and draft.prefilled is None
    page = alice.get(step_url(draft, 0)).content.decode()
    assert "From the books" not in page and 'name="prefill-key"' not in page
    response = alice.post(
        step_url(draft, 0), {"version": draft.version, "action": "next", "kas": "5"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data == {"kas": 5} and draft.prefilled is None and draft.explanations == {}
    assert submission_problems(draft) == []


def test_a_report_started_by_a_service_without_prefill_is_left_alone(books, world, core):
    """An import brings its own figures: no book values, nothing to explain."""
    draft = submission_start(
        form_page=core[REPORT], cooperative=world.coop_a, author=world.alice, idempotency_key="imp"
    )
    draft = submission_save_step(
        submission=draft, by=world.alice, step=0, answers={"periode": "2025-03", "anggota_awal": 3}
    )
    assert draft.prefilled is None and draft.data == {"periode": "2025-03", "anggota_awal": 3}


def test_a_month_that_is_not_one_changes_nothing(books, world, core):
    alice, draft = march_report(world, core)
    response = choose_month(alice, draft, "2025-13")
    assert response.status_code == 302
    page = alice.get(step_url(draft, 0)).content.decode()
    assert "Choose a month, e.g. 2026-11." in page
    draft.refresh_from_db()
    assert draft.data["periode"] == "2025-03" and draft.prefilled == EXPECTED
