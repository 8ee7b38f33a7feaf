import pytest
from wagtail.models import Revision

from cooperatives.enums import BusinessUnitCode
from forms.defaults import CORE_FORMS, ensure_core_forms
from forms.enums import FieldType, FormPurpose, PeriodRule
from forms.expressions import compile_expression
from forms.filling import StepForm
from forms.models import KopdesFormPage
from forms.schema import FormSchema, build_schema

SLUGS = [
    "pendaftaran-koperasi",
    "laporan-keuangan-bulanan",
    "pengajuan-pinjaman",
    "pengajuan-pembiayaan-koperasi",
]


@pytest.fixture
def core_forms(world):
    return {page.slug: page for page in ensure_core_forms()}


def schema_of(core_forms, slug: str) -> FormSchema:
    return build_schema(core_forms[slug])


def rule_for(schema: FormSchema, source: str):
    return next(rule for rule in schema.rules if rule.source == source)


def balanced_report() -> dict:
    """A month whose balance sheet balances: assets 165.5 million = 40 + 125.5 million."""
    return {
        "periode": "2026-10",
        "anggota_awal": 120,
        "anggota_masuk": 5,
        "anggota_keluar": 2,
        "simpanan_pokok": 12_500_000,
        "simpanan_wajib": 18_000_000,
        "simpanan_sukarela": 25_000_000,
        "kas": 4_000_000,
        "bank": 56_500_000,
        "pinjaman_beredar": 70_000_000,
        "unit_usaha": [
            {"unit": "gerai_sembako", "pendapatan": 30_000_000, "beban": 27_500_000},
            {"unit": "simpan_pinjam", "pendapatan": 1_750_000, "beban": 250_000},
        ],
        "shu_tahun_berjalan": 15_000_000,
        "persediaan": 20_000_000,
        "aset_tetap": 15_000_000,
        "utang_bank": 10_000_000,
        "kewajiban_lain": 5_000_000,
        "cadangan": 80_000_000,
    }


def test_creates_the_core_forms_live_and_filled_by_operators(core_forms):
    assert list(core_forms) == SLUGS
    for page in core_forms.values():
        assert page.live
        assert page.audience == ["operator"]
        assert page.intro.startswith("<p>") and page.intro_en.startswith("<p>")
    registration = core_forms["pendaftaran-koperasi"]
    report = core_forms["laporan-keuangan-bulanan"]
    loan = core_forms["pengajuan-pinjaman"]
    assert (registration.purpose, registration.period_rule, registration.reference_prefix) == (
        FormPurpose.COOPERATIVE_SETUP,
        PeriodRule.ONCE,
        "DAF",
    )
    assert (report.purpose, report.period_rule, report.reference_prefix) == (
        FormPurpose.FINANCIAL_REPORT,
        PeriodRule.MONTHLY,
        "LKB",
    )
    assert (loan.purpose, loan.period_rule, loan.reference_prefix) == (
        FormPurpose.LOAN_APPLICATION,
        PeriodRule.UNLIMITED,
        "PIN",
    )


def test_a_second_call_creates_nothing(core_forms):
    revisions = Revision.objects.count()
    again = ensure_core_forms()
    assert [page.pk for page in again] == [page.pk for page in core_forms.values()]
    assert KopdesFormPage.objects.count() == len(SLUGS)
    assert Revision.objects.count() == revisions


def test_an_admins_edit_is_never_overwritten(core_forms):
    page = KopdesFormPage.objects.get(slug="pengajuan-pinjaman")
    page.title = "Pengajuan Pinjaman Anggota"
    page.save_revision().publish()

    ensure_core_forms()

    page.refresh_from_db()
    assert page.title == "Pengajuan Pinjaman Anggota"
    assert KopdesFormPage.objects.filter(slug="pengajuan-pinjaman").count() == 1


@pytest.mark.parametrize("slug", SLUGS)
def test_blocks_pass_the_admins_own_validation(core_forms, slug):
    """What an admin gets on opening a core form can be published again unchanged."""
    page = core_forms[slug]
    KopdesFormPage._meta.get_field("fields").stream_block.clean(page.fields)
    KopdesFormPage._meta.get_field("rules").stream_block.clean(page.rules)


@pytest.mark.parametrize(
    ("slug", "steps"),
    [
        (
            "pendaftaran-koperasi",
            [
                "Identitas koperasi",
                "Musyawarah desa",
                "Pendiri",
                "Pengurus dan pengawas",
                "Unit usaha",
                "Modal awal",
            ],
        ),
        (
            "laporan-keuangan-bulanan",
            [
                "Periode dan anggota",
                "Simpanan anggota",
                "Kas, bank dan pinjaman",
                "Pendapatan dan beban",
                "Neraca",
                "Catatan",
            ],
        ),
        (
            "pengajuan-pinjaman",
            ["Anggota dan pinjaman", "Kemampuan membayar", "Jaminan", "Dokumen"],
        ),
    ],
)
def test_schema_has_the_designed_steps_in_both_languages(core_forms, slug, steps):
    schema = schema_of(core_forms, slug)
    assert [step.title_id for step in schema.steps] == steps
    assert all(step.title_en for step in schema.steps)
    assert all(step.fields for step in schema.steps)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_field_is_labelled_in_english_and_has_a_stable_code(core_forms, slug):
    schema = schema_of(core_forms, slug)
    specs = [*schema.fields, *(column for spec in schema.fields for column in spec.columns)]
    for spec in specs:
        if spec.type == FieldType.INFO:
            assert spec.options["text_en"]
            continue
        assert spec.label_en, spec.code
        assert bool(spec.help_id) == bool(spec.help_en), spec.code
        for choice in spec.options.get("choices", []):
            assert choice["label_en"], (spec.code, choice["code"])
    codes = [spec.code for spec in schema.fields]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_formula_compiles_and_reads_only_fields_of_its_form(core_forms, slug):
    page = core_forms[slug]
    schema = build_schema(page)
    assert len(schema.rules) == len(page.rules)  # build_schema drops a rule it cannot compile
    assert all(rule.message_en for rule in schema.rules)
    formulas = [spec.expression for spec in schema.fields if spec.type == FieldType.CALCULATED]
    formulas += [compile_expression(rule.source) for rule in schema.rules]
    assert formulas
    for formula in formulas:
        assert formula.names <= set(schema.by_code), formula.source
        for group, column in formula.group_columns:
            assert column in {c.code for c in schema.by_code[group].columns}, formula.source


@pytest.mark.parametrize("slug", SLUGS)
def test_conditions_point_at_fields_shown_earlier(core_forms, slug):
    schema = schema_of(core_forms, slug)
    order = [spec.code for spec in schema.fields]
    for spec in schema.fields:
        if spec.condition is not None:
            assert order.index(spec.condition.field) < order.index(spec.code)


def test_registration_offers_the_seven_business_units(core_forms):
    schema = schema_of(core_forms, "pendaftaran-koperasi")
    units = schema.by_code["unit_usaha"]
    assert [code for code, _label in units.choice_list()] == list(BusinessUnitCode.values)
    assert units.options["min_selected"] == 1
    pendiri = schema.by_code["pendiri"]
    assert (pendiri.options["min_rows"], pendiri.options["max_rows"]) == (3, 50)
    assert schema.by_code["berita_acara_musdes"].options["max_size_mb"] == 5


def test_registration_adds_up_the_starting_capital(core_forms):
    schema = schema_of(core_forms, "pendaftaran-koperasi")
    founders = [
        {"nama": name, "nik": "6402160101800001", "simpanan_pokok": 100_000}
        for name in ("Siti", "Budi", "Yohanes")
    ]
    answers = schema.calculate({"pendiri": founders, "simpanan_pokok_per_anggota": 100_000})
    assert answers["total_simpanan_pokok"] == 300_000
    assert answers["modal_awal"] == 300_000  # no grant counts as zero
    for source in (
        "count(pendiri) >= 3",
        "min(pendiri.simpanan_pokok) >= simpanan_pokok_per_anggota",
        "total_simpanan_pokok > 0",
    ):
        assert rule_for(schema, source).expression.evaluate(answers), source

    with_grant = schema.calculate({"pendiri": founders, "hibah": 50_000_000})
    assert with_grant["modal_awal"] == 50_300_000


def test_registration_refuses_too_few_founders_and_an_underpaying_one(core_forms):
    schema = schema_of(core_forms, "pendaftaran-koperasi")
    founders = [
        {"nama": "Siti", "simpanan_pokok": 100_000},
        {"nama": "Budi", "simpanan_pokok": 50_000},
    ]
    answers = schema.calculate({"pendiri": founders, "simpanan_pokok_per_anggota": 100_000})
    assert not rule_for(schema, "count(pendiri) >= 3").expression.evaluate(answers)
    underpaid = rule_for(schema, "min(pendiri.simpanan_pokok) >= simpanan_pokok_per_anggota")
    assert not underpaid.expression.evaluate(answers)


def test_registration_second_village_only_when_more_than_one(core_forms):
    schema = schema_of(core_forms, "pendaftaran-koperasi")
    second = schema.by_code["desa_kedua"]
    assert not schema.visible(second, {"lebih_dari_satu_desa": False})
    assert schema.visible(second, {"lebih_dari_satu_desa": True})
    different = rule_for(schema, "desa_kedua != desa").expression
    hidden = schema.calculate(
        {"desa": "64.03.01.2001", "lebih_dari_satu_desa": False, "desa_kedua": "64.03.01.2001"}
    )
    assert different.evaluate(hidden)
    same = schema.calculate(
        {"desa": "64.03.01.2001", "lebih_dari_satu_desa": True, "desa_kedua": "64.03.01.2001"}
    )
    assert not different.evaluate(same)


def test_financial_report_balance_rule_passes_for_a_balanced_sheet(core_forms):
    schema = schema_of(core_forms, "laporan-keuangan-bulanan")
    answers = schema.calculate(balanced_report())
    assert answers["anggota_akhir"] == 123
    assert answers["total_simpanan"] == 55_500_000
    assert answers["kas_bank"] == 60_500_000
    assert answers["total_pendapatan"] == 31_750_000
    assert answers["total_beban"] == 27_750_000
    assert answers["shu_bulan"] == 4_000_000
    assert answers["total_aset"] == 165_500_000
    assert answers["total_kewajiban"] == 40_000_000
    assert answers["total_ekuitas"] == 125_500_000
    balance = rule_for(schema, "total_aset == total_kewajiban + total_ekuitas")
    assert balance.expression.evaluate(answers) is True
    assert all(rule.expression.evaluate(answers) for rule in schema.rules)


def test_financial_report_balance_rule_fails_for_an_unbalanced_sheet(core_forms):
    schema = schema_of(core_forms, "laporan-keuangan-bulanan")
    answers = schema.calculate({**balanced_report(), "kas": 4_100_000})
    balance = rule_for(schema, "total_aset == total_kewajiban + total_ekuitas")
    assert balance.expression.evaluate(answers) is False
    assert balance.message_id.startswith("Neraca belum seimbang")


def test_financial_report_refuses_more_leavers_than_members(core_forms):
    schema = schema_of(core_forms, "laporan-keuangan-bulanan")
    answers = schema.calculate({"anggota_awal": 3, "anggota_masuk": 0, "anggota_keluar": 5})
    rule = rule_for(schema, "anggota_keluar <= anggota_awal + anggota_masuk")
    assert not rule.expression.evaluate(answers)


def test_financial_report_shows_the_unbalanced_sheet_on_the_balance_step(core_forms, world):
    schema = schema_of(core_forms, "laporan-keuangan-bulanan")
    earlier = {k: v for k, v in balanced_report().items() if schema.by_code[k].step < 4}
    form = StepForm(
        {
            "persediaan": "20000000",
            "aset_tetap": "15000000",
            "utang_bank": "10000000",
            "kewajiban_lain": "5000000",
            "cadangan": "79000000",
        },
        {},
        schema=schema,
        step=schema.steps[4],
        cooperative=world.coop_a,
        answers=earlier,
    )
    assert not form.is_valid()
    assert any("Neraca belum seimbang" in error for error in form.non_field_errors())


def test_loan_guarantor_fields_show_only_for_a_guarantor(core_forms):
    schema = schema_of(core_forms, "pengajuan-pinjaman")
    guarantor = [schema.by_code["penjamin_nama"], schema.by_code["penjamin_nik"]]
    collateral = schema.by_code["agunan_keterangan"]
    for jaminan in ("agunan", "tanpa", None):
        assert not any(schema.visible(spec, {"jaminan": jaminan}) for spec in guarantor)
    assert all(schema.visible(spec, {"jaminan": "penjamin"}) for spec in guarantor)
    assert schema.visible(collateral, {"jaminan": "agunan"})
    assert not schema.visible(collateral, {"jaminan": "penjamin"})
    answers = schema.calculate(
        {"jaminan": "agunan", "penjamin_nama": "Ahmad", "penjamin_nik": "6402160101800001"}
    )
    assert "penjamin_nama" not in answers and "penjamin_nik" not in answers


def test_loan_instalment_may_not_pass_thirty_percent_of_income(core_forms):
    schema = schema_of(core_forms, "pengajuan-pinjaman")
    rule = rule_for(schema, "angsuran_perkiraan <= penghasilan_bulanan * 0.3")
    fits = schema.calculate(
        {
            "produk": "modal_usaha",
            "jumlah": 12_000_000,
            "tenor_bulan": 12,
            "penghasilan_bulanan": 4_000_000,
        }
    )
    assert fits["angsuran_perkiraan"] == 1_000_000
    assert rule.expression.evaluate(fits)
    too_much = schema.calculate(
        {
            "produk": "modal_usaha",
            "jumlah": 12_000_000,
            "tenor_bulan": 12,
            "penghasilan_bulanan": 3_000_000,
        }
    )
    assert not rule.expression.evaluate(too_much)
    assert rule.message_id.startswith("Angsuran melebihi 30% penghasilan")


@pytest.mark.parametrize(
    ("produk", "jumlah", "allowed"),
    [
        ("mikro_anggota", 10_000_000, True),
        ("mikro_anggota", 10_000_001, False),
        ("modal_usaha", 50_000_000, True),
    ],
)
def test_loan_micro_product_is_capped_at_ten_million(core_forms, produk, jumlah, allowed):
    schema = schema_of(core_forms, "pengajuan-pinjaman")
    rule = rule_for(schema, 'jumlah <= 10000000 if produk == "mikro_anggota" else True')
    answers = schema.calculate({"produk": produk, "jumlah": jumlah, "tenor_bulan": 10})
    assert bool(rule.expression.evaluate(answers)) is allowed


def test_core_forms_are_declared_once_per_slug():
    assert [core.slug for core in CORE_FORMS] == SLUGS
