"""One cell → one clean value: the examples villages send, and the reasons given for the rest."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel

from imports.spec import ValueType
from imports.values import (
    COLLECTIBILITY_CLASSES,
    MAX_FORMULA_DEPTH,
    MAX_FORMULA_LENGTH,
    PARSERS,
    evaluate_formula,
    parse_amount,
    parse_choice,
    parse_collectibility,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_nik,
    parse_phone,
    parse_sex,
    parse_text,
)

VALID_NIK = "6402160101800001"


def error_of(parse, *args) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(*args)
    return caught.value


def english_message(parse, *args) -> str:
    with translation.override("en"):
        return error_of(parse, *args).messages[0]


# --- empty cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parse",
    [
        parse_nik,
        parse_phone,
        parse_date,
        parse_amount,
        parse_integer,
        parse_decimal,
        parse_sex,
        parse_collectibility,
    ],
)
@pytest.mark.parametrize("empty", ["", None, "   ", "\u00a0"])
def test_an_empty_cell_gives_none_so_the_caller_decides_if_it_is_required(parse, empty):
    assert parse(empty) is None


@pytest.mark.parametrize("empty", ["", None, "  "])
def test_an_empty_cell_gives_empty_text_and_no_choice(empty):
    assert parse_text(empty) == ""
    assert parse_choice(empty, ["Ya", "Tidak"]) is None


def test_zero_is_a_value_not_an_empty_cell():
    assert parse_amount(0) == 0
    assert parse_amount(0.0) == 0
    assert parse_integer(0) == 0
    assert parse_decimal(0.0) == Decimal("0.0")


# --- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+62 812", "-5", "@SUM(A1)", "=1+1", "Siti  Aminah"]
)
def test_text_is_kept_verbatim_and_never_evaluated(text):
    assert parse_text(text) == text
    assert parse_text(f"  {text}\n") == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.0, "12"),
        (12.5, "12.5"),
        (12, "12"),
        (6402160202800002.0, "6402160202800002"),
        (True, "TRUE"),
        (False, "FALSE"),
        (datetime.date(1975, 8, 17), "1975-08-17"),
        (datetime.datetime(1975, 8, 17), "1975-08-17"),
        (datetime.datetime(1975, 8, 17, 10, 30), "1975-08-17 10:30:00"),
        (datetime.time(8, 30), "08:30:00"),
    ],
)
def test_numbers_and_dates_become_the_text_people_see(value, expected):
    assert parse_text(value) == expected


@given(st.text())
def test_text_only_loses_leading_spaces_and_trailing_whitespace(text):
    assert parse_text(text) == text.rstrip().lstrip(" \u00a0")


@pytest.mark.parametrize("text", ["\t=cmd|' /C calc'!A0", "\r@SUM(A1)", "\t+x"])
def test_a_leading_tab_or_carriage_return_is_kept_verbatim(text):
    assert parse_text(text) == text


# --- NIK and phone ------------------------------------------------------------------------------


def test_nik_text_is_normalized_by_the_shared_validator():
    assert parse_nik(VALID_NIK) == VALID_NIK
    assert parse_nik("6402 1601.0180\u00a00001") == VALID_NIK


@pytest.mark.parametrize("cell", [6402160101800001.0, 6402160101800001])
def test_a_nik_typed_into_a_number_cell_is_refused(cell):
    assert error_of(parse_nik, cell).code == "nik_number"


@pytest.mark.parametrize(
    ("cell", "code"),
    [("640216010180000", "nik_length"), ("9902160101800001", "nik_province")],
)
def test_a_wrong_nik_says_why(cell, code):
    assert error_of(parse_nik, cell).code == code


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (81234567890.0, "+6281234567890"),  # a number cell lost the leading 0
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
    ],
)
def test_phone_numbers_become_plus_62(cell, expected):
    assert parse_phone(cell) == expected


def test_a_foreign_phone_number_is_refused():
    assert error_of(parse_phone, "+60123456789").code == "phone_country"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        datetime.date(1975, 8, 17),
        datetime.datetime(1975, 8, 17, 10, 30),
        "17-08-1975",
        "17/08/1975",
        "17.08.1975",
        " 17-8-1975 ",
        "17 Agustus 1975",
        "17 Agt 1975",
        "17 agt. 1975",
        "17 agustus 1975",
        "17 AGUSTUS 1975",
        "17 Agu 1975",
        "17 Ags 1975",
        "17-Agu-1975",
        "17 August 1975",
        "17 Aug 1975",
        "August 17, 1975",
        "Minggu, 17 Agustus 1975",
        "1975-08-17",
        "1975-08-17 10:30:00",
        "1975-08-17T10:30",
        "17-08-1975 00:00",
        27623,  # the Excel serial of 1975-08-17
        27623.75,  # … at 18:00
    ],
)
def test_the_forms_a_date_arrives_in(cell):
    assert parse_date(cell) == datetime.date(1975, 8, 17)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("05/08/1975", datetime.date(1975, 8, 5)),  # day first, never month first
        ("05-08-1975", datetime.date(1975, 8, 5)),
        ("12.01.2020", datetime.date(2020, 1, 12)),
    ],
)
def test_a_numeric_date_is_always_read_day_first(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("1 Januari 2000", 1),
        ("1 Jan 2000", 1),
        ("1 Februari 2000", 2),
        ("1 Feb 2000", 2),
        ("1 Peb 2000", 2),
        ("1 Maret 2000", 3),
        ("1 Mar 2000", 3),
        ("1 April 2000", 4),
        ("1 Apr 2000", 4),
        ("1 Mei 2000", 5),
        ("1 May 2000", 5),
        ("1 Juni 2000", 6),
        ("1 Jun 2000", 6),
        ("1 Juli 2000", 7),
        ("1 Jul 2000", 7),
        ("1 Agustus 2000", 8),
        ("1 September 2000", 9),
        ("1 Sep 2000", 9),
        ("1 Sept 2000", 9),
        ("1 Oktober 2000", 10),
        ("1 Okt 2000", 10),
        ("1 October 2000", 10),
        ("1 November 2000", 11),
        ("1 Nov 2000", 11),
        ("1 Nop 2000", 11),
        ("1 Desember 2000", 12),
        ("1 Des 2000", 12),
        ("1 December 2000", 12),
    ],
)
def test_indonesian_and_english_month_names(text, month):
    assert parse_date(text) == datetime.date(2000, month, 1)


def test_excel_serial_numbers_match_excel():
    assert parse_date(27258) == datetime.date(1974, 8, 17)
    assert parse_date(27258.0) == from_excel(27258).date()
    assert parse_date(1) == datetime.date(1900, 1, 1)
    assert parse_date(59) == datetime.date(1900, 2, 28)
    assert parse_date(61) == datetime.date(1900, 3, 1)  # after Excel's fake 29 February 1900
    assert parse_date(2958465) == datetime.date(9999, 12, 31)


@given(st.integers(min_value=1, max_value=2958465).filter(lambda n: n != 60))
def test_every_excel_serial_agrees_with_openpyxl(serial):
    assert parse_date(serial) == from_excel(serial).date()


@pytest.mark.parametrize("cell", ["31-02-1980", "29-02-1981", "00-01-1980", "17-13-1975", 60])
def test_a_date_that_does_not_exist_is_impossible(cell):
    assert error_of(parse_date, cell).code == "date_impossible"


@pytest.mark.parametrize("cell", ["17-08-75", "17/08/75", "17 Agustus 75"])
def test_a_two_digit_year_is_refused_because_the_century_is_unknown(cell):
    assert error_of(parse_date, cell).code == "date_short_year"
    assert "17-08-1975" in english_message(parse_date, cell)
    assert "4 digits" in english_message(parse_date, cell)


@pytest.mark.parametrize(
    "cell",
    [
        "kemarin",
        "17 Foo 1975",
        "Foo, 17 Agustus 1975",
        "17-08/1975",
        "1975",
        "17-08-975",
        "17081975",
        0,
        -5,
        2958466,
        True,
        datetime.time(8, 30),
        datetime.timedelta(days=3),
    ],
)
def test_anything_else_is_not_a_date_and_the_message_shows_the_accepted_forms(cell):
    assert error_of(parse_date, cell).code == "date_format"
    message = english_message(parse_date, cell)
    assert "17-08-1975" in message
    assert "17 Agustus 1975" in message


@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_any_date_written_day_month_year_round_trips(day):
    assert parse_date(day.strftime("%d-%m-%Y")) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year:04d}") == day


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1000000, 1000000),
        (1000000.0, 1000000),
        (12500.000000001, 12500),  # float noise from a formula
        (12499.999999999, 12500),
        (12500.5, 12501),  # halves round up
        (-12500.5, -12501),  # … away from zero
        ("1000000", 1000000),
        ("Rp 1.000.000", 1000000),
        ("Rp1.000.000", 1000000),
        ("Rp. 1.000.000", 1000000),
        ("rp 1.000.000", 1000000),
        ("IDR 1.000.000", 1000000),
        ("Rp\u00a01.000.000", 1000000),
        ("1.000.000", 1000000),
        ("1.000.000,00", 1000000),
        ("1.000.000,50", 1000001),
        ("12.500,50", 12501),
        ("12.500,49", 12500),
        ("Rp100.000,-", 100000),
        ("100.000,-", 100000),
        ("Rp 100.000.-", 100000),
        ("1,000,000", 1000000),
        ("1,000,000.50", 1000001),
        ("12.500", 12500),
        ("1,5", 2),
        ("-12.500", -12500),
        ("(12.500)", -12500),
        ("(Rp 12.500)", -12500),
        ("-Rp 12.500", -12500),
        ("Rp -12.500", -12500),
        ("\u221212.500", -12500),  # a typographic minus sign
        ("-", 0),
        ("–", 0),
        ("—", 0),
        ("Rp -", 0),
        ("0", 0),
    ],
)
def test_amounts_in_whole_rupiah(cell, expected):
    assert parse_amount(cell) == expected
    assert type(parse_amount(cell)) is int


@pytest.mark.parametrize(
    "cell",
    [
        "seratus ribu",
        "100rb",
        "Rp",
        "1.5.000",  # a broken thousands group
        "1.0000.000",
        "0.500",
        "12,",
        "1.000,",
        "1.000,5,0",
        "(12.500",
        "-(12.500)",
        "--12.500",
        "12.500-",
        "1e5",
        "²",
        "١٢",
        True,
        False,
        datetime.date(2026, 1, 1),
        float("nan"),
        float("inf"),
        "9" * 80,
        "9" * 5000,
    ],
)
def test_anything_else_is_not_an_amount(cell):
    assert error_of(parse_amount, cell).code == "amount_format"


@pytest.mark.parametrize(
    "cell", ["1" + "0" * 18, "Rp 1" + ".000" * 6, "-1" + "0" * 18, 1e18, -1e19, 10**18, 1e300]
)
def test_an_amount_beyond_what_the_database_holds_is_too_large(cell):
    assert error_of(parse_amount, cell).code == "amount_too_large"


def test_the_largest_amount_is_just_below_the_limit():
    assert parse_amount("9" * 18) == 10**18 - 1
    assert parse_amount("Rp 999" + ".999" * 5) == 10**18 - 1


def test_the_amount_message_shows_an_example():
    assert "1.500.000" in english_message(parse_amount, "seratus ribu")


@given(st.integers(min_value=0, max_value=10**15))
def test_any_amount_written_the_indonesian_way_round_trips(n):
    written = f"{n:,}".replace(",", ".")
    assert parse_amount(f"Rp {written}") == n
    assert parse_amount(f"Rp{written},-") == n
    assert parse_amount(f"{written},00") == n
    assert parse_amount(f"-{written}") == -n
    assert parse_amount(f"({written})") == -n


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(0, 99))
def test_cents_round_half_up_to_whole_rupiah(rupiah, cents):
    written = f"{abs(rupiah):,}".replace(",", ".") + f",{cents:02d}"
    expected = abs(rupiah) + (1 if cents >= 50 else 0)
    sign = "-" if rupiah < 0 else ""
    assert parse_amount(f"{sign}{written}") == (-expected if rupiah < 0 else expected)


# --- integers and decimals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12, 12),
        (12.0, 12),
        (12.000000000001, 12),
        ("12", 12),
        (" 12 ", 12),
        ("1.500", 1500),
        ("1.000.000", 1000000),
        ("12,00", 12),
        ("-3", -3),
    ],
)
def test_whole_numbers(cell, expected):
    assert parse_integer(cell) == expected
    assert type(parse_integer(cell)) is int


@pytest.mark.parametrize(
    "cell", [12.5, "12.5", "12,5", "dua belas", "1.5.00", "-", True, float("nan")]
)
def test_a_fraction_or_words_are_not_a_whole_number(cell):
    assert error_of(parse_integer, cell).code == "integer_format"


@pytest.mark.parametrize("cell", ["1" + "0" * 18, "1" + ".000" * 6, 1e18, 10**18, "9" * 60])
def test_a_whole_number_beyond_what_the_database_holds_is_too_large(cell):
    assert error_of(parse_integer, cell).code == "integer_too_large"


def test_a_whole_number_with_thousands_of_digits_is_refused_without_crashing():
    assert error_of(parse_integer, "9" * 5000).code == "integer_format"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        ("1,5%", Decimal("1.5")),
        ("18 %", Decimal("18")),
        ("-0,25", Decimal("-0.25")),
        (1.5, Decimal("1.5")),
        (0.1, Decimal("0.1")),  # repr, not the binary float 0.1000000000000000055…
        (18, Decimal(18)),
    ],
)
def test_decimals_such_as_rates(cell, expected):
    assert parse_decimal(cell) == expected
    assert str(parse_decimal(cell)) == str(expected)


@pytest.mark.parametrize("cell", ["satu koma lima", "1,5,0", "1.000,5", "%", "1,", True, "NaN"])
def test_anything_else_is_not_a_decimal(cell):
    assert error_of(parse_decimal, cell).code == "decimal_format"


# --- sex, collectibility and choices ------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["L", "l", "LK", "Lk", "Laki-laki", "laki laki", "LAKI-LAKI", "Pria", "M", "Male"]
)
def test_men(cell):
    assert parse_sex(cell) == "L"


@pytest.mark.parametrize(
    "cell", ["P", "p", "PR", "Perempuan", "perempuan ", "WANITA", "W", "F", "Female"]
)
def test_women(cell):
    assert parse_sex(cell) == "P"


@pytest.mark.parametrize("cell", ["X", "Laki-laki perempuan", "1", 1, True])
def test_anything_else_is_not_a_sex_and_the_message_names_l_and_p(cell):
    assert error_of(parse_sex, cell).code == "sex_invalid"
    message = english_message(parse_sex, cell)
    assert "L for a man" in message
    assert "P for a woman" in message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Lancar", "lancar"),
        ("LANCAR", "lancar"),
        ("DPK", "dpk"),
        ("Dalam Perhatian Khusus", "dpk"),
        ("dalam  perhatian khusus", "dpk"),
        ("KL", "kurang_lancar"),
        ("Kurang Lancar", "kurang_lancar"),
        ("kuranglancar", "kurang_lancar"),
        ("Diragukan", "diragukan"),
        ("Macet", "macet"),
        ("1", "lancar"),
        (1, "lancar"),
        (2.0, "dpk"),
        ("3", "kurang_lancar"),
        ("Kol 4", "diragukan"),
        ("Kol-2", "dpk"),
        ("kol 5", "macet"),
    ],
)
def test_collectibility_by_name_or_ojk_class(cell, expected):
    assert parse_collectibility(cell) == expected


@pytest.mark.parametrize("cell", ["L", "Bagus", "0", 6, 1.5, "Kol 6", True])
def test_anything_else_is_not_a_collectibility_and_the_message_lists_the_names(cell):
    assert error_of(parse_collectibility, cell).code == "collectibility_invalid"
    message = english_message(parse_collectibility, cell)
    for _value, label in COLLECTIBILITY_CLASSES:
        if label != "Dalam Perhatian Khusus":
            assert label in message


def test_collectibility_classes_are_in_ojk_order():
    assert [value for value, _label in COLLECTIBILITY_CLASSES] == [
        "lancar",
        "dpk",
        "kurang_lancar",
        "diragukan",
        "macet",
    ]


def test_a_choice_is_matched_without_case_or_spaces_and_returned_as_listed():
    choices = ("Petani", "Nelayan", "Pedagang Kecil")
    assert parse_choice("petani", choices) == "Petani"
    assert parse_choice(" NELAYAN ", choices) == "Nelayan"
    assert parse_choice("pedagang  kecil", choices) == "Pedagang Kecil"
    assert parse_choice("Pedagang Kecil", list(choices)) == "Pedagang Kecil"


def test_a_number_cell_matches_a_numeric_choice():
    assert parse_choice(2.0, ["1", "2", "3"]) == "2"


def test_an_unknown_choice_lists_the_choices():
    error = error_of(parse_choice, "Guru", ["Petani", "Nelayan"])
    assert error.code == "choice_invalid"
    message = english_message(parse_choice, "Guru", ["Petani", "Nelayan"])
    assert "Petani, Nelayan" in message
    assert "…" not in message


def test_a_long_list_of_choices_is_cut_to_ten():
    choices = [f"Desa {n}" for n in range(1, 16)]
    message = english_message(parse_choice, "Desa 99", choices)
    assert "Desa 10, …" in message
    assert "Desa 11" not in message


# --- formulas without a saved value -------------------------------------------------------------

SHEET = {"F5": 100000.0, "D6": 25000.0, "E6": 5000.0, "AB12": 3.0, "A1": "", "T1": "lunas"}


def lookup(name: str):
    return SHEET.get(name, "")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("=12500+12500", 25000),
        ("12500+12500", 25000),
        ("=F5+D6-E6", 120000),
        ("=$F$5*2", 200000),
        ("=F$5/$AB12", 100000 / 3),
        ("=ab12*2", 6),
        ("=-F5", -100000),
        ("=-(-3)", 3),
        ("=2+3*4", 14),
        ("=(2+3)*4", 20),
        ("=10-4-3", 3),  # left to right
        ("=100/10/2", 5),
        ("=1.5*2", 3.0),
        ("=F5*1.5%", 1500),
        ("= F5 + 1 ", 100001),
        ("=A1+7", 7),  # an empty cell counts as 0
        ("=Z99+7", 7),
        ("=1E3+1", 1001),
    ],
)
def test_simple_arithmetic_is_computed(formula, expected):
    assert evaluate_formula(formula, lookup) == pytest.approx(expected)


def test_whole_numbers_stay_whole():
    assert type(evaluate_formula("=12500+12500", lookup)) is int
    assert type(evaluate_formula("=10/4", lookup)) is float


def test_only_the_referenced_cells_are_looked_up_without_dollar_signs():
    asked: list[str] = []

    def cell(name: str):
        asked.append(name)
        return 1.0

    evaluate_formula("=$F$5+d6+AB$12", cell)
    assert asked == ["F5", "D6", "AB12"]


@pytest.mark.parametrize(
    "formula",
    [
        "=SUM(A1:A3)",
        "=A1:A3",
        "=Sheet2!A1",
        "='Data'!A1",
        '="Rp"&F5',
        '="a"',
        "=F5>0",
        "=F5=0",
        "=2^3",
        "=IF(F5,1,2)",
        "=LOG10(5)",
        "=TRUE",
        "=A0+1",
        "=ABCD1",
        "=1+",
        "=(1+2",
        "=1+2)",
        "=()",
        "=1 2",
        "=",
        "",
        "=__import__('os')",
        "=1E999",
        "=1" + "*99999999" * 50 + "*1.0E300",
        "=" + "1+" * 500 + "1",  # over the length limit
        "=" + "(" * (MAX_FORMULA_DEPTH + 1) + "1" + ")" * (MAX_FORMULA_DEPTH + 1),
        "=" + "-" * (MAX_FORMULA_DEPTH + 1) + "1",
    ],
)
def test_anything_else_is_unsupported_and_the_message_says_to_save_it_in_excel(formula):
    assert error_of(evaluate_formula, formula, lookup).code == "formula_unsupported"
    assert "Excel" in english_message(evaluate_formula, formula, lookup)


def test_the_limits_allow_formulas_up_to_them():
    assert len("=" + "1+" * 499 + "1") - 1 <= MAX_FORMULA_LENGTH
    assert evaluate_formula("=" + "1+" * 499 + "1", lookup) == 500
    nested = "=" + "(" * MAX_FORMULA_DEPTH + "1" + ")" * MAX_FORMULA_DEPTH
    assert evaluate_formula(nested, lookup) == 1


def test_a_referenced_cell_holding_text_is_unsupported_and_named():
    assert error_of(evaluate_formula, "=F5+T1", lookup).code == "formula_unsupported"
    assert "T1" in english_message(evaluate_formula, "=F5+T1", lookup)


@pytest.mark.parametrize("referenced", [True, datetime.date(2026, 1, 1), "12"])
def test_a_referenced_cell_that_is_not_a_number_is_unsupported(referenced):
    error = error_of(evaluate_formula, "=B2+1", lambda name: referenced)
    assert error.code == "formula_unsupported"


@pytest.mark.parametrize("formula", ["=1/0", "=F5/A1", "=F5/(D6-25000)"])
def test_division_by_zero_has_its_own_code(formula):
    assert error_of(evaluate_formula, formula, lookup).code == "formula_div_zero"


@st.composite
def arithmetic(draw, depth=0):
    """(formula text, its value), built side by side so the expected value needs no eval."""
    if depth > 3 or draw(st.booleans()):
        n = draw(st.integers(min_value=0, max_value=10**6))
        return str(n), n
    left_text, left = draw(arithmetic(depth + 1))
    right_text, right = draw(arithmetic(depth + 1))
    op = draw(st.sampled_from("+-*"))
    value = {"+": left + right, "-": left - right, "*": left * right}[op]
    if draw(st.booleans()):
        return f"-({left_text}{op}{right_text})", -value
    return f"({left_text}{op}{right_text})", value


@given(arithmetic())
def test_integer_arithmetic_is_computed_exactly(case):
    text, value = case
    assert evaluate_formula("=" + text, lookup) == value


# --- dispatch -----------------------------------------------------------------------------------


def test_every_value_type_but_choice_has_a_parser():
    assert set(PARSERS) == set(ValueType) - {ValueType.CHOICE}
    assert PARSERS[ValueType.AMOUNT]("Rp 1.000") == 1000
    assert PARSERS[ValueType.TEXT](" =1+1 ") == "=1+1"
    assert PARSERS[ValueType.DATE]("17-08-1975") == datetime.date(1975, 8, 17)
    assert PARSERS[ValueType.NIK](VALID_NIK) == VALID_NIK
    assert PARSERS[ValueType.PHONE]("08123456789") == "+628123456789"
    assert PARSERS[ValueType.INTEGER]("1.000") == 1000
    assert PARSERS[ValueType.DECIMAL]("1,5") == Decimal("1.5")
