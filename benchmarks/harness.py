"""What every benchmark shares: timing one request at a time, ours and the anchor's interleaved,
and printing our figure, the anchor's figure and their ratio (DESIGN.md §7).

The machine is noisy, so absolute figures drift from run to run; the ratio of two medians taken
in the same loop, one request of ours then one of the anchor's, is what a budget is judged on.
"""

import gc
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

# One request, timed: returns its server time in milliseconds. Any untimed preparation (a fresh
# draft to submit, say) happens inside the probe before its clock starts.
Probe = Callable[[], float]


class BenchmarkError(RuntimeError):
    """A probe got an answer other than the one it measures (an error page is not a figure)."""


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Comparison:
    """Our figure against the anchor's for one path, with the largest ratio allowed."""

    path: str
    ours: Timing
    anchor: Timing
    budget: float

    @property
    def ratio(self) -> float:
        return self.ours.median / self.anchor.median

    @property
    def ok(self) -> bool:
        return self.ratio <= self.budget


@dataclass(frozen=True)
class Check:
    """A pass/fail property that is not a timing (e.g. a query count that must not grow)."""

    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    title: str
    comparisons: list[Comparison] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.comparisons) and all(c.ok for c in self.checks)


def timed(request: Callable[[], HttpResponse], *, expect: int) -> float:
    """Milliseconds one test-client request takes, after checking its status code."""
    start = time.perf_counter()
    response = request()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != expect:
        raise BenchmarkError(
            f"expected HTTP {expect}, got {response.status_code}: "
            f"{response.content[:300].decode(errors='replace')}"
        )
    return elapsed


def compare(
    path: str, ours: Probe, anchor: Probe, *, iterations: int, warmup: int, budget: float
) -> Comparison:
    """Run both probes `iterations` times, alternating, after `warmup` untimed rounds.

    Alternating means a burst of noise from elsewhere on the machine lands on both sides
    rather than on whichever happened to be running.
    """
    for _ in range(warmup):
        ours()
        anchor()
    gc.collect()
    ours_ms: list[float] = []
    anchor_ms: list[float] = []
    for _ in range(iterations):
        ours_ms.append(ours())
        anchor_ms.append(anchor())
    return Comparison(path, Timing(tuple(ours_ms)), Timing(tuple(anchor_ms)), budget)


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as captured:
        yield captured


def queries_of(request: Callable[[], HttpResponse], *, expect: int) -> int:
    """How many SQL queries one request runs."""
    with count_queries() as captured:
        timed(request, expect=expect)
    return len(captured.captured_queries)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[Any]) -> str:
        return " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def render(report: Report) -> str:
    """The report as plain text: the comparison table, then the other tables and checks."""
    parts = [f"== {report.title} =="]
    if report.comparisons:
        header = ["path", "ours ms", "anchor ms", "ratio", "budget", "result"]
        rows = [
            [
                c.path,
                f"{c.ours.median:.1f} (p90 {c.ours.p90:.1f})",
                f"{c.anchor.median:.1f} (p90 {c.anchor.p90:.1f})",
                f"{c.ratio:.2f}x",
                f"<= {c.budget:g}x",
                "OK" if c.ok else "OVER",
            ]
            for c in report.comparisons
        ]
        parts.append(_table(header, rows))
    for header, rows in report.tables:
        parts.append(_table(header, rows))
    for check in report.checks:
        parts.append(f"[{'OK' if check.ok else 'FAIL'}] {check.name}: {check.detail}")
    parts.extend(report.notes)
    return "\n\n".join(parts)


class QueryCounter:
    """Counts the statements a connection runs, by their first word (an execute_wrapper, far
    cheaper than CaptureQueriesContext); with `keep`, keeps the SELECTs' SQL and parameters."""

    def __init__(self, *, keep: bool = False) -> None:
        self.kinds: Counter[str] = Counter()
        self.keep = keep
        self.selects: list[tuple[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.kinds[kind] += 1
        if self.keep and kind == "SELECT":
            self.selects.append((sql, params))
        return execute(sql, params, many, context)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


@contextmanager
def counting(*, keep: bool = False) -> Iterator[QueryCounter]:
    counter = QueryCounter(keep=keep)
    with connection.execute_wrapper(counter):
        yield counter
