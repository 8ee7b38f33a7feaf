"""Books: the statements of one cooperative with 5 years of books (about 50,000 journal lines),
and the province's monthly roll-up over every cooperative — `finance.rollup.province_rollup`
(aggregate queries) against `finance.rollup.rollup_naive` (cooperative by cooperative through
`finance.balances`), in the same run, on the same data (issue 7, acceptance point 11).

Run it alone with `.venv/bin/python benchmarks/run.py books [--quick] [--strict]` (the same:
`.venv/bin/python -m benchmarks.books_bench [--quick] [--strict]`, or
`make bench BENCH_ARGS="books --strict"`); `make bench` runs it with the others. As with every
benchmark, the exit status is 1 on a missed budget only with --strict.

Budgets (acceptance):
- the trial balance (neraca saldo) of the last year, the neraca at its last day and the PHU of
  that year each answer in under 500 ms (median wall-clock time of RUNS runs), for the
  cooperative with 5 years of books — measured twice: with its books alone in the database, and
  again at the end, among the books of every cooperative of the province;
- the province roll-up runs the same number of queries at every number of cooperatives;
- it is faster than the naive loop at every size.
Checked before any timing is trusted: the statements' totals equal those of the same lines
summed in Python (the anchor), the trial balance and the neraca balance, and a statement of the
first year runs as many queries as one of the last (the count does not grow with the books);
the roll-up and the naive loop give identical figures for every cooperative at every size.
Printed beside them, not judged: arus kas and perubahan ekuitas of the last year, and the
roll-up's time at full scale against the dashboards' 300 ms (DESIGN.md §7; a dashboard issue
of its own).

The data:
- the big cooperative (the first village of the list): 300 members joining over its first
  year, sub-accounts 1-101.01 Kas gerai, 1-102.01 Bank BRI and 1-102.02 Bank BPD Kaltim, and
  every month: simpanan wajib of every member (in entries of 30 members), 60 simpanan sukarela
  deposits and withdrawals, 5 member loans paid out and the instalments of the running ones
  (principal and jasa, now and then a late penalty), the grocery store's daily sales and their
  cost, stock bought, the pharmacy, clinic, warehouse and logistics units, salaries, utilities,
  depreciation and the bank loan's instalment; each April the RAT and the previous year's SHU
  shared out (Dr 3-301 / Cr 3-201, 2-104) and later paid. 1 January 2021 to 31 December 2025
  (KOPDES_BENCH_BOOKS_YEARS back from 2025);
- the other cooperatives, one per village, grown in steps to each size (100 / 500 / 1,038; 20 /
  50 / 100 with --quick) so that at each size the database holds exactly that many, the big one
  included: 4 members each, MONTHS months of books to ROLLUP_MONTH (24; 6 with --quick) of about
  LINES lines a month (20): savings, sales and their cost, stock, a loan's instalment, salary,
  sukarela, clinic income; a grant, the pokok and a loan in the first month; every third with
  a bank sub-account, every fifth with a cash sub-account; every tenth stopped booking two
  months before ROLLUP_MONTH (so not every cooperative booked the month).
Entries and lines are written with bulk_create (each entry checked to balance first); the
journal services would check the same and number them the same way.

The measurements: statements in RUNS runs after 2 untimed ones, ours then the anchor in each
(the anchor: the lines the statement sums read into Python with their account's type and
summed there — what a first version would do, and the check of its totals); the roll-up in
ROUNDS interleaved rounds at each size (the aggregate first, then the order flips each round).
Queries are counted with `connection.execute_wrapper`. CPU seconds are printed beside wall-clock
seconds: on SQLite the database works in the same process, so on a busy machine they show what
a quiet one would.

The whole benchmark runs in its own process (`python -m benchmarks.books_bench child …`) on its
own SQLite file. KOPDES_BENCH_BOOKS_DATABASE_URL=postgres://… runs it on PostgreSQL instead: a
new, empty database that it migrates and fills (it refuses one that holds cooperatives; it does
not read DATABASE_URL, so that it never writes into a real database). Other settings from the
environment: KOPDES_BENCH_BOOKS_YEARS (5), KOPDES_BENCH_BOOKS_SIZES ("100,500,1038"),
KOPDES_BENCH_BOOKS_MONTHS (24), KOPDES_BENCH_BOOKS_LINES (20), KOPDES_BENCH_BOOKS_RUNS (15; 3
with --quick), KOPDES_BENCH_BOOKS_ROUNDS (3; 1 with --quick).
"""

import argparse
import datetime
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import BenchmarkError, Check, Report, counting

ROOT = Path(__file__).resolve().parent.parent

YEARS, QUICK_YEARS = 5, 1
SIZES, QUICK_SIZES = (100, 500, 1_038), (20, 50, 100)
MONTHS, QUICK_MONTHS = 24, 6
LINES = 20
RUNS, QUICK_RUNS = 15, 3
WARMUP = 2
ROUNDS, QUICK_ROUNDS = 3, 1
BUDGET_MS = 500.0  # each of the three statements, median
DASHBOARD_MS = 300.0  # DESIGN.md §7, for information
LAST_YEAR = 2025  # the big cooperative's books end on 31 December of it
ROLLUP_MONTH = datetime.date(2025, 10, 1)  # the month the province rolls up
DATABASE_URL_ENV = "KOPDES_BENCH_BOOKS_DATABASE_URL"
BIG_MEMBERS = 300
SMALL_MEMBERS = 4
BATCH = 1_000  # rows per bulk_create batch (Django cuts it to 999 parameters on SQLite)
CHUNK = 100  # small cooperatives written per transaction
BUDGETED = ("trial balance", "neraca", "PHU")

_FIRST = (
    "Siti", "Ahmad", "Muhammad", "Nur", "Dewi", "Budi", "Sri", "Agus", "Rina", "Hendra",
    "Yuliani", "Rudi", "Wahyuni", "Eko", "Fitri", "Joko", "Ani", "Bambang", "Lestari", "Andi",
)  # fmt: skip
_LAST = (
    "Aminah", "Saputra", "Rahman", "Hidayat", "Wati", "Santoso", "Pratama", "Kurniawan", "Sari",
    "Gunawan", "Setiawan", "Hakim", "Nugroho", "Susanti", "Wijaya", "Ramadhan",
)  # fmt: skip


# --- the parent: one child process, then the report -------------------------------------------


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_sizes(default: tuple[int, ...]) -> list[int]:
    value = os.environ.get("KOPDES_BENCH_BOOKS_SIZES", "").strip()
    sizes = [int(part) for part in value.split(",") if part.strip()] if value else list(default)
    if not sizes or any(size < 2 or size > 1_038 for size in sizes):
        raise BenchmarkError(
            f"KOPDES_BENCH_BOOKS_SIZES: sizes from 2 to 1,038 (the villages), please, not {value!r}"
        )
    return sorted(set(sizes))


def run(*, iterations: int, warmup: int, quick: bool = False) -> Report:
    """`iterations` and `warmup` do not apply (each statement runs RUNS times, the roll-up
    ROUNDS rounds at each size); `quick` builds a year of books and a tenth of the sizes."""
    from django.conf import settings

    years = max(1, _env_int("KOPDES_BENCH_BOOKS_YEARS", QUICK_YEARS if quick else YEARS))
    sizes = _env_sizes(QUICK_SIZES if quick else SIZES)
    months = max(1, _env_int("KOPDES_BENCH_BOOKS_MONTHS", QUICK_MONTHS if quick else MONTHS))
    lines = max(8, _env_int("KOPDES_BENCH_BOOKS_LINES", LINES))
    runs = max(1, _env_int("KOPDES_BENCH_BOOKS_RUNS", QUICK_RUNS if quick else RUNS))
    rounds = max(1, _env_int("KOPDES_BENCH_BOOKS_ROUNDS", QUICK_ROUNDS if quick else ROUNDS))
    folder = Path(settings.BENCH_DIR) / "books"  # type: ignore[misc]
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "result.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "KOPDES_BENCH_DIR": str(folder),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [
        sys.executable,
        "-m",
        "benchmarks.books_bench",
        "child",
        *("--years", str(years), "--sizes", ",".join(map(str, sizes))),
        *("--months", str(months), "--lines", str(lines)),
        *("--runs", str(runs), "--rounds", str(rounds), "--out", str(out)),
    ]
    print(
        f"books: {years} year(s) of books for one cooperative; the roll-up at "
        f"{', '.join(f'{size:,}' for size in sizes)} cooperatives with {months} months of "
        f"~{lines} lines",
        flush=True,
    )
    # The child's progress lines and any traceback go straight to our own output.
    finished = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if finished.returncode != 0 or not out.exists():
        raise BenchmarkError(f"the books benchmark failed (exit {finished.returncode})")
    return _report(json.loads(out.read_text()), quick=quick)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _queries_cell(kinds: dict[str, int]) -> str:
    parts = " + ".join(f"{count:,} {kind}" for kind, count in sorted(kinds.items()))
    return f"{sum(kinds.values()):,} ({parts})" if len(kinds) > 1 else f"{sum(kinds.values()):,}"


def _statement_rows(phase: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, found in phase["statements"].items():
        ours = found["ms"]
        row = [
            name,
            f"{_median(ours):.1f} (p90 {_p90(ours):.1f})",
            f"{_median(found['cpu_ms']):.1f}",
            f"{found['queries']:,}",
        ]
        if found.get("anchor_ms"):
            anchor = found["anchor_ms"]
            row += [
                f"{_median(anchor):.1f} (p90 {_p90(anchor):.1f})",
                f"{_median(anchor) / _median(ours):.1f}x",
                f"< {BUDGET_MS:g} ms",
                "OK" if _median(ours) < BUDGET_MS else "OVER",
            ]
        else:
            row += ["", "", "(info)", ""]
        rows.append(row)
    return rows


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _report(result: dict[str, Any], *, quick: bool) -> Report:
    big = result["big"]
    sizes = result["sizes"]
    largest = sizes[-1]
    report = Report(
        f"books: statements of a cooperative with {big['years']} years of books "
        f"({big['lines']:,} journal lines), and the province's roll-up of "
        f"{result['month']} over up to {largest['cooperatives']:,} cooperatives — aggregate "
        f"(finance.rollup.province_rollup) vs naive cooperative by cooperative, on "
        f"{result['vendor']}"
    )

    # The statements: alone, then among every cooperative's books.
    header = [
        "statement",
        "ours ms",
        "CPU ms",
        "queries",
        "anchor ms (lines summed in Python)",
        "anchor / ours",
        "budget",
        "result",
    ]
    for phase in result["statements"]:
        report.tables.append(
            ([f"{phase['label']}: {header[0]}", *header[1:]], _statement_rows(phase))
        )

    # The roll-up at each size.
    rows = []
    for size in sizes:
        agg, naive = size["aggregate"], size["naive"]
        a_s, n_s = _median(agg["seconds"]), _median(naive["seconds"])
        rows.append(
            [
                f"{size['cooperatives']:,}",
                f"{size['lines']:,}",
                f"{a_s * 1000:.0f} (CPU {_median(agg['cpu_s']) * 1000:.0f})",
                _queries_cell(agg["queries"][0]),
                f"{n_s * 1000:.0f} (CPU {_median(naive['cpu_s']) * 1000:.0f})",
                _queries_cell(naive["queries"][0]),
                f"{n_s / a_s:.1f}x",
            ]
        )
    report.tables.append(
        (
            [
                "cooperatives",
                "journal lines in the database",
                "aggregate ms",
                "aggregate queries",
                "naive ms",
                "naive queries",
                "naive / aggregate",
            ],
            rows,
        )
    )

    # What the roll-up found at the largest size, per regency and for the province.
    figures = (
        "cash_bank",
        "loans_outstanding",
        "savings_total",
        "total_assets",
        "revenue",
        "shu_month",
        "shu_year_to_date",
    )
    rows = [
        [
            f"{region['code']} {region['name']}",
            f"{region['cooperatives']:,} ({region['booked']:,})",
            *(_rupiah(region[key]) for key in figures),
        ]
        for region in result["regions"]
    ]
    totals = result["totals"]
    rows.append(
        [
            "Kalimantan Timur",
            f"{largest['cooperatives']:,} ({result['booked']:,})",
            *(_rupiah(totals[key]) for key in figures),
        ]
    )
    report.tables.append(
        (
            [
                f"{result['month']}, {largest['cooperatives']:,} cooperatives: regency",
                "cooperatives (booked the month)",
                "kas + bank",
                "pinjaman anggota",
                "simpanan",
                "aset",
                "pendapatan bulan",
                "SHU bulan",
                "SHU s.d. bulan",
            ],
            rows,
        )
    )

    # The checks.
    for phase in result["statements"]:
        for name in BUDGETED:
            found = phase["statements"][name]
            report.checks.append(
                Check(
                    f"{phase['label']}: {name} under {BUDGET_MS:g} ms (median of "
                    f"{len(found['ms'])} runs, wall-clock)",
                    _median(found["ms"]) < BUDGET_MS,
                    f"{_median(found['ms']):.1f} ms (p90 {_p90(found['ms']):.1f}, CPU "
                    f"{_median(found['cpu_ms']):.1f}), {found['queries']} queries",
                )
            )
    mismatched = [
        f"{phase['label']}: {name}: {found['mismatch']}"
        for phase in result["statements"]
        for name, found in phase["statements"].items()
        if found.get("mismatch")
    ]
    report.checks.append(
        Check(
            "the statements' totals equal the lines summed in Python, the trial balance and the "
            "neraca balance",
            not mismatched and all(phase["balanced"] for phase in result["statements"]),
            "; ".join(mismatched)
            or "; ".join(
                f"{phase['label']}: {phase['compared']}" for phase in result["statements"]
            ),
        )
    )
    growth = result["query_growth"]
    report.checks.append(
        Check(
            "a statement's query count does not grow with the books "
            f"({growth['first_year']} vs {growth['last_year']})",
            all(growth["first"][name] == growth["last"][name] for name in growth["first"]),
            " · ".join(
                f"{name}: {growth['first'][name]} / {growth['last'][name]}"
                for name in growth["first"]
            ),
        )
    )
    mismatches = [size for size in sizes if size["mismatches"]]
    compared = sum(size["compared"] for size in sizes)
    report.checks.append(
        Check(
            "aggregate and naive roll-up give identical figures for every cooperative "
            "(timings trusted)",
            not mismatches,
            f"{compared:,} cooperative figures compared at {len(sizes)} sizes, all equal"
            if not mismatches
            else "; ".join(
                f"{size['cooperatives']:,}: {size['mismatches']:,} differ, e.g. {size['examples']}"
                for size in mismatches
            ),
        )
    )
    counts = [sum(size["aggregate"]["queries"][0].values()) for size in sizes]
    varying = [
        size["cooperatives"]
        for size in sizes
        if any(q != size["aggregate"]["queries"][0] for q in size["aggregate"]["queries"])
    ]
    report.checks.append(
        Check(
            "the aggregate roll-up's query count does not grow with the cooperatives",
            len(set(counts)) == 1 and not varying,
            " · ".join(
                f"{size['cooperatives']:,}: {_queries_cell(size['aggregate']['queries'][0])}"
                for size in sizes
            )
            + " (naive: "
            + " · ".join(
                f"{size['cooperatives']:,}: {sum(size['naive']['queries'][0].values()):,}"
                for size in sizes
            )
            + ")"
            + (f" (differs between rounds at {varying})" if varying else ""),
        )
    )
    speedups = [
        (
            size["cooperatives"],
            _median(size["naive"]["seconds"]) / _median(size["aggregate"]["seconds"]),
            _median(size["naive"]["cpu_s"]) / _median(size["aggregate"]["cpu_s"]),
        )
        for size in sizes
    ]
    report.checks.append(
        Check(
            "the aggregate roll-up is faster than the naive loop at every size (wall-clock)",
            all(speedup > 1 for _n, speedup, _cpu in speedups),
            " · ".join(
                f"{n:,}: {speedup:.1f}x faster (CPU {cpu:.1f}x)" for n, speedup, cpu in speedups
            ),
        )
    )

    full = _median(largest["aggregate"]["seconds"]) * 1000
    full_cpu = _median(largest["aggregate"]["cpu_s"]) * 1000
    report.notes.append(
        f"For information: the aggregate roll-up at {largest['cooperatives']:,} cooperatives "
        f"took {full:.0f} ms (median; CPU {full_cpu:.0f} ms), "
        + (
            f"within the dashboards' {DASHBOARD_MS:g} ms"
            if full <= DASHBOARD_MS
            else f"over the dashboards' {DASHBOARD_MS:g} ms (DESIGN.md §7 plans summaries "
            "refreshed by jobs for dashboards)"
        )
        + f"; region_rollup per regency added {result['regions_ms']:.1f} ms and "
        f"{result['regions_queries']} query."
    )
    report.notes.append(
        f"The big cooperative: {big['members']:,} members, {big['entries']:,} entries, "
        f"{big['lines']:,} lines from {big['first']} to {big['last']} "
        f"({', '.join(f'{year}: {count:,}' for year, count in big['per_year'].items())}), "
        f"{big['accounts']} accounts used; built in {big['build_s']:.1f} s. Statements of "
        f"{result['statement_year']}: trial balance and PHU from 1 January to 31 December, the "
        "neraca at 31 December beside the year before; the anchor reads the lines up to the "
        "end (trial balance, neraca) or of the year (PHU) with their account's type."
    )
    data = result["data"]
    report.notes.append(
        f"The roll-up's data at {largest['cooperatives']:,} cooperatives: "
        f"{data['entries']:,} entries, {data['lines']:,} lines, {data['members']:,} members, "
        f"{data['sub_accounts']:,} sub-accounts; {result['months']} months to "
        f"{result['month']} of ~{result['lines_per_month']} lines; "
        f"{result['booked']:,} cooperatives booked {result['month']}. Grown in "
        + ", ".join(f"{step['seconds']:.1f} s" for step in result["steps"])
        + f"; database {result['vendor']} {result['version']}, migrated in "
        f"{result['migrate_s']:.1f} s."
    )
    for plan in result["plans"]:
        report.notes.append(
            f"Plan of the aggregate roll-up's query at {largest['cooperatives']:,} cooperatives "
            f"({plan['sql'][:140]}…):\n  " + "\n  ".join(plan["plan"])
        )
    report.notes.append(
        "The naive roll-up runs, for each cooperative, finance.balances.balances_by_code (2 "
        "queries), balances_by_control, account_movements of the month and results_by_unit of "
        "the month and of the year (6 queries); the aggregate one query for the cooperatives and "
        "one GROUP BY cooperative over the lines up to the month's end with a conditional sum "
        f"per figure. Books benchmark took {result['elapsed_s']:.0f} s in all."
    )
    if quick:
        report.notes.append(
            "--quick: a year of books, a tenth of the sizes, few runs: proves it runs, "
            "measures little."
        )
    return report


# --- the child: build, measure, write the result -----------------------------------------------


# The data.

# One line to write: account, debit, credit, member id, business unit (None: the account's).
LineSpec = tuple[Any, int, int, int | None, str | None]


@dataclass(frozen=True)
class EntrySpec:
    date: datetime.date
    description: str
    source: str
    lines: tuple[LineSpec, ...]


def _d(account: Any, amount: int, member: int | None = None, unit: str | None = None) -> LineSpec:
    return (account, amount, 0, member, unit)


def _c(account: Any, amount: int, member: int | None = None, unit: str | None = None) -> LineSpec:
    return (account, 0, amount, member, unit)


def _month_end(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _months(first: datetime.date, count: int) -> list[datetime.date]:
    months, month = [], first
    for _number in range(count):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _thousands(value: float) -> int:
    return max(1_000, round(value / 1_000) * 1_000)


class Books:
    """Entries for one cooperative, each checked to balance as it is added; keeps the year's
    revenue − expenses for the SHU shared out after the RAT."""

    def __init__(self) -> None:
        self.entries: list[EntrySpec] = []
        self.results: Counter[int] = Counter()

    def add(self, date: datetime.date, description: str, source: str, *lines: LineSpec) -> None:
        debit = sum(line[1] for line in lines)
        credit = sum(line[2] for line in lines)
        if debit != credit or any((line[1] > 0) == (line[2] > 0) for line in lines):
            raise BenchmarkError(f"unbalanced bench entry {description} on {date}: {lines}")
        for account, line_debit, line_credit, _member, _unit in lines:
            if account.type == "revenue":
                self.results[date.year] += line_credit - line_debit
            elif account.type == "expense":
                self.results[date.year] -= line_debit - line_credit
        self.entries.append(EntrySpec(date, description, source, tuple(lines)))


def big_books(
    a: dict[str, Any], subs: dict[str, Any], members: list[tuple[int, datetime.date]], years: int
) -> Books:
    """The big cooperative's books: see the module docstring."""
    rng = random.Random(2021)  # noqa: S311 (test data, not secrets)
    books = Books()
    add = books.add
    kas, kas_gerai, bri, bpd = a["1-101"], subs["kas_gerai"], subs["bri"], subs["bpd"]
    manual, savings, loan = "manual", "savings", "loan"
    gerai, apotek = "gerai_sembako", "apotek"
    first = datetime.date(LAST_YEAR - years + 1, 1, 1)
    add(first.replace(day=6), "Hibah modal awal dana desa", manual, _d(bri, 600_000_000),
        _c(a["3-202"], 600_000_000))  # fmt: skip
    add(first.replace(day=20), "Pembangunan gerai dan gudang", manual,
        _d(a["1-202"], 250_000_000), _d(a["1-204"], 60_000_000), _c(bri, 310_000_000))  # fmt: skip
    add(first.replace(month=3), "Pembiayaan Himbara (PMK 49/2025)", manual,
        _d(bpd, 1_200_000_000), _c(a["2-201"], 1_200_000_000))  # fmt: skip
    bank_loan = 1_200_000_000
    sukarela: dict[int, int] = {}
    loans: list[list[int]] = []  # member, principal left, instalment, jasa
    for month in _months(first, 12 * years):
        end = _month_end(month)
        days = end.day

        def day(number: int, month: datetime.date = month, days: int = days) -> datetime.date:
            return month.replace(day=min(max(1, number), days))

        joined = [pk for pk, joined_on in members if joined_on <= end]
        new = [pk for pk, joined_on in members if month <= joined_on <= end]
        for start in range(0, len(new), 30):
            batch = new[start : start + 30]
            add(day(5), "Simpanan pokok anggota baru", savings, _d(kas, 100_000 * len(batch)),
                *(_c(a["3-101"], 100_000, pk) for pk in batch))  # fmt: skip
        for number, start in enumerate(range(0, len(joined), 30)):
            batch = joined[start : start + 30]
            add(day(10 + number), f"Simpanan wajib {month:%m/%Y}", savings,
                _d(kas, 50_000 * len(batch)),
                *(_c(a["3-102"], 50_000, pk) for pk in batch))  # fmt: skip
        for number in range(60):
            member = rng.choice(joined)
            held = sukarela.get(member, 0)
            if number % 4 == 3 and held >= 50_000:
                amount = _thousands(held * rng.uniform(0.2, 0.8))
                sukarela[member] = held - amount
                add(day(rng.randint(1, days)), "Penarikan simpanan sukarela", savings,
                    _d(a["2-101"], amount, member), _c(kas, amount))  # fmt: skip
            else:
                amount = _thousands(rng.uniform(20_000, 500_000))
                sukarela[member] = held + amount
                add(day(rng.randint(1, days)), "Setoran simpanan sukarela", savings,
                    _d(kas, amount), _c(a["2-101"], amount, member))  # fmt: skip
        # Member loans: instalments of those running, then five new ones.
        for running in loans:
            member, left, instalment, jasa = running
            principal = min(left, instalment)
            lines = [_d(kas, principal + jasa), _c(a["1-110"], principal, member),
                     _c(a["4-201"], jasa, member)]  # fmt: skip
            if rng.random() < 0.08:
                penalty = _thousands(instalment * 0.02)
                lines = [_d(kas, principal + jasa + penalty), *lines[1:],
                         _c(a["4-203"], penalty, member)]  # fmt: skip
            add(day(rng.randint(20, 28)), "Angsuran pinjaman", loan, *lines)
            running[1] -= principal
        loans = [running for running in loans if running[1] > 0]
        for _number in range(5):
            member = rng.choice(joined)
            principal = 500_000 * rng.randint(2, 20)
            fee = _thousands(principal * 0.01)
            add(day(rng.randint(2, 15)), "Pencairan pinjaman anggota", loan,
                _d(a["1-110"], principal, member), _c(bri, principal - fee),
                _c(a["4-202"], fee, member))  # fmt: skip
            loans.append([member, principal, principal // 10, _thousands(principal * 0.015)])
        # Grocery store: stock bought weekly, sales and their cost daily.
        for week in range(4):
            amount = _thousands(rng.uniform(15_000_000, 22_000_000))
            add(day(1 + 7 * week), "Pembelian barang gerai", manual,
                _d(a["1-131"], amount), _c(bri, amount))  # fmt: skip
        for number in range(26):
            sales = _thousands(rng.uniform(2_200_000, 3_600_000))
            add(day(number + 1), "Penjualan gerai harian", manual,
                _d(kas_gerai, sales, None, gerai), _c(a["4-101"], sales))  # fmt: skip
            add(day(number + 1), "HPP penjualan gerai", manual,
                _d(a["5-101"], _thousands(sales * 0.8)),
                _c(a["1-131"], _thousands(sales * 0.8)))  # fmt: skip
        # Pharmacy, clinic, warehouse, logistics.
        for _number in range(2):
            amount = _thousands(rng.uniform(3_000_000, 5_000_000))
            add(day(rng.randint(1, 10)), "Pembelian obat", manual,
                _d(a["1-132"], amount), _c(bri, amount))  # fmt: skip
        for number in range(10):
            sales = _thousands(rng.uniform(600_000, 1_000_000))
            add(day(3 * number + 2), "Penjualan apotek", manual,
                _d(kas, sales, None, apotek), _c(a["4-401"], sales),
                _d(a["5-401"], _thousands(sales * 0.7)),
                _c(a["1-132"], _thousands(sales * 0.7)))  # fmt: skip
        for _number in range(34):
            amount = _thousands(rng.uniform(100_000, 600_000))
            add(day(rng.randint(1, days)), "Pendapatan layanan klinik", manual,
                _d(kas, amount, None, "klinik"), _c(a["4-301"], amount))  # fmt: skip
        for item in ("Obat dan bahan habis pakai", "Honor tenaga kesehatan"):
            amount = _thousands(rng.uniform(1_000_000, 2_500_000))
            add(day(rng.randint(5, 25)), f"Klinik: {item}", manual,
                _d(a["5-301"], amount), _c(kas, amount))  # fmt: skip
        for tenant in ("Kelompok tani", "Nelayan"):
            amount = _thousands(rng.uniform(1_500_000, 3_000_000))
            add(day(rng.randint(1, 5)), f"Sewa gudang: {tenant}", manual,
                _d(bri, amount), _c(a["4-501"], amount))  # fmt: skip
        amount = _thousands(rng.uniform(500_000, 1_200_000))
        add(day(15), "Listrik cold storage", manual, _d(a["5-501"], amount), _c(kas, amount))
        for _number in range(4):
            amount = _thousands(rng.uniform(400_000, 1_500_000))
            add(day(rng.randint(1, days)), "Jasa angkut hasil bumi", manual,
                _d(kas, amount, None, "logistik"), _c(a["4-601"], amount))  # fmt: skip
        for item in ("BBM", "Perawatan kendaraan"):
            amount = _thousands(rng.uniform(300_000, 900_000))
            add(day(rng.randint(5, 25)), f"Logistik: {item}", manual,
                _d(a["5-601"], amount), _c(kas, amount))  # fmt: skip
        # The office: salaries, utilities, depreciation, the bank loan, cash to the bank.
        salaries = [3_500_000, 3_000_000, 2_800_000, 2_800_000, 2_500_000]
        add(day(25), "Gaji karyawan", manual,
            *(_d(a["5-901"], amount) for amount in salaries),
            _c(bri, sum(salaries)))  # fmt: skip
        for code, item, low, high in (("5-902", "Listrik dan air kantor", 400_000, 800_000),
                                      ("5-903", "ATK dan administrasi", 150_000, 500_000)):  # fmt: skip
            amount = _thousands(rng.uniform(low, high))
            add(day(rng.randint(3, 12)), item, manual, _d(a[code], amount), _c(kas, amount))
        add(end, "Penyusutan aset tetap", manual, _d(a["5-905"], 2_600_000),
            _c(a["1-209"], 2_600_000))  # fmt: skip
        if month >= first.replace(month=4) and bank_loan > 0:
            principal = min(bank_loan, 20_000_000)
            interest = _thousands(bank_loan * 0.06 / 12)
            bank_loan -= principal
            add(day(28), "Angsuran pembiayaan Himbara", manual, _d(a["2-201"], principal),
                _d(a["5-906"], interest), _c(bpd, principal + interest))  # fmt: skip
        for week in range(4):
            amount = _thousands(rng.uniform(12_000_000, 20_000_000))
            add(day(6 + 7 * week), "Setor kas ke bank", manual, _d(bri, amount),
                _c(kas, amount))  # fmt: skip
        # April: the RAT, and last year's SHU shared out after it, then paid.
        if month.month == 4:
            add(day(20), "Rapat Anggota Tahunan", manual, _d(a["5-904"], 7_500_000),
                _c(kas, 7_500_000))  # fmt: skip
            shu = books.results.get(month.year - 1, 0)
            if shu > 0:
                reserve = shu * 40 // 100
                add(day(30), f"Pembagian SHU {month.year - 1}", "shu", _d(a["3-301"], shu),
                    _c(a["3-201"], reserve), _c(a["2-104"], shu - reserve))  # fmt: skip
                paid = (shu - reserve) // 2
                add(day(30) + datetime.timedelta(days=15), "Pembayaran SHU anggota", manual,
                    _d(a["2-104"], paid), _c(kas, paid))  # fmt: skip
    return books


def small_books(
    index: int,
    a: dict[str, Any],
    bank: Any,
    kas_unit: Any,
    members: list[int],
    months: list[datetime.date],
    lines_per_month: int,
) -> Books:
    """A village cooperative's books: see the module docstring."""
    rng = random.Random(index * 7_919 + 2_025)  # noqa: S311 (test data, not secrets)
    scale = rng.uniform(0.5, 3.0)
    books = Books()
    add = books.add
    kas = a["1-101"]
    first = months[0]
    add(first.replace(day=2), "Simpanan pokok", "savings", _d(kas, 100_000 * len(members)),
        *(_c(a["3-101"], 100_000, pk) for pk in members))  # fmt: skip
    grant = _thousands(50_000_000 * scale)
    add(first.replace(day=3), "Hibah dana desa", "manual", _d(bank, grant), _c(a["3-202"], grant))
    # A loan of a year more than the books run: a year of it is still owed at the end.
    instalment = _thousands(200_000 * scale)
    principal = instalment * (len(months) + 12)
    add(first.replace(day=4), "Pencairan pinjaman anggota", "loan",
        _d(a["1-110"], principal, members[0]), _c(bank, principal))  # fmt: skip

    def month_entries(step: int) -> list[tuple[str, str, list[LineSpec]]]:
        sales = _thousands(rng.uniform(2_000_000, 5_000_000) * scale)
        stock = _thousands(sales * rng.uniform(0.75, 0.85))
        jasa = _thousands(instalment * 0.02)
        salary = _thousands(600_000 * scale)
        deposit = _thousands(rng.uniform(50_000, 400_000))
        clinic = _thousands(rng.uniform(300_000, 1_200_000) * scale)
        templates: list[tuple[str, str, list[LineSpec]]] = [
            ("Simpanan wajib", "savings", [_d(kas, 50_000 * len(members)),
                                           *(_c(a["3-102"], 50_000, pk) for pk in members)]),
            ("Penjualan gerai", "manual", [_d(kas_unit, sales, None, "gerai_sembako"),
                                           _c(a["4-101"], sales)]),
            ("HPP gerai", "manual", [_d(a["5-101"], _thousands(sales * 0.8)),
                                     _c(a["1-131"], _thousands(sales * 0.8))]),
            ("Pembelian barang", "manual", [_d(a["1-131"], stock), _c(bank, stock)]),
            ("Angsuran pinjaman", "loan", [_d(kas, instalment + jasa),
                                           _c(a["1-110"], instalment, members[0]),
                                           _c(a["4-201"], jasa, members[0])]),
            ("Honor pengelola", "manual", [_d(a["5-901"], salary), _c(kas, salary)]),
            ("Simpanan sukarela", "savings", [_d(kas, deposit),
                                              _c(a["2-101"], deposit, members[step % 4])]),
            ("Layanan klinik", "manual", [_d(bank, clinic), _c(a["4-301"], clinic)]),
        ]  # fmt: skip
        return templates

    for step, month in enumerate(months):
        written, number = 0, 0
        # The loan's instalment is taken once a month at most, so the loan never runs out.
        templates = month_entries(step)
        while written < lines_per_month:
            description, source, lines = templates[number % len(templates)]
            if description == "Angsuran pinjaman" and number >= len(templates):
                number += 1
                continue
            add(month.replace(day=min(28, 5 + number)), description, source, *lines)
            written += len(lines)
            number += 1
    return books


class World:
    """The regions, the shared chart and the cooperatives so far."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from cooperatives.enums import RegionLevel
        from cooperatives.models import Cooperative, Region
        from cooperatives.services import regions_load
        from finance.models import Account

        if Cooperative.objects.exists():
            raise BenchmarkError(
                "the database already holds cooperatives: the books benchmark needs a new, "
                "empty one (it migrates it and fills it)"
            )
        regions_load()
        villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
        # Spread the first cooperatives over the province: the villages in a fixed shuffle.
        random.Random(1_038).shuffle(villages)  # noqa: S311 (test data, not secrets)
        self.villages = villages
        self.accounts = {
            account.code: account for account in Account.objects.filter(cooperative__isnull=True)
        }
        self.user = get_user_model().objects.create(username="bench-bendahara")
        self.cooperatives: list[Any] = []
        self.members = 0
        self.entries = 0
        self.lines = 0
        self.sub_accounts = 0

    def _members(self, cooperative: Any, village: Any, count: int, joined: list[Any]) -> list[Any]:
        from cooperatives.models import Member

        district = "".join(village.code.split(".")[:3])
        made = []
        for number in range(count):
            serial = self.members + number
            woman = serial % 2
            birth = datetime.date(1960 + serial % 45, serial % 12 + 1, serial % 28 + 1)
            made.append(
                Member(
                    cooperative=cooperative,
                    nik=f"{district}{birth.day + 40 * woman:02d}{birth.month:02d}"
                    f"{birth.year % 100:02d}{number + 1:04d}",
                    name=f"{_FIRST[serial % len(_FIRST)]} {_LAST[(serial * 7) % len(_LAST)]}",
                    sex="P" if woman else "L",
                    birth_place=village.name,
                    birth_date=birth,
                    village=village,
                    join_date=joined[number % len(joined)],
                )
            )
        self.members += count
        return made

    def _write(self, books: list[tuple[Any, Books]]) -> None:
        from finance.models import JournalEntry, JournalLine

        entries: list[JournalEntry] = []
        for cooperative, book in books:
            entries.extend(
                JournalEntry(
                    cooperative_id=cooperative.pk,
                    number=number,
                    date=spec.date,
                    description=spec.description,
                    source=spec.source,
                    posted_by=self.user,
                )
                for number, spec in enumerate(
                    sorted(book.entries, key=lambda spec: spec.date), start=1
                )
            )
        JournalEntry.objects.bulk_create(entries, batch_size=BATCH)
        made = iter(entries)
        lines: list[JournalLine] = []
        for cooperative, book in books:
            for spec in sorted(book.entries, key=lambda spec: spec.date):
                entry = next(made)
                lines.extend(
                    JournalLine(
                        entry_id=entry.pk,
                        cooperative_id=cooperative.pk,
                        date=spec.date,
                        account_id=account.pk,
                        debit=debit,
                        credit=credit,
                        business_unit=account.business_unit if unit is None else unit,
                        member_id=member,
                    )
                    for account, debit, credit, member, unit in spec.lines
                )
        JournalLine.objects.bulk_create(lines, batch_size=BATCH)
        self.entries += len(entries)
        self.lines += len(lines)

    def big(self, *, years: int) -> dict[str, Any]:
        """The cooperative with `years` years of books, through the services where it is
        cheap (the cooperative, its sub-accounts), bulk_create for the members and books."""
        from django.db import transaction

        from cooperatives.enums import CooperativeStatus
        from cooperatives.models import Member
        from cooperatives.services import cooperative_advance_to, cooperative_create
        from finance.services import account_create_sub

        started = time.perf_counter()
        village = self.villages[0]
        with transaction.atomic():
            cooperative = cooperative_create(
                name=f"Koperasi Desa Merah Putih {village.name}", home_village=village
            )
            cooperative_advance_to(cooperative=cooperative, to_status=CooperativeStatus.ACTIVE)
            first = datetime.date(LAST_YEAR - years + 1, 1, 1)
            joined = [first + datetime.timedelta(days=day) for day in range(0, 360, 12)]
            members = Member.objects.bulk_create(
                self._members(cooperative, village, BIG_MEMBERS, joined), batch_size=BATCH
            )
            a = self.accounts
            subs = {
                "kas_gerai": account_create_sub(
                    cooperative=cooperative,
                    parent=a["1-101"],
                    name="Kas gerai sembako",
                    by=self.user,
                    business_unit="gerai_sembako",
                ),
                "bri": account_create_sub(
                    cooperative=cooperative, parent=a["1-102"], name="Bank BRI", by=self.user
                ),
                "bpd": account_create_sub(
                    cooperative=cooperative, parent=a["1-102"], name="Bank BPD Kaltim", by=self.user
                ),
            }
            self.sub_accounts += len(subs)
            books = big_books(a, subs, [(m.pk, m.join_date) for m in members], years)
            self._write([(cooperative, books)])
        self.cooperatives.append(cooperative)
        per_year = Counter(spec.date.year for spec in books.entries for _line in spec.lines)
        return {
            "cooperative": cooperative.pk,
            "years": years,
            "members": len(members),
            "entries": len(books.entries),
            "lines": sum(per_year.values()),
            "per_year": {str(year): per_year[year] for year in sorted(per_year)},
            "first": min(spec.date for spec in books.entries).isoformat(),
            "last": max(spec.date for spec in books.entries).isoformat(),
            "accounts": len({line[0].pk for spec in books.entries for line in spec.lines}),
            "build_s": time.perf_counter() - started,
        }

    def grow(self, *, to: int, months: int, lines_per_month: int) -> dict[str, Any]:
        """Small cooperatives until the database holds `to` of them."""
        from django.db import transaction

        from cooperatives.enums import CooperativeStatus
        from cooperatives.models import Cooperative, CooperativeVillage, Member
        from finance.models import Account

        started = time.perf_counter()
        first = ROLLUP_MONTH
        for _step in range(months - 1):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        shared_months = _months(first, months)
        a = self.accounts
        while len(self.cooperatives) < to:
            count = min(CHUNK, to - len(self.cooperatives))
            offset = len(self.cooperatives)
            villages = self.villages[offset : offset + count]
            with transaction.atomic():
                cooperatives = Cooperative.objects.bulk_create(
                    Cooperative(
                        name=f"Koperasi Desa Merah Putih {village.name}",
                        home_village=village,
                        status=CooperativeStatus.ACTIVE,
                    )
                    for village in villages
                )
                CooperativeVillage.objects.bulk_create(
                    CooperativeVillage(
                        cooperative=cooperative,
                        village=village,
                        regency_code=village.regency_code,
                        district_code=village.district_code,
                    )
                    for cooperative, village in zip(cooperatives, villages, strict=True)
                )
                members = Member.objects.bulk_create(
                    (
                        member
                        for cooperative, village in zip(cooperatives, villages, strict=True)
                        for member in self._members(
                            cooperative, village, SMALL_MEMBERS, [shared_months[0]]
                        )
                    ),
                    batch_size=BATCH,
                )
                subs: dict[tuple[int, str], Any] = {}
                made = []
                for number, cooperative in enumerate(cooperatives, start=offset):
                    for code, name, every in (
                        ("1-102", "Bank BRI Unit", 3),
                        ("1-101", "Kas unit gerai", 5),
                    ):
                        if number % every == 0:
                            parent = a[code]
                            account = Account(
                                cooperative=cooperative,
                                code=f"{code}.01",
                                name=name,
                                type=parent.type,
                                parent=parent,
                                business_unit=parent.business_unit,
                                is_cash=parent.is_cash,
                                cash_flow=parent.cash_flow,
                                control=parent.control,
                            )
                            made.append(account)
                            subs[(cooperative.pk, code)] = account
                Account.objects.bulk_create(made)
                self.sub_accounts += len(made)
                books = []
                for number, cooperative in enumerate(cooperatives, start=offset):
                    mine = [
                        m.pk
                        for m in members[
                            (number - offset) * SMALL_MEMBERS : (number - offset + 1)
                            * SMALL_MEMBERS
                        ]
                    ]
                    # Every tenth stopped booking two months before the roll-up's month.
                    kept = shared_months[:-2] if number % 10 == 7 and months > 2 else shared_months
                    books.append(
                        (
                            cooperative,
                            small_books(
                                number,
                                a,
                                subs.get((cooperative.pk, "1-102"), a["1-102"]),
                                subs.get((cooperative.pk, "1-101"), a["1-101"]),
                                mine,
                                kept,
                                lines_per_month,
                            ),
                        )
                    )
                self._write(books)
            self.cooperatives.extend(cooperatives)
        return {"to": to, "seconds": time.perf_counter() - started}


# The measurements.


def _statement_probes(cooperative: Any, year: int) -> dict[str, Callable[[], Any]]:
    from finance.statements import (
        balance_sheet,
        cash_flow,
        equity_changes,
        income_statement,
        trial_balance,
    )

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return {
        "trial balance": lambda: trial_balance(cooperative, start=start, end=end),
        "neraca": lambda: balance_sheet(cooperative, as_of=end),
        "PHU": lambda: income_statement(cooperative, start=start, end=end),
        "arus kas": lambda: cash_flow(cooperative, start=start, end=end),
        "perubahan ekuitas": lambda: equity_changes(cooperative, start=start, end=end),
    }


def _anchors(cooperative: Any, year: int) -> dict[str, Callable[[], dict[str, int]]]:
    """The same totals from the lines read into Python (with their account's type) and
    summed there."""
    from finance.models import JournalLine

    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def lines(**window: Any) -> Any:
        return JournalLine.objects.filter(cooperative=cooperative, **window).values_list(
            "account__type", "date", "debit", "credit"
        )

    def trial() -> dict[str, int]:
        debit = credit = 0
        for _kind, date, line_debit, line_credit in lines(date__lte=end):
            if date >= start:
                debit += line_debit
                credit += line_credit
        return {"debit": debit, "credit": credit}

    def neraca() -> dict[str, int]:
        net: Counter[str] = Counter()
        for kind, _date, debit, credit in lines(date__lte=end):
            net[kind] += debit - credit
        results = net["revenue"] + net["expense"]
        return {
            "assets": net["asset"],
            "liabilities": -net["liability"],
            "equity": -net["equity"] - results,
        }

    def phu() -> dict[str, int]:
        net: Counter[str] = Counter()
        for kind, _date, debit, credit in lines(date__gte=start, date__lte=end):
            net[kind] += debit - credit
        return {
            "revenue": -net["revenue"],
            "expenses": net["expense"],
            "shu": -net["revenue"] - net["expense"],
        }

    return {"trial balance": trial, "neraca": neraca, "PHU": phu}


def _measure_statements(cooperative: Any, *, year: int, runs: int, label: str) -> dict[str, Any]:
    probes = _statement_probes(cooperative, year)
    anchors = _anchors(cooperative, year)
    found: dict[str, Any] = {}
    balanced = True
    compared = []
    for name, probe in probes.items():
        anchor = anchors.get(name)
        ours_ms: list[float] = []
        cpu_ms: list[float] = []
        anchor_ms: list[float] = []
        queries = 0
        statement = None
        expected: dict[str, int] = {}
        for number in range(WARMUP + runs):
            gc.collect()
            with counting() as counter:
                clock, cpu = time.perf_counter(), time.process_time()
                statement = probe()
                elapsed, cpu_elapsed = time.perf_counter() - clock, time.process_time() - cpu
            queries = counter.total
            if anchor is not None:
                gc.collect()
                clock = time.perf_counter()
                expected = anchor()
                anchor_elapsed = time.perf_counter() - clock
            if number >= WARMUP:
                ours_ms.append(elapsed * 1000)
                cpu_ms.append(cpu_elapsed * 1000)
                if anchor is not None:
                    anchor_ms.append(anchor_elapsed * 1000)
        assert statement is not None
        mismatch = ""
        if expected:
            differ = {
                key: (statement.totals[key], value)
                for key, value in expected.items()
                if statement.totals[key] != value
            }
            if differ:
                mismatch = ", ".join(
                    f"{key} {ours:,} vs {theirs:,}" for key, (ours, theirs) in differ.items()
                )
            else:
                compared.append(
                    f"{name} " + ", ".join(f"{key} {value:,}" for key, value in expected.items())
                )
        if name in ("trial balance", "neraca") and not statement.balanced:
            balanced = False
        found[name] = {
            "ms": ours_ms,
            "cpu_ms": cpu_ms,
            "anchor_ms": anchor_ms,
            "queries": queries,
            "mismatch": mismatch,
        }
        print(
            f"books: {label}: {name} {statistics.median(ours_ms):.1f} ms (CPU "
            f"{statistics.median(cpu_ms):.1f}), {queries} queries"
            + (f"; anchor {statistics.median(anchor_ms):.1f} ms" if anchor_ms else ""),
            flush=True,
        )
    return {
        "label": label,
        "statements": found,
        "balanced": balanced,
        "compared": "; ".join(compared),
    }


def _statement_queries(cooperative: Any, year: int) -> dict[str, int]:
    counts = {}
    for name, probe in _statement_probes(cooperative, year).items():
        with counting() as counter:
            probe()
        counts[name] = counter.total
    return counts


def _measure_rollup(size: int, *, rounds: int, keep_selects: bool) -> dict[str, Any]:
    from finance.models import JournalLine
    from finance.rollup import province_rollup, rollup_naive

    versions: dict[str, Callable[..., Any]] = {
        "aggregate": province_rollup,
        "naive": rollup_naive,
    }
    found: dict[str, dict[str, list[Any]]] = {
        version: {"seconds": [], "cpu_s": [], "queries": []} for version in versions
    }
    reference: dict[str, Any] | None = None
    mismatches, examples, compared = 0, [], 0
    selects: list[tuple[str, Any]] = []
    rollup = None
    for number in range(rounds):
        order = list(versions) if number % 2 == 0 else list(versions)[::-1]
        for version in order:
            gc.collect()
            keep = keep_selects and version == "aggregate" and not selects
            with counting(keep=keep) as counter:
                clock, cpu = time.perf_counter(), time.process_time()
                result = versions[version](month=ROLLUP_MONTH)
                seconds, cpu_s = time.perf_counter() - clock, time.process_time() - cpu
            selects = selects or counter.selects
            found[version]["seconds"].append(seconds)
            found[version]["cpu_s"].append(cpu_s)
            found[version]["queries"].append(dict(counter.kinds))
            if len(result.cooperatives) != size:
                raise BenchmarkError(
                    f"the {version} roll-up listed {len(result.cooperatives)} cooperatives, "
                    f"not {size}"
                )
            figures = result.as_dict()
            if version == "aggregate":
                rollup = result
            if reference is None:
                reference = figures
            else:
                compared += len(figures["cooperatives"])
                if figures != reference:
                    ours = {row["cooperative_id"]: row for row in reference["cooperatives"]}
                    differing = [
                        row for row in figures["cooperatives"] if ours[row["cooperative_id"]] != row
                    ]
                    mismatches = max(mismatches, len(differing) or 1)
                    examples = [
                        f"cooperative {row['cooperative_id']}: {version} {row} vs "
                        f"{ours[row['cooperative_id']]}"
                        for row in differing[:2]
                    ] or [f"totals {figures['totals']} vs {reference['totals']}"]
            print(
                f"books: {size:,} cooperatives, round {number + 1}/{rounds}: {version} "
                f"{seconds * 1000:.0f} ms (CPU {cpu_s * 1000:.0f}), {counter.total:,} queries",
                flush=True,
            )
    aggregate_selects = [(sql, params) for sql, params in selects if "GROUP BY" in sql]
    return {
        "cooperatives": size,
        "lines": JournalLine.objects.count(),
        "aggregate": found["aggregate"],
        "naive": found["naive"],
        "compared": compared,
        "mismatches": mismatches,
        "examples": examples,
        "rollup": rollup,
        "selects": aggregate_selects,
    }


def _plans(selects: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    from django.db import connection

    plans = []
    for sql, params in selects:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                lines = [str(row[-1]) for row in cursor.fetchall()]
            else:
                cursor.execute(f"EXPLAIN {sql}", params)
                lines = [str(row[0]) for row in cursor.fetchall()]
        plans.append({"sql": " ".join(sql.split()), "plan": lines})
    return plans


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum, or a nightly job, would have


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="the books benchmark, in its own process")
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--months", type=int, required=True)
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args(argv)
    sizes = sorted({int(size) for size in arguments.sizes.split(",")})

    began = time.perf_counter()
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        import dj_database_url
        from django.conf import settings

        settings.DATABASES = {"default": dj_database_url.parse(url)}
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from finance.rollup import region_rollup

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - started
    world = World()
    big = world.big(years=arguments.years)
    _analyze()
    print(
        f"books: the big cooperative: {big['lines']:,} lines in {big['entries']:,} entries, "
        f"built in {big['build_s']:.1f} s",
        flush=True,
    )
    cooperative = world.cooperatives[0]
    phases = [
        _measure_statements(
            cooperative, year=LAST_YEAR, runs=arguments.runs, label="its books alone"
        )
    ]
    first_year = LAST_YEAR - arguments.years + 1
    growth = {
        "first_year": first_year,
        "last_year": LAST_YEAR,
        "first": _statement_queries(cooperative, first_year),
        "last": _statement_queries(cooperative, LAST_YEAR),
    }
    steps, measured = [], []
    for size in sizes:
        step = world.grow(to=size, months=arguments.months, lines_per_month=arguments.lines)
        _analyze()
        steps.append(step)
        print(
            f"books: grown to {size:,} cooperatives in {step['seconds']:.1f} s "
            f"({world.lines:,} lines in all)",
            flush=True,
        )
        measured.append(
            _measure_rollup(size, rounds=arguments.rounds, keep_selects=size == sizes[-1])
        )
    phases.append(
        _measure_statements(
            cooperative,
            year=LAST_YEAR,
            runs=arguments.runs,
            label=f"among {sizes[-1]:,} cooperatives' books",
        )
    )
    rollup = measured[-1]["rollup"]
    clock = time.perf_counter()
    with counting() as counter:
        regions = region_rollup(rollup, level="regency")
    regions_ms = (time.perf_counter() - clock) * 1000
    plans = _plans(measured[-1]["selects"])
    for found in measured:
        found.pop("selects")
        found.pop("rollup")
    result = {
        "vendor": connection.vendor,
        "version": connection.Database.sqlite_version  # type: ignore[attr-defined]
        if connection.vendor == "sqlite"
        else "{}.{}".format(*divmod(connection.pg_version, 10_000)),  # type: ignore[attr-defined]
        "month": f"{ROLLUP_MONTH:%Y-%m}",
        "months": arguments.months,
        "lines_per_month": arguments.lines,
        "statement_year": LAST_YEAR,
        "migrate_s": migrate_s,
        "big": big,
        "statements": phases,
        "query_growth": growth,
        "steps": steps,
        "sizes": measured,
        "totals": {**rollup.totals.as_dict(), "savings_total": rollup.totals.savings_total},
        "booked": rollup.booked,
        "regions": [
            {**region.as_dict(), "savings_total": region.figures.savings_total}
            for region in regions
        ],
        "regions_ms": regions_ms,
        "regions_queries": counter.total,
        "plans": plans,
        "data": {
            "entries": world.entries,
            "lines": world.lines,
            "members": world.members,
            "sub_accounts": world.sub_accounts,
        },
        "elapsed_s": time.perf_counter() - began,
    }
    arguments.out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.exit(_child_main(sys.argv[2:]))
    from benchmarks.run import main

    sys.exit(main(["books", *sys.argv[1:]]))
