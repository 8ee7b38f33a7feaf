import datetime
from decimal import Decimal, getcontext, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.expressions import (
    MAX_DEPTH,
    ExpressionError,
    compile_expression,
    evaluate_condition,
)


def calc(source, **values):
    return compile_expression(source).evaluate(values)


def rejection(source):
    with pytest.raises(ExpressionError) as error:
        compile_expression(source)
    return error.value


class TestArithmetic:
    def test_multiplication_binds_tighter_than_addition(self):
        assert calc("2 + 3 * 4") == Decimal(14)
        assert calc("(2 + 3) * 4") == Decimal(20)

    def test_subtraction_and_division_go_left_to_right(self):
        assert calc("10 - 4 - 3") == Decimal(3)
        assert calc("100 / 10 / 5") == Decimal(2)

    def test_unary_minus(self):
        assert calc("-a * 2", a=3) == Decimal(-6)

    def test_decimal_literals_are_exact(self):
        result = calc("0.1 + 0.2")
        assert result == Decimal("0.3")
        assert isinstance(result, Decimal)

    def test_ints_and_floats_from_the_caller_become_decimals(self):
        assert calc("a + b", a=1, b=0.1) == Decimal("1.1")
        assert isinstance(calc("a", a=7), Decimal)

    def test_division_keeps_28_significant_digits_whatever_the_thread_context(self):
        with localcontext() as context:
            context.prec = 5
            result = calc("1 / 3")
            assert getcontext().prec == 5  # the caller's context is untouched
        assert result == Decimal("0." + "3" * 28)

    def test_division_by_zero_is_empty(self):
        assert calc("a / b", a=10, b=0) is None
        assert calc("0 / 0") is None

    def test_a_sum_of_many_lines_is_not_too_deep(self):
        source = " + ".join(f"line_{i}" for i in range(60))
        assert calc(source, **{f"line_{i}": i for i in range(60)}) == Decimal(sum(range(60)))

    def test_overflow_is_empty_not_an_error(self):
        assert calc("a * a", a=Decimal("1e600000")) is None


class TestEmptyFields:
    def test_missing_and_none_count_as_zero_when_adding_and_subtracting(self):
        assert calc("a + b - c", a=5, c=None) == Decimal(5)
        assert calc("a + b") == Decimal(0)

    def test_multiplying_or_dividing_an_empty_field_is_empty(self):
        assert calc("a * b", a=5) is None
        assert calc("a / b", b=5) is None

    def test_minus_an_empty_field_is_empty(self):
        assert calc("-a") is None
        assert calc("b + -a", b=4) == Decimal(4)

    def test_empty_equals_empty_but_is_never_ordered(self):
        assert calc("a == None") is True
        assert calc("a != 0") is True
        assert calc("a < 1") is False
        assert calc("a >= a") is False

    @pytest.mark.parametrize(
        ("value", "filled"),
        [(None, False), ("", False), ([], False), (0, True), ("x", True), (False, True)],
    )
    def test_filled(self, value, filled):
        assert calc("filled(a)", a=value) is filled

    def test_wrong_kinds_give_an_empty_result(self):
        assert calc("a + 1", a="10") is None  # text is never read as a number
        assert calc("a * 2", a=True) is None
        assert calc("a - b", a=datetime.date(2025, 1, 1), b=1) is None


class TestComparisons:
    def test_chained_comparison_checks_every_pair(self):
        assert calc("0 < a <= 100", a=100) is True
        assert calc("0 < a <= 100", a=101) is False
        assert calc("a == b == c", a=1, b=Decimal("1.00"), c=1.0) is True

    def test_text_compares_as_text_and_never_with_numbers(self):
        assert calc("a < b", a="apel", b="beras") is True
        assert calc("a < 10", a="9") is False
        assert calc("a == 9", a="9") is False

    def test_true_is_not_one(self):
        assert calc("a == 1", a=True) is False

    def test_dates_compare_with_dates_only(self):
        today, later = datetime.date(2025, 1, 1), datetime.date(2025, 6, 1)
        assert calc("a < b", a=today, b=later) is True
        assert calc("a < b", a=today, b=datetime.datetime(2025, 6, 1)) is False
        naive = datetime.datetime(2025, 1, 1)
        aware = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        assert calc("a < b", a=naive, b=aware) is False

    def test_in_and_not_in_a_list(self):
        assert calc("status in ['aktif', 'baru']", status="aktif") is True
        assert calc("status not in ('aktif', 'baru')", status="tutup") is True
        assert calc("a in [1, 2]", a=2) is True

    def test_balance_sheet_rule(self):
        rule = compile_expression("total_assets == total_liabilities + total_equity")
        balanced = {"total_assets": Decimal("150.50"), "total_liabilities": 50}
        assert evaluate_condition(rule, {**balanced, "total_equity": Decimal("100.5")}) is True
        assert evaluate_condition(rule, {**balanced, "total_equity": 100}) is False

    def test_and_or_not_give_booleans(self):
        assert calc("a and b", a=1, b="x") is True
        assert calc("a or b") is False
        assert calc("not a") is True

    def test_conditional_expression(self):
        assert calc("'lunas' if paid >= owed else 'belum'", paid=5, owed=5) == "lunas"
        assert calc("'lunas' if paid >= owed else 'belum'", owed=5) == "belum"

    @pytest.mark.parametrize(
        ("value", "holds"), [(None, False), (0, False), ("", False), ([], False), (1, True)]
    )
    def test_a_condition_is_false_when_empty(self, value, holds):
        assert evaluate_condition(compile_expression("a"), {"a": value}) is holds


class TestFunctions:
    def test_round_halves_away_from_zero(self):
        assert calc("round(2.5)") == Decimal(3)
        assert calc("round(-2.5)") == Decimal(-3)
        assert calc("round(a, 2)", a=Decimal("1.005")) == Decimal("1.01")
        assert calc("round(a, ndigits=1)", a=Decimal("0.25")) == Decimal("0.3")

    def test_round_to_thousands_gives_a_plain_number(self):
        result = calc("round(a, -3)", a=1_234_567)
        assert result == Decimal(1_235_000)
        assert str(result) == "1235000"

    def test_round_with_a_bad_number_of_places_is_empty(self):
        assert calc("round(1.5, 0.5)") is None
        assert calc("round(1.5, 100)") is None
        assert calc("round(a)") is None

    def test_min_max_skip_empty_fields(self):
        assert calc("min(a, b, c)", a=3, c=1) == Decimal(1)
        assert calc("max(a, b)", a=3) == Decimal(3)
        assert calc("max(a, b)") is None
        assert calc("max(a, b)", a=3, b="x") is None

    def test_abs(self):
        assert calc("abs(a)", a=-4) == Decimal(4)
        assert calc("abs(a)") is None


class TestRepeatingGroups:
    founders = [
        {"name": "Siti", "capital": Decimal("1500000")},
        {"name": "Budi", "capital": 2_500_000},
        {"name": "Rahmat", "capital": None},
        {"name": "Ani"},
    ]

    def test_sum_of_a_column_treats_empty_cells_as_zero(self):
        assert calc("sum(founders.capital)", founders=self.founders) == Decimal(4_000_000)

    def test_count_counts_filled_cells_and_rows(self):
        assert calc("count(founders.capital)", founders=self.founders) == Decimal(2)
        assert calc("count(founders)", founders=self.founders) == Decimal(4)

    def test_min_and_max_of_a_column(self):
        assert calc("max(founders.capital)", founders=self.founders) == Decimal(2_500_000)
        assert calc("min(founders.name)", founders=self.founders) == "Ani"

    def test_a_column_of_a_missing_group_is_an_empty_list(self):
        assert calc("founders.capital") == []
        assert calc("sum(founders.capital)") == Decimal(0)

    def test_text_in_a_summed_column_makes_the_sum_empty(self):
        assert calc("sum(g.x)", g=[{"x": 1}, {"x": "dua"}]) is None

    def test_sum_of_a_list_literal(self):
        assert calc("sum([a, b, 1.5])", a=1) == Decimal("2.5")


class TestNames:
    def test_names_and_group_columns_are_reported(self):
        expression = compile_expression(
            "sum(founders.capital) + min(a, b.c) if filled(flag) else count(founders.name)"
        )
        assert expression.names == frozenset({"founders", "a", "b", "flag"})
        assert expression.group_columns == frozenset(
            {("founders", "capital"), ("b", "c"), ("founders", "name")}
        )

    def test_function_names_and_literals_are_not_fields(self):
        assert compile_expression("round(1.5) + 2").names == frozenset()


class TestRejected:
    @pytest.mark.parametrize(
        ("source", "code"),
        [
            ("__import__('os')", "unknown_function"),
            ("open('f')", "unknown_function"),
            ("f(x=1)", "unknown_function"),
            ("eval('1')", "unknown_function"),
            ("().__class__", "attribute"),
            ("a.b.c", "attribute"),
            ("a.__class__", "name"),
            ("__builtins__", "name"),
            ("Total", "name"),
            ("x[0]", "not_allowed"),
            ("lambda: 1", "not_allowed"),
            ("[x for x in y]", "not_allowed"),
            ("{x: 1}", "not_allowed"),
            ("f'{x}'", "not_allowed"),
            ("(y := 1)", "not_allowed"),
            ("a.b()", "not_allowed"),
            ("sum(*a)", "not_allowed"),
            ("1j", "not_allowed"),
            ("b'x'", "not_allowed"),
            ("2 ** 1000000", "operator"),
            ("7 // 2", "operator"),
            ("7 % 2", "operator"),
            ("a & b", "operator"),
            ("~a", "operator"),
            ("+a", "operator"),
            ("a is None", "operator"),
            ("a in b", "in_needs_list"),
            ("sum(a, b)", "arguments"),
            ("round(a, digits=1)", "arguments"),
            ("round(ndigits=1)", "arguments"),
            ("sum(x=1)", "arguments"),
            ("max()", "arguments"),
            ("sum(**a)", "arguments"),
            ("1 +", "syntax"),
            ("", "syntax"),
            ("a = 1", "syntax"),
            ("import os", "syntax"),
            ("x" * 5_000, "too_long"),
            ("[" + "a, " * 250 + "]", "too_complex"),
            ("(" * 250 + "1" + ")" * 250, "syntax"),  # Python's parser stops at 200 brackets
            ("(1 + " * 40 + "1" + ")" * 40, "too_deep"),
            ("abs(" * 40 + "x" + ")" * 40, "too_deep"),
            ("-" * 999 + "1", "too_complex"),
            ("not " * 40 + "a", "too_deep"),
        ],
    )
    def test_is_refused_with_a_specific_reason(self, source, code):
        assert rejection(source).code == code

    def test_nesting_up_to_the_limit_is_allowed(self):
        source = "abs(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)
        assert compile_expression(source).evaluate({"x": -1}) == Decimal(1)
        assert rejection("abs(" + source + ")").code == "too_deep"

    def test_brackets_around_a_single_value_nest_nothing(self):
        assert calc("(" * 40 + "x" + ")" * 40, x=1) == Decimal(1)

    def test_message_names_the_culprit_in_plain_words(self):
        error = rejection("open('f')")
        assert "open" in str(error)
        assert error.params["text"] == "open"
        assert "“**”" in str(rejection("2 ** 10"))
        assert "x[0]" in str(rejection("x[0] + 1"))

    def test_is_a_value_error(self):
        assert isinstance(rejection("x[0]"), ValueError)


# --- Properties ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(),  # includes NaN, sNaN and infinities
    st.floats(),
    st.text(max_size=5),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, datetime.UTC])),
    st.times(),
    st.builds(object),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["capital", "name", "x"]), inner, max_size=3)
    ),
    max_leaves=12,
)
submissions = st.dictionaries(st.sampled_from(["a", "b", "c", "founders"]), anything)

PROPERTY_EXPRESSIONS = [
    compile_expression(source)
    for source in [
        "a + b * c - a / b",
        "-a + sum(founders.capital) / count(founders.capital)",
        "a if b > c else -c",
        "min(a, b, c) <= max(founders.capital) < max(founders.name)",
        "min(founders) == max(a)",
        "round(a / 3, b) + round(c, -2)",
        "abs(a) + sum([a, b, c]) + count(founders) + sum(a)",
        "a in [1, 'x', None, b] and not (b == c != a) or filled(founders)",
        "founders.capital == founders.name or a < b < c >= 'teks'",
        "[a, founders.x] == [b, c]",
    ]
]


@pytest.mark.parametrize("expression", PROPERTY_EXPRESSIONS, ids=lambda e: e.source)
@given(values=submissions)
def test_evaluate_never_raises(expression, values):
    expression.evaluate(values)
    assert evaluate_condition(expression, values) in (True, False)


@given(
    capitals=st.lists(
        st.none()
        | st.integers(-(10**12), 10**12)
        | st.decimals(-(10**9), 10**9, places=2, allow_nan=False, allow_infinity=False),
        max_size=20,
    )
)
def test_sum_of_a_column_equals_the_sum_of_its_numbers(capitals):
    founders = [{"name": "anggota", "capital": capital} for capital in capitals]
    expected = sum((Decimal(c) for c in capitals if c is not None), Decimal(0))
    assert calc("sum(founders.capital)", founders=founders) == expected


@given(source=st.text(alphabet="ab_.0123456789()[]+-*/<>=!,'\" ifelsnotrdumxc", max_size=60))
def test_compiling_any_text_either_works_or_raises_expression_error(source):
    try:
        expression = compile_expression(source)
    except ExpressionError:
        return
    expression.evaluate({"a": 1, "b": [{"c": 2}]})
