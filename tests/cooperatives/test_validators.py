import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cooperatives.validators import nik_birth_date, normalize_digits, normalize_nik, normalize_phone


class TestNik:
    def test_accepts_a_kaltim_nik_and_strips_separators(self):
        assert normalize_nik("6402 1617.0880\u00a00001") == "6402161708800001"

    def test_accepts_a_nik_from_another_province(self):
        # Members may hold a KTP from Sulawesi Selatan (73).
        assert normalize_nik("7371015508900002") == "7371015508900002"

    def test_women_have_forty_added_to_the_birth_day(self):
        birth, sex = nik_birth_date("6402165708800001")
        assert (birth.day, birth.month, birth.year, sex) == (17, 8, 1980, "P")

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("640216170880001", "nik_length"),  # 15 digits
            ("64021617088000012", "nik_length"),
            ("64021617088000AB", "nik_length"),
            ("9902161708800001", "nik_province"),  # 99 is no province
            ("6402163208800001", "nik_birth_day"),  # day 32
            ("6402167208800001", "nik_birth_day"),  # day 72 (32 + 40)
            ("6402163102800001", "nik_birth_date"),  # 31 February
            ("6402161713800001", "nik_birth_date"),  # month 13
            ("", "required"),
        ],
    )
    def test_refuses_with_a_specific_reason(self, value, code):
        with pytest.raises(ValidationError) as error:
            normalize_nik(value)
        assert error.value.code == code

    def test_a_nik_stored_as_a_number_is_refused_with_advice(self):
        with pytest.raises(ValidationError) as error:
            normalize_nik(6402161708800001.0)
        assert error.value.code == "nik_number"
        assert "Teks" in str(error.value.message)  # Bahasa Indonesia by default

    @given(
        day=st.integers(1, 28),
        month=st.integers(1, 12),
        year=st.integers(0, 99),
        female=st.booleans(),
        serial=st.integers(1, 9999),
    )
    def test_every_well_formed_nik_round_trips(self, day, month, year, female, serial):
        nik = f"640216{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"
        assert normalize_nik(nik) == nik
        birth, sex = nik_birth_date(nik)
        assert (birth.day, birth.month, birth.year % 100) == (day, month, year)
        assert sex == ("P" if female else "L")


class TestPhone:
    @pytest.mark.parametrize(
        "value",
        [
            "081234567890",
            "+6281234567890",
            "6281234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            81234567890,
            81234567890.0,
        ],
    )
    def test_every_common_way_of_writing_becomes_plus_62(self, value):
        assert normalize_phone(value) == "+6281234567890"

    @pytest.mark.parametrize(
        ("value", "code"),
        [
            ("0812", "phone_length"),
            ("+6012345678", "phone_country"),
            ("08a2345678", "phone_digits"),
            ("5551234567", "phone_prefix"),
        ],
    )
    def test_refuses_what_is_not_an_indonesian_number(self, value, code):
        with pytest.raises(ValidationError) as error:
            normalize_phone(value)
        assert error.value.code == code


def test_npwp_accepts_15_or_16_digits_and_drops_punctuation():
    assert normalize_digits("01.234.567.8-901.000", lengths=(15, 16), label="NPWP") == (
        "012345678901000"
    )
    with pytest.raises(ValidationError):
        normalize_digits("1234", lengths=(15, 16), label="NPWP")
