import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from forms.filling import StepForm, answers_to_json
from forms.schema import build_schema
from tests.forms.builders import calculated, field, group, publish_form, step

FIELDS = [
    step("Identitas"),
    field("short_text", "nama_usaha", "Nama usaha", max_length=60, label_en="Business name"),
    field("yes_no", "punya_kios", "Sudah punya kios?"),
    field(
        "single_choice",
        "jenis_kios",
        "Jenis kios",
        choices=[{"code": "sewa", "label": "Sewa"}, {"code": "milik", "label": "Milik sendiri"}],
        visible_when={"field": "punya_kios", "operator": "eq", "value": "yes"},
    ),
    field("rupiah", "modal", "Modal awal", min_value="100000"),
    field("date", "tanggal_musdes", "Tanggal musyawarah desa", not_in_future=True),
    step("Pendiri"),
    group(
        "pendiri",
        "Pendiri",
        [
            field("short_text", "nama", "Nama"),
            field("nik", "nik", "NIK"),
            field("rupiah", "simpanan_pokok", "Simpanan pokok"),
        ],
        min_rows=1,
        max_rows=5,
    ),
    calculated("total_pokok", "Jumlah simpanan pokok", "sum(pendiri.simpanan_pokok)"),
]
RULES = [
    {
        "expression": "total_pokok >= modal",
        "message": "Simpanan pokok pendiri harus menutup modal awal.",
        "message_en": "",
    }
]


@pytest.fixture
def schema(world):
    return build_schema(publish_form("Usaha Desa", FIELDS, RULES))


def step_form(schema, world, index, data, answers=None):
    return StepForm(
        data,
        {},
        schema=schema,
        step=schema.steps[index],
        cooperative=world.coop_a,
        answers=answers or {},
    )


def test_schema_splits_steps_and_keeps_labels_in_both_languages(schema):
    assert [s.title for s in schema.steps] == ["Identitas", "Pendiri"]
    assert [f.code for f in schema.steps[0].fields] == [
        "nama_usaha",
        "punya_kios",
        "jenis_kios",
        "modal",
        "tanggal_musdes",
    ]
    with translation.override("en"):
        assert schema.by_code["nama_usaha"].label == "Business name"
        assert schema.by_code["modal"].label == "Modal awal"  # no English written: Indonesian


def test_hidden_fields_are_neither_validated_nor_stored(schema, world):
    form = step_form(
        schema,
        world,
        0,
        {
            "nama_usaha": "Kios Sembako",
            "punya_kios": "no",
            "jenis_kios": "bukan-pilihan",
            "modal": "Rp 1.500.000",
            "tanggal_musdes": "2025-08-17",
        },
    )
    assert form.is_valid(), form.errors
    answers = form.step_answers()
    assert answers["jenis_kios"] is None
    assert answers["modal"] == 1_500_000
    assert answers["tanggal_musdes"] == datetime.date(2025, 8, 17)


def test_a_visible_field_is_required_and_explained_in_indonesian(schema, world):
    form = step_form(
        schema,
        world,
        0,
        {
            "nama_usaha": "Kios",
            "punya_kios": "yes",
            "modal": "seratus ribu",
            "tanggal_musdes": "2999-01-01",
        },
    )
    assert not form.is_valid()
    assert "jenis_kios" in form.errors
    assert "Rupiah" in form.errors["modal"][0]
    assert "masa depan" in form.errors["tanggal_musdes"][0]


def test_group_rows_calculation_and_rule(schema, world):
    data = {
        "pendiri-TOTAL_FORMS": "2",
        "pendiri-INITIAL_FORMS": "0",
        "pendiri-MIN_NUM_FORMS": "1",
        "pendiri-MAX_NUM_FORMS": "5",
        "pendiri-0-nama": "Siti",
        "pendiri-0-nik": "6402165708800001",
        "pendiri-0-simpanan_pokok": "50.000",
        "pendiri-1-nama": "Budi",
        "pendiri-1-nik": "6402161708800002",
        "pendiri-1-simpanan_pokok": "40.000",
    }
    form = step_form(schema, world, 1, data, answers={"modal": 100_000})
    assert not form.is_valid()
    assert form.non_field_errors() == ["Simpanan pokok pendiri harus menutup modal awal."]
    form = step_form(schema, world, 1, data, answers={"modal": 90_000})
    assert form.is_valid(), (form.errors, [f.errors for f in form.formsets["pendiri"]])
    answers = schema.calculate({"modal": 90_000, **form.step_answers()})
    assert answers["total_pokok"] == 90_000
    stored = answers_to_json(schema, answers)
    assert stored["pendiri"][0] == {
        "nama": "Siti",
        "nik": "6402165708800001",
        "simpanan_pokok": 50000,
    }


def test_a_group_below_its_minimum_rows_is_refused(schema, world):
    data = {
        "pendiri-TOTAL_FORMS": "0",
        "pendiri-INITIAL_FORMS": "0",
        "pendiri-MIN_NUM_FORMS": "1",
        "pendiri-MAX_NUM_FORMS": "5",
    }
    form = step_form(schema, world, 1, data, answers={"modal": 0})
    assert not form.is_valid()


def test_decimal_answers_stay_exact(world):
    schema = build_schema(publish_form("Bunga", [field("percentage", "bunga", "Bunga per bulan")]))
    form = step_form(schema, world, 0, {"bunga": "1,5"})
    assert form.is_valid(), form.errors
    assert form.step_answers()["bunga"] == Decimal("1.5")
    assert answers_to_json(schema, form.step_answers()) == {"bunga": "1.5"}


@pytest.mark.parametrize(
    ("operator", "value", "answer", "expected"),
    [
        ("eq", "yes", True, True),
        ("ne", "yes", True, False),
        ("in", "sewa, milik", "milik", True),
        ("in", "sewa", ["milik", "sewa"], True),
        ("gt", "1.000.000,00", 1_500_000, True),
        ("gte", "1.000.000", 1_000_000, True),
        ("lt", "1.000.000", 999_999, True),
        ("gt", "1500000", 1_500_000, False),
        ("gte", "1500000", 1_500_000, True),
        ("lt", "2.5", Decimal("2.4"), True),
        ("filled", "", "", False),
        ("filled", "", "x", True),
        ("empty", "", None, True),
        ("gt", "angka", 5, False),
    ],
)
def test_conditions(operator, value, answer, expected):
    from forms.schema import Condition

    assert Condition("a", operator, value).holds({"a": answer}) is expected


def test_a_file_is_judged_by_its_bytes_not_its_name(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    schema = build_schema(
        publish_form("Berkas", [field("file", "bukti", "Bukti", allowed=["pdf"])])
    )

    def attempt(name, content):
        form = StepForm(
            {},
            {"bukti": SimpleUploadedFile(name, content, "application/pdf")},
            schema=schema,
            step=schema.steps[0],
            cooperative=world.coop_a,
            answers={},
        )
        return form.is_valid()

    assert attempt("bukti.pdf", b"%PDF-1.7 isi")
    assert not attempt("bukti.pdf", b"MZ\x90\x00 program")
    assert not attempt("foto.pdf", b"\x89PNG\r\n\x1a\n")  # a PNG where only PDF is allowed
