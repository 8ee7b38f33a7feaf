"""Checks a form's purpose adds to its own fields and rules, registered by the app that knows
what the answers mean (loans checks a loan application against the product's limits; the
forms app knows nothing of loans). A check runs in the step where the last of its fields is
answered, and again when the submission is sent."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from website.templatetags.kopdes import rupiah

from .enums import FieldType
from .schema import FieldSpec

Problems = list[tuple[str | None, str]]


@dataclass(frozen=True)
class PurposeCheck:
    # The answers the check reads; it runs only once all of them are on the steps answered.
    fields: frozenset[str]
    # (answers, cooperative) → problems
    check: Callable[[dict[str, Any], Any], Problems]


_CHECKS: dict[str, list[PurposeCheck]] = defaultdict(list)


def register(purpose: str, check: PurposeCheck) -> None:
    if check not in _CHECKS[purpose]:
        _CHECKS[purpose].append(check)


def checks_for(purpose: str) -> list[PurposeCheck]:
    return list(_CHECKS.get(purpose, ()))


def purpose_problems(purpose: str, answers: dict[str, Any], cooperative: Any) -> Problems:
    """(field code or None, message) for every registered check of `purpose` that fails."""
    problems: Problems = []
    for item in checks_for(purpose):
        problems.extend(item.check(answers, cooperative))
    return problems


# --- Answers a purpose fills in from records it keeps (the monthly report from the books) -----


@dataclass(frozen=True)
class BookFigures:
    """What the records know for one key answer: typed answers by field code (a group as a list
    of row dicts) and notes for the person filling in about what they could not tell."""

    figures: dict[str, Any]
    notes: list[str]
    # What they are for, as people say it ("Oktober 2026").
    label: str = ""


@dataclass(frozen=True)
class PurposePrefill:
    # The answer that says what to fill in for (the month of a monthly report).
    key: str
    # (key answer, cooperative, input codes of the form version) → the figures it knows
    figures: Callable[[Any, Any, frozenset[str]], BookFigures]
    # The key's answer when a draft starts (None: none; the figures wait for the answer).
    default: Callable[[], Any] | None = None
    # A group's column that names its row (a business unit): rows are compared by it.
    row_keys: tuple[tuple[str, str], ...] = ()

    def row_key(self, group: str) -> str | None:
        return dict(self.row_keys).get(group)


_PREFILLS: dict[str, PurposePrefill] = {}


def register_prefill(purpose: str, prefill: PurposePrefill) -> None:
    _PREFILLS[purpose] = prefill


def prefill_for(purpose: str) -> PurposePrefill | None:
    return _PREFILLS.get(purpose)


# --- Comparing an answer with its figure from the books ---------------------------------------


def figure_display(spec: FieldSpec, value: Any) -> str:
    """A figure from the books as people read it (Rp 1.250.000, 120)."""
    if value is None or value == "":
        return "–"
    if spec.type == FieldType.RUPIAH:
        return rupiah(value) or str(value)
    if spec.type == FieldType.SINGLE_CHOICE:
        return dict(spec.choice_list()).get(value, str(value))
    if spec.type in {FieldType.INTEGER, FieldType.DECIMAL}:
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _rows_by_key(spec: FieldSpec, rows: Any, key: str) -> dict[Any, dict[str, Any]]:
    """A group's rows summed per key (two rows for one unit count together); rows whose
    figures are all nothing are left out, as a unit with nothing is a unit not listed."""
    numbers = [c.code for c in spec.columns if c.code != key]
    result: dict[Any, dict[str, Any]] = {}
    for row in rows or []:
        if not isinstance(row, dict) or row.get(key) in (None, ""):
            continue
        totals = result.setdefault(row[key], dict.fromkeys(numbers, 0))
        for code in numbers:
            value = row.get(code)
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                totals[code] += value
    return {k: v for k, v in result.items() if any(v.values())}


def group_figures(spec: FieldSpec, rows: Any, key: str) -> list[list[str]]:
    """A group's rows from the books as people read them: one list of cells per row, in the
    order of the group's columns."""
    return [
        [
            figure_display(column, unit if column.code == key else figures.get(column.code))
            for column in spec.columns
        ]
        for unit, figures in _rows_by_key(spec, rows, key).items()
    ]


def prefill_differences(
    spec: FieldSpec, answer: Any, book: Any, row_key: str | None = None
) -> list[tuple[str, str, str]]:
    """(what, figure in the books, answer) for every figure of `spec` the answer changes. An
    unanswered question differs from nothing (it is missing, which is said elsewhere)."""
    if answer is None or answer == "":
        return []
    if spec.type != FieldType.GROUP:
        return (
            []
            if answer == book
            else [(spec.label, figure_display(spec, book), figure_display(spec, answer))]
        )
    if not row_key:
        return [] if answer == book else [(spec.label, "…", "…")]
    columns = {c.code: c for c in spec.columns}
    books, answers = _rows_by_key(spec, book, row_key), _rows_by_key(spec, answer, row_key)
    differences = []
    for unit in [*books, *(k for k in answers if k not in books)]:
        for code in (c for c in columns if c != row_key):
            had = books.get(unit, {}).get(code, 0)
            given = answers.get(unit, {}).get(code, 0)
            if had != given:
                differences.append(
                    (
                        f"{figure_display(columns[row_key], unit)}, {columns[code].label}",
                        figure_display(columns[code], had),
                        figure_display(columns[code], given),
                    )
                )
    return differences


def explanation_message(spec: FieldSpec, differences: list[tuple[str, str, str]]) -> str:
    """What to say when an answer differs from the books and no reason is given."""
    if spec.type != FieldType.GROUP:
        _what, book, answer = differences[0]
        return _(
            "“%(label)s”: the books show %(book)s but the answer is %(answer)s. Write why the "
            "figure differs from the books."
        ) % {"label": spec.label, "book": book, "answer": answer}
    details = "; ".join(
        _("%(what)s: %(book)s in the books, %(answer)s in the answer")
        % {"what": what, "book": book, "answer": answer}
        for what, book, answer in differences
    )
    return _("“%(label)s” differs from the books (%(details)s). Write why the figures differ.") % {
        "label": spec.label,
        "details": details,
    }
