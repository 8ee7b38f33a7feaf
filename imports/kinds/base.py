"""What every import kind shares: the row plan, the context, and the contract a kind fulfils.

A kind declares its columns (imports.spec.Column) and answers three questions: what it needs to
know before the rows (`start`: existing records, lookups — always only the uploader's
cooperative), what one row means (`check_row`: a RowPlan saying create, update, unchanged or
invalid, with the reasons) and how the accepted rows are written (`apply`, inside the one
transaction the service opens).
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from ..enums import RowAction
from ..spec import Column

if TYPE_CHECKING:
    from cooperatives.models import Cooperative

    from ..models import ImportRun


@dataclass(slots=True)
class Problem:
    row: int
    column: str  # the letter Excel shows, "" when the problem is the whole row
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass(slots=True)
class RowPlan:
    number: int
    action: RowAction
    key: Any = None  # what identifies the record within the cooperative (a NIK, a voucher no.)
    label: str = ""  # how the preview names the row's record
    values: dict[str, Any] = field(default_factory=dict)  # the model fields to write
    existing: Any = None  # the stored record (or its id) an update changes
    before: dict[str, Any] = field(default_factory=dict)  # changed fields, old values
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    run: "ImportRun"
    cooperative: "Cooperative"
    letters: dict[str, str]  # column key → letter in this sheet
    headings: dict[str, str]  # column key → heading as the sheet writes it
    title_date: datetime.date | None = None  # a "Per 31 Oktober 2026" found above the table
    state: dict[str, Any] = field(default_factory=dict)  # the kind's own lookups

    def problem(self, plan: RowPlan, key: str, code: str, message: str | Promise) -> None:
        plan.problems.append(Problem(plan.number, self.letters.get(key, ""), code, str(message)))
        plan.action = RowAction.INVALID

    def warn(self, plan: RowPlan, key: str, code: str, message: str | Promise) -> None:
        plan.warnings.append(Problem(plan.number, self.letters.get(key, ""), code, str(message)))


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0


class Kind:
    """One importable book. Subclasses set the attributes and implement the three methods."""

    code: str
    sheet_title: str  # the template's sheet name, e.g. "Daftar Anggota"
    columns: tuple[Column, ...] = ()
    notes: tuple[str | Promise, ...] = ()  # for the template's Petunjuk sheet

    def columns_for(self, run: "ImportRun") -> Sequence[Column]:
        return self.columns

    def required(self, run: "ImportRun") -> list[str]:
        return [column.key for column in self.columns_for(run) if column.required]

    def start(self, ctx: Context) -> None:
        """Load what `check_row` needs, for `ctx.cooperative` only."""

    def check_row(self, ctx: Context, plan: RowPlan, values: dict[str, Any]) -> None:
        """Decide `plan.action` for one row whose cells have been read into `values` (column
        key → typed value, None when empty). Record problems with `ctx.problem`."""
        raise NotImplementedError

    def finish(self, ctx: Context, plans: list[RowPlan]) -> None:
        """Checks that need every row at once (batched lookups). Optional."""

    def apply(self, ctx: Context, plans: list[RowPlan]) -> ApplyResult:
        """Write the CREATE and UPDATE plans. Runs inside the service's transaction."""
        raise NotImplementedError

    def example_row(self, run: "ImportRun | None" = None) -> list[Any]:
        return [column.example for column in self.columns]


def changed_fields(
    stored: dict[str, Any],
    values: dict[str, Any],
    compare: Callable[[Any, Any], bool] | None = None,
) -> dict[str, Any]:
    """The fields whose new value differs from the stored one: {field: old value}."""
    same = compare or (lambda old, new: old == new)
    return {
        name: stored.get(name) for name, new in values.items() if not same(stored.get(name), new)
    }
