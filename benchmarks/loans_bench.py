"""Loans: repayment schedules for 50,000 loans, and the nightly arrears job over them with 24
months of repayments — `loans.arrears.loans_arrears_update` (batched) against a naive
loan-by-loan version, in the same run, on the same data (issue 6, acceptance point 10).

Run it alone with `.venv/bin/python benchmarks/run.py loans [--quick] [--strict]` (the same:
`.venv/bin/python -m benchmarks.loans_bench [--quick] [--strict]`, or
`make bench BENCH_ARGS="loans --strict"`); `make bench` runs it with the others. As with every
benchmark, the exit status is 1 on a missed budget only with --strict.

Budgets (acceptance):
- the batched job runs the same number of queries at every size: its query count does not grow
  with the loans;
- its cost grows linearly: time per loan at the largest size within 1.5x that at the smallest
  (CPU time on SQLite, which works inside the benchmark's process, so that the other processes
  of a shared machine do not count; wall-clock time on PostgreSQL; both are printed);
- it is faster than the naive version at every size both ran.
Checked before any timing is trusted: the naive and the batched version leave identical figures
(days past due, overdue amount, class, as-of date) on every loan at every size; and every
collectibility class occurs in the data.

The data, grown in steps to each size (5,000 / 10,000 / 25,000 / 50,000 active loans; 500 /
1,000 / 2,500 / 5,000 with --quick), so that at each size the database holds exactly that many:
- cooperatives of 500 loans each (cooperative_create, then active, through the services) in
  villages spread over the province, each with 600 members (bulk_create) and its own PMK 49/2025
  financing from a Himbara bank among its loans;
- loans as `loan_payout_confirm` leaves them: active, with product, monthly rate, interest
  method, grace and payout date fixed, paid out 24–30 months before the as-of date (AS_OF), on
  four products: flat, declining principal, annuity with some interest-only grace, and the
  cooperative's annuity financing; tenors 25–36 months for loans still running, 6–24 for the
  few that ran out of term unpaid;
- the schedule of each loan from `loans.schedules.loan_schedule` (timed: "generate"), written as
  `Instalment` rows with `bulk_create` in batches (timed: "write", its INSERTs counted);
- 24–30 months of repayments: a `Repayment` per payment, its `RepaymentLine`s and the
  instalments' `paid_*` amounts split exactly as `loans.services.repayment_record` splits them
  (oldest instalment first; penalty, fees, interest, principal). 78 % of loans pay on time, 6 %
  paid the latest instalment in part, 14 % stopped paying 1–7 instalments ago (1–210 days late,
  some with a part payment), 2 % ran out of term long ago unpaid (Macet). No applications, cash
  book entries or loan events are written: the job reads none of them.

The measurements, at each size, in ROUNDS interleaved rounds (medians are judged; the batched
job runs first, its figures are the reference, then the order flips every round). Before each
run the loans' figures and the instalments' penalties are put back as built (the night before),
so that each run charges the late penalty on every late instalment and changes every loan — as
every night, when at least the as-of date of every active loan changes. The naive version does
what the job does loan by loan: the loans with their product, then per loan its instalments
due (1 query), a save of each instalment it charges a penalty, and a save of the loan; in one
transaction like the batched job; classes by `loans.arrears.collectibility_for`, the penalty
rule re-stated (the identical-figures check catches any drift). Queries are counted with
`connection.execute_wrapper` (by their first word) in the timed runs themselves. CPU seconds are
printed beside wall-clock seconds: on SQLite the database works in the same process, so on a busy
machine they show what a quiet one would.

The whole benchmark runs in its own process (`python -m benchmarks.loans_bench child …`) on its
own SQLite file, migrated once and grown in place. KOPDES_BENCH_LOANS_DATABASE_URL=postgres://…
runs it on PostgreSQL instead: a new, empty database that it migrates and fills (it refuses one
that holds cooperatives; it does not read DATABASE_URL, so that it never writes into a real
database). Other settings from the environment: KOPDES_BENCH_LOAN_SIZES ("5000,10000,25000,
50000"), KOPDES_BENCH_LOAN_ROUNDS (3; 1 with --quick), KOPDES_BENCH_LOAN_NAIVE_MAX (the largest
size the naive version runs at; all by default); KOPDES_BENCH_PROFILE=1 adds, after the
measurements, a cProfile of the batched job at the largest size (top 15 functions).
"""

import argparse
import datetime
import gc
import itertools
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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.harness import BenchmarkError, Check, Report, counting

ROOT = Path(__file__).resolve().parent.parent

SIZES = (5_000, 10_000, 25_000, 50_000)
QUICK_SIZES = (500, 1_000, 2_500, 5_000)
ROUNDS = 3
QUICK_ROUNDS = 1
LINEARITY_BUDGET = 1.5  # batched time per loan, largest size / smallest size, at most
DATABASE_URL_ENV = "KOPDES_BENCH_LOANS_DATABASE_URL"

# The night the job runs for. The first cooperatives of the programme lent from mid-2025; loans
# paid out 24–30 months before this night carry 24–30 months of repayments.
AS_OF = datetime.date(2028, 1, 15)
LOANS_PER_COOPERATIVE = 500
MEMBERS_PER_COOPERATIVE = 600
BATCH = 1_000  # rows per bulk_create batch (Django cuts it to 999 parameters on SQLite)

# The four products the loans are made on (bench-only codes; the demo's own products are too
# short for 36 months).
PRODUCTS: dict[str, dict[str, Any]] = {
    "flat": {
        "code": "bench-mikro-flat",
        "name": "Pinjaman mikro anggota (flat)",
        "min_amount": 500_000,
        "max_amount": 20_000_000,
        "min_tenor_months": 6,
        "max_tenor_months": 36,
        "rate_percent": Decimal("1.5"),
        "rate_period": "month",
        "interest_method": "flat",
        "admin_fee": 25_000,
        "penalty_percent_per_month": Decimal(2),
        "penalty_free_days": 3,
    },
    "declining": {
        "code": "bench-modal-menurun",
        "name": "Pinjaman modal usaha (bunga menurun)",
        "min_amount": 1_000_000,
        "max_amount": 100_000_000,
        "min_tenor_months": 6,
        "max_tenor_months": 36,
        "rate_percent": Decimal(12),
        "rate_period": "year",
        "interest_method": "declining_principal",
        "admin_fee": 100_000,
        "penalty_percent_per_month": Decimal(2),
        "penalty_free_days": 3,
    },
    "annuity": {
        "code": "bench-usaha-anuitas",
        "name": "Pinjaman usaha (anuitas, masa tenggang)",
        "min_amount": 1_000_000,
        "max_amount": 100_000_000,
        "min_tenor_months": 6,
        "max_tenor_months": 36,
        "rate_percent": Decimal(18),
        "rate_period": "year",
        "interest_method": "annuity",
        "grace_kind": "interest_only",
        "min_grace_months": 0,
        "max_grace_months": 3,
        "penalty_percent_per_month": Decimal(2),
        "penalty_free_days": 3,
    },
    "financing": {
        "code": "bench-pmk49-himbara",
        "name": "Pembiayaan koperasi dari bank Himbara (PMK 49/2025)",
        "kind": "cooperative",
        "min_amount": 100_000_000,
        "max_amount": 3_000_000_000,
        "min_tenor_months": 12,
        "max_tenor_months": 72,
        "rate_percent": Decimal(6),
        "rate_period": "year",
        "interest_method": "annuity",
        "grace_kind": "interest_only",
        "min_grace_months": 6,
        "max_grace_months": 8,
    },
}

_FIRST = (
    "Siti", "Ahmad", "Muhammad", "Nur", "Dewi", "Budi", "Sri", "Agus", "Rina", "Hendra",
    "Yuliani", "Rudi", "Wahyuni", "Eko", "Fitri", "Joko", "Ani", "Bambang", "Lestari", "Andi",
)  # fmt: skip
_LAST = (
    "Aminah", "Saputra", "Rahman", "Hidayat", "Wati", "Santoso", "Pratama", "Kurniawan", "Sari",
    "Gunawan", "Setiawan", "Hakim", "Nugroho", "Susanti", "Wijaya", "Ramadhan",
)  # fmt: skip
_PURPOSES = ("modal usaha", "pertanian", "perikanan", "warung", "pendidikan", "renovasi rumah")
_LENDERS = (
    "Bank Rakyat Indonesia",
    "Bank Negara Indonesia",
    "Bank Mandiri",
    "Bank Syariah Indonesia",
)


# --- the parent: one child process, then the report -------------------------------------------


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_sizes(default: tuple[int, ...]) -> list[int]:
    value = os.environ.get("KOPDES_BENCH_LOAN_SIZES", "").strip()
    sizes = [int(part) for part in value.split(",") if part.strip()] if value else list(default)
    if not sizes or any(size < 1 for size in sizes):
        raise BenchmarkError(f"KOPDES_BENCH_LOAN_SIZES: sizes above 0, please, not {value!r}")
    return sorted(set(sizes))


def run(*, iterations: int, warmup: int, quick: bool = False) -> Report:
    """`iterations` and `warmup` do not apply (one run of the job takes seconds: it is measured
    in ROUNDS interleaved rounds at each size); `quick` takes a tenth of the sizes."""
    from django.conf import settings

    sizes = _env_sizes(QUICK_SIZES if quick else SIZES)
    rounds = max(1, _env_int("KOPDES_BENCH_LOAN_ROUNDS", QUICK_ROUNDS if quick else ROUNDS))
    naive_max = _env_int("KOPDES_BENCH_LOAN_NAIVE_MAX", max(sizes))
    folder = Path(settings.BENCH_DIR) / "loans"
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
        "benchmarks.loans_bench",
        "child",
        "--sizes",
        ",".join(map(str, sizes)),
        "--rounds",
        str(rounds),
        "--naive-max",
        str(naive_max),
        "--out",
        str(out),
    ]
    print(
        f"loans: {', '.join(f'{size:,}' for size in sizes)} loans, {rounds} round(s) each",
        flush=True,
    )
    # The child's progress lines and any traceback go straight to our own output.
    finished = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if finished.returncode != 0 or not out.exists():
        raise BenchmarkError(f"the loans benchmark failed (exit {finished.returncode})")
    return _report(json.loads(out.read_text()), quick=quick)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _micros_per_loan(seconds: float, loans: int) -> float:
    return seconds / loans * 1e6


def _queries_cell(kinds: dict[str, int]) -> str:
    parts = " + ".join(f"{count:,} {kind}" for kind, count in sorted(kinds.items()))
    return f"{sum(kinds.values()):,} ({parts})"


def _report(result: dict[str, Any], *, quick: bool) -> Report:
    sizes = result["sizes"]
    largest = sizes[-1]
    report = Report(
        f"loans: schedules for {largest['loans']:,} loans, and the nightly arrears job over "
        f"them (as of {result['as_of']}) — batched (loans.arrears.loans_arrears_update) vs "
        f"naive loan by loan, on the same data, on {result['vendor']}; seconds are medians of "
        f"{result['rounds']} interleaved round(s)"
    )

    # The schedules: generated and written, step by step as the data grew.
    steps = result["steps"]
    rows = []
    for step in steps:
        rows.append(
            [
                f"{step['from']:,} → {step['to']:,}",
                f"{step['instalments']:,}",
                f"{step['generate_s']:.2f}",
                f"{_micros_per_loan(step['generate_s'], step['to'] - step['from']):.0f}",
                f"{step['write_s']:.2f}",
                f"{step['write_s'] / step['instalments'] * 1e6:.1f}",
                f"{step['write_queries']:,}",
                f"{step['repayments']:,} / {step['lines']:,}",
                f"{step['rest_s']:.1f}",
            ]
        )
    total = {
        key: sum(step[key] for step in steps)
        for key in (
            "instalments",
            "generate_s",
            "write_s",
            "write_queries",
            "repayments",
            "lines",
            "rest_s",
        )
    }
    loans_total = steps[-1]["to"]
    rows.append(
        [
            f"all {loans_total:,} loans",
            f"{total['instalments']:,}",
            f"{total['generate_s']:.2f}",
            f"{_micros_per_loan(total['generate_s'], loans_total):.0f}",
            f"{total['write_s']:.2f}",
            f"{total['write_s'] / total['instalments'] * 1e6:.1f}",
            f"{total['write_queries']:,}",
            f"{total['repayments']:,} / {total['lines']:,}",
            f"{total['rest_s']:.1f}",
        ]
    )
    report.tables.append(
        (
            [
                "schedules: loans",
                "instalments",
                "generate s",
                "µs/loan",
                "write s (bulk_create)",
                "µs/instalment",
                "INSERTs",
                "repayments / lines (info)",
                "rest of the data s (info)",
            ],
            rows,
        )
    )

    # The job: batched against naive at each size.
    rows = []
    for size in sizes:
        loans = size["loans"]
        batched = size["batched"]
        naive = size["naive"]
        b_s, b_cpu = _median(batched["seconds"]), _median(batched["cpu_s"])
        row = [
            f"{loans:,}",
            f"{b_s:.3f} (CPU {b_cpu:.3f})",
            f"{_micros_per_loan(b_s, loans):.1f}",
            _queries_cell(batched["queries"][0]),
        ]
        if naive:
            n_s, n_cpu = _median(naive["seconds"]), _median(naive["cpu_s"])
            row += [
                f"{n_s:.3f} (CPU {n_cpu:.3f})",
                f"{_micros_per_loan(n_s, loans):.1f}",
                _queries_cell(naive["queries"][0]),
                f"{n_s / b_s:.1f}x",
            ]
        else:
            row += ["not run", "", "", ""]
        rows.append(row)
    report.tables.append(
        (
            [
                "active loans",
                "batched s",
                "µs/loan",
                "batched queries",
                "naive s",
                "µs/loan",
                "naive queries",
                "naive / batched",
            ],
            rows,
        )
    )

    # What the job found at the largest size.
    rows = []
    classes = largest["classes"]
    for klass in ("lancar", "dpk", "kurang_lancar", "diragukan", "macet"):
        found = classes.get(klass, {"loans": 0, "dpd": [0, 0], "overdue": 0})
        rows.append(
            [
                klass,
                f"{found['loans']:,}",
                f"{100 * found['loans'] / largest['loans']:.1f} %",
                f"{found['dpd'][0]}–{found['dpd'][1]}",
                f"{found['overdue']:,}",
            ]
        )
    report.tables.append(
        (
            [
                f"class at {largest['loans']:,} loans",
                "loans",
                "share",
                "days past due",
                "overdue Rp",
            ],
            rows,
        )
    )

    # The checks.
    compared = sum(size["compared"] for size in sizes if size["naive"])
    mismatches = [size for size in sizes if size["mismatches"]]
    naive_sizes = [size for size in sizes if size["naive"]]
    report.checks.append(
        Check(
            "naive and batched leave identical figures on every loan (timings trusted)",
            bool(naive_sizes) and not mismatches,
            (
                f"{compared:,} loan figures compared at {len(naive_sizes)} size(s), all equal"
                if naive_sizes and not mismatches
                else "; ".join(
                    f"{size['loans']:,} loans: {size['mismatches']:,} differ, e.g. "
                    f"{size['examples']}"
                    for size in mismatches
                )
                or "the naive version ran at no size"
            ),
        )
    )
    totals = [sum(size["batched"]["queries"][0].values()) for size in sizes]
    varying = [
        size["loans"]
        for size in sizes
        if any(q != size["batched"]["queries"][0] for q in size["batched"]["queries"])
    ]
    report.checks.append(
        Check(
            "the batched job's query count does not grow with the loans",
            len(set(totals)) == 1 and not varying,
            " · ".join(
                f"{size['loans']:,}: {_queries_cell(size['batched']['queries'][0])}"
                for size in sizes
            )
            + (f" (differs between rounds at {varying})" if varying else ""),
        )
    )
    first, last = sizes[0], sizes[-1]
    per_loan = [
        _micros_per_loan(_median(size["batched"]["seconds"]), size["loans"]) for size in sizes
    ]
    cpu_per_loan = [
        _micros_per_loan(_median(size["batched"]["cpu_s"]), size["loans"]) for size in sizes
    ]
    wall_growth, cpu_growth = per_loan[-1] / per_loan[0], cpu_per_loan[-1] / cpu_per_loan[0]
    # SQLite works inside this process, so its CPU seconds are the job's whole work, without
    # the other processes of a shared machine that wall-clock seconds also count; PostgreSQL
    # works in its own processes, so there only wall-clock seconds see all of it.
    in_process = result["vendor"] == "sqlite"
    growth = cpu_growth if in_process else wall_growth
    report.checks.append(
        Check(
            f"the batched job's cost grows linearly: µs per loan at {last['loans']:,} within "
            f"{LINEARITY_BUDGET:g}x of {first['loans']:,} "
            f"({'CPU' if in_process else 'wall-clock'} time judged)",
            growth <= LINEARITY_BUDGET,
            " · ".join(
                f"{size['loans']:,}: {wall:.1f} µs/loan (CPU {cpu:.1f})"
                for size, wall, cpu in zip(sizes, per_loan, cpu_per_loan, strict=True)
            )
            + f" → {wall_growth:.2f}x wall-clock, {cpu_growth:.2f}x CPU",
        )
    )
    speedups = [
        (
            size["loans"],
            _median(size["naive"]["seconds"]) / _median(size["batched"]["seconds"]),
            _median(size["naive"]["cpu_s"]) / _median(size["batched"]["cpu_s"]),
        )
        for size in naive_sizes
    ]
    report.checks.append(
        Check(
            "the batched job is faster than the naive one at every size both ran (wall-clock)",
            bool(speedups) and all(speedup > 1 for _loans, speedup, _cpu in speedups),
            " · ".join(
                f"{loans:,}: {speedup:.1f}x faster (CPU {cpu:.1f}x)"
                for loans, speedup, cpu in speedups
            )
            or "the naive version ran at no size",
        )
    )
    missing = [
        f"{size['loans']:,} loans: no {', '.join(size['missing_classes'])}"
        for size in sizes
        if size["missing_classes"]
    ]
    report.checks.append(
        Check(
            "every collectibility class occurs in the data",
            not missing,
            "; ".join(missing) or "at every size",
        )
    )

    skipped = [size["loans"] for size in sizes if not size["naive"]]
    if skipped:
        report.notes.append(
            f"The naive version was not run at {', '.join(f'{s:,}' for s in skipped)} loans "
            f"(KOPDES_BENCH_LOAN_NAIVE_MAX={result['naive_max']:,}); the batched job was."
        )
    data = result["data"]
    report.notes.append(
        "Data at the largest size: "
        f"{data['cooperatives']:,} cooperatives, {data['members']:,} members, "
        f"{data['loans']:,} active loans ({_mix(data['behaviours'])}; {_mix(data['methods'])}; "
        f"tenors {_mix(data['tenors'])}; {data['with_grace']:,} with grace), "
        f"{total['instalments']:,} instalments, {total['repayments']:,} repayments, "
        f"{total['lines']:,} repayment lines. Schedules: 'generate' is the calls of "
        "loans.schedules.loan_schedule, 'write' building the Instalment rows (paid amounts "
        f"included) and bulk_create(batch_size={BATCH:,}); database {result['vendor']} "
        f"{result['version']}, migrated in {result['migrate_s']:.1f} s."
    )
    report.notes.append(
        f"Penalties: at {largest['loans']:,} loans each run charged the late penalty on "
        f"{largest['penalised']:,} instalments (Rp {largest['penalties']:,} in all; 2 % a "
        "month after 3 free days on the member products, none on the financing), included in "
        "the overdue amounts above. The repayments in the data were split as if no penalty had "
        "been charged before that night."
    )
    for plan in result["plans"]:
        report.notes.append(
            f"Plan of the batched job's query at {largest['loans']:,} loans "
            f"({plan['sql'][:140]}…):\n  " + "\n  ".join(plan["plan"])
        )
    if result["profile"]:
        report.notes.append(
            f"cProfile of the batched job at {largest['loans']:,} loans:\n{result['profile']}"
        )
    report.notes.append(
        "Both versions run in one transaction each; before each run the loans' figures and the "
        "instalments' penalties are put back as built, so that each run charges every late "
        "instalment and changes every loan (as each night: at least the as-of date changes). "
        "The naive version runs 1 query for the loans (with their product), then per loan 1 for "
        "its instalments, 1 save per instalment charged a penalty and 1 save of the loan. The "
        "batched job writes with executemany: one statement, prepared once and run for each "
        "changed row, counted as one query (as CaptureQueriesContext counts it). "
        f"Loans benchmark took {result['elapsed_s']:.0f} s in all."
    )
    if quick:
        report.notes.append(
            "--quick: a tenth of the sizes and one round: proves it runs, measures little."
        )
    return report


def _mix(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    return ", ".join(
        f"{key} {100 * value / total:.0f} %"
        for key, value in sorted(counts.items(), key=lambda item: -item[1])
    )


# --- the child: build, measure, write the result -----------------------------------------------


def naive_arrears_update(*, on: datetime.date) -> int:
    """The nightly arrears job written loan by loan, the way it is first written: the loans
    (with their product), then for each one its instalments due before `on` — charging the late
    penalty on each and saving it — and a save of the loan. The same rules and the same figures
    as loans.arrears.loans_arrears_update (its penalty rule re-stated here: the check that both
    leave identical figures catches any drift); returns how many loans changed."""
    from django.db import transaction

    from loans.arrears import collectibility_for
    from loans.enums import LoanStatus
    from loans.models import Loan
    from loans.schedules import rupiah

    changed = 0
    with transaction.atomic():
        for loan in Loan.objects.filter(status=LoanStatus.ACTIVE).select_related("product"):
            percent = loan.product.penalty_percent_per_month if loan.product else Decimal(0)
            free_days = datetime.timedelta(
                days=loan.product.penalty_free_days if loan.product else 0
            )
            oldest: datetime.date | None = None
            overdue = 0
            for instalment in loan.instalments.filter(due_date__lt=on):
                # Penalty: the product's % a month (÷ 30 a day) of what is unpaid on it, for
                # each day since it was last charged, after the penalty-free days.
                unpaid = instalment.owed - (instalment.penalty - instalment.paid_penalty)
                if percent > 0 and unpaid > 0:
                    due = instalment.due_date
                    start = max(instalment.penalty_accrued_to or due, due + free_days)
                    days = (on - start).days
                    if days > 0:
                        instalment.penalty += rupiah(
                            Decimal(unpaid) * Decimal(percent) / 100 * days / 30
                        )
                        instalment.penalty_accrued_to = on
                        instalment.save(update_fields=["penalty", "penalty_accrued_to"])
                owed = instalment.owed
                if owed > 0:
                    overdue += owed
                    if oldest is None or instalment.due_date < oldest:
                        oldest = instalment.due_date
            days_past_due = (on - oldest).days if oldest else 0
            figures = (days_past_due, overdue, collectibility_for(days_past_due))
            if (
                figures != (loan.days_past_due, loan.overdue_amount, loan.collectibility)
                or loan.arrears_as_of != on
            ):
                loan.days_past_due, loan.overdue_amount, loan.collectibility = figures
                loan.arrears_as_of = on
                loan.save(
                    update_fields=[
                        "days_past_due",
                        "overdue_amount",
                        "collectibility",
                        "arrears_as_of",
                    ]
                )
                changed += 1
    return changed


def batched_arrears_update(*, on: datetime.date) -> int:
    from loans.arrears import loans_arrears_update

    return loans_arrears_update(on=on)


VERSIONS: dict[str, Callable[..., int]] = {
    "batched": batched_arrears_update,
    "naive": naive_arrears_update,
}


# The data.


@dataclass(frozen=True)
class LoanSpec:
    """One loan's terms and how its borrower paid, drawn from its index alone (so the first
    5,000 loans are the same whatever the largest size)."""

    product: str  # a key of PRODUCTS
    principal: int
    tenor: int
    grace: int
    disbursed_on: datetime.date
    behaviour: str  # on_time, partial, late, matured
    missed: int  # late, matured: how many of the last instalments due were not paid
    share: float  # the part of the first unpaid instalment that was paid (0: none)
    delay: int  # days after the due date each payment came (negative: before)
    purpose: str


def _disbursed(rng: random.Random, months_back: int) -> datetime.date:
    import calendar

    from loans.schedules import add_months

    first = add_months(AS_OF.replace(day=1), -months_back)
    last_day = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=min(rng.randint(1, 31), last_day))


def loan_spec(index: int, *, financing: bool) -> LoanSpec:
    rng = random.Random(index * 7_919 + 20_250_701)  # noqa: S311 (test data, not secrets)
    months_back = rng.randint(24, 30)
    disbursed_on = _disbursed(rng, months_back)
    draw = rng.random()
    if financing:
        behaviour = "on_time" if draw < 0.9 else "late"
    elif draw < 0.78:
        behaviour = "on_time"
    elif draw < 0.84:
        behaviour = "partial"
    elif draw < 0.98:
        behaviour = "late"
    else:
        behaviour = "matured"
    if financing:
        product, principal = "financing", 10_000_000 * rng.randint(50, 300)
        grace = rng.randint(6, 8)
    else:
        kind = rng.random()
        product = "flat" if kind < 0.4 else "declining" if kind < 0.7 else "annuity"
        principal = {
            "flat": 500_000 * rng.randint(2, 40),
            "declining": 1_000_000 * rng.randint(5, 50),
            "annuity": 1_000_000 * rng.randint(5, 75),
        }[product]
        grace = rng.randint(1, 3) if product == "annuity" and rng.random() < 0.4 else 0
    # A loan still running has instalments to come after the as-of date; one that ran out of
    # term (matured) is still active only because it was never paid off.
    tenor = rng.randint(6, 24) if behaviour == "matured" else rng.randint(months_back + 1, 36)
    if behaviour == "late":
        missed = rng.choices(range(1, 8), weights=(35, 20, 15, 10, 8, 7, 5))[0]
    elif behaviour == "matured":  # stopped paying in the first half of its term
        missed = rng.randint(tenor // 2, tenor - 1)
    else:
        missed = 0
    share = (
        rng.uniform(0.3, 0.9)
        if behaviour == "partial" or (behaviour == "late" and rng.random() < 0.4)
        else 0.0
    )
    delay = rng.randint(0, 20) if behaviour in ("late", "matured") else -rng.randint(0, 3)
    return LoanSpec(
        product=product,
        principal=principal,
        tenor=tenor,
        grace=min(grace, tenor - 1),
        disbursed_on=disbursed_on,
        behaviour=behaviour,
        missed=missed,
        share=share,
        delay=delay,
        purpose="" if financing else _PURPOSES[index % len(_PURPOSES)],
    )


def payments_of(spec: LoanSpec, schedule: list[Any]) -> list[tuple[datetime.date, int]]:
    """What the borrower paid and when: one payment per instalment due before AS_OF, on its
    due date (a few days before for those who pay on time, up to 20 days after for those who
    fell behind), until they stopped; then perhaps a part of the next instalment."""
    due = [line for line in schedule if line.due_date < AS_OF]
    paid_full = len(due) - (1 if spec.behaviour == "partial" else spec.missed)
    latest = AS_OF - datetime.timedelta(days=1)
    payments = [
        (min(line.due_date + datetime.timedelta(days=spec.delay), latest), line.total)
        for line in due[:paid_full]
    ]
    if spec.share and paid_full < len(due):
        line = due[paid_full]
        payments.append(
            (
                min(line.due_date + datetime.timedelta(days=max(spec.delay, 0)), latest),
                max(1, round(line.total * spec.share)),
            )
        )
    return payments


PARTS = ("penalty", "fee", "interest", "principal")


@dataclass
class Split:
    """A loan's instalments' paid amounts and its repayments, split as
    loans.services.repayment_record splits them."""

    paid: list[list[int]]  # per instalment: penalty, fee, interest, principal paid
    repayments: list[tuple[datetime.date, int, list[int], list[tuple[int, list[int]]]]] = field(
        default_factory=list
    )  # paid on, amount, its parts, its lines (instalment index, parts)


def split_payments(schedule: list[Any], payments: list[tuple[datetime.date, int]]) -> Split:
    owed = [[0, line.fee, line.interest, line.principal] for line in schedule]
    split = Split(paid=[[0, 0, 0, 0] for _line in schedule])
    first_open = 0
    for paid_on, amount in payments:
        left = amount
        parts_total = [0, 0, 0, 0]
        lines: list[tuple[int, list[int]]] = []
        number = first_open
        while left and number < len(schedule):
            paid = split.paid[number]
            parts = [0, 0, 0, 0]
            for part in range(4):
                share = min(left, owed[number][part] - paid[part])
                if share:
                    parts[part] = share
                    paid[part] += share
                    parts_total[part] += share
                    left -= share
            if any(parts):
                lines.append((number, parts))
            if paid == owed[number]:
                first_open = number + 1
            number += 1
        if left:
            raise BenchmarkError(f"a payment of {amount} is more than is owed")
        split.repayments.append((paid_on, amount, parts_total, lines))
    return split


@dataclass
class Grown:
    """One step of growing the data, and what its schedules cost."""

    start: int
    to: int
    cooperatives: int = 0
    instalments: int = 0
    repayments: int = 0
    lines: int = 0
    generate_s: float = 0.0
    write_s: float = 0.0
    write_queries: int = 0
    rest_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.to,
            "cooperatives": self.cooperatives,
            "instalments": self.instalments,
            "repayments": self.repayments,
            "lines": self.lines,
            "generate_s": self.generate_s,
            "write_s": self.write_s,
            "write_queries": self.write_queries,
            "rest_s": self.rest_s,
        }


class World:
    """The regions, products and officers every cooperative shares, and the data so far."""

    def __init__(self, *, sizes: list[int]) -> None:
        from django.contrib.auth import get_user_model

        from cooperatives.enums import RegionLevel
        from cooperatives.models import Cooperative, Region
        from cooperatives.services import regions_load
        from loans.models import LoanProduct

        if Cooperative.objects.exists():
            raise BenchmarkError(
                "the database already holds cooperatives: the loans benchmark needs a new, "
                "empty one (it migrates it and fills it)"
            )
        regions_load()
        villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
        # Each step of growing the data starts a cooperative of its own.
        needed = sum(
            -(-(to - start) // LOANS_PER_COOPERATIVE)
            for start, to in itertools.pairwise([0, *sizes])
        )
        if needed > len(villages):
            raise BenchmarkError(f"the sizes need {needed} villages; there are {len(villages)}")
        stride = max(1, len(villages) // needed)
        self.villages = villages[::stride]  # spread over the province's regencies
        self.products: dict[str, Any] = {}
        for key, spec in PRODUCTS.items():
            product = LoanProduct(**spec)
            product.full_clean()
            product.save()
            self.products[key] = product
        users = get_user_model()
        self.officer = users.objects.create(username="bench-petugas-pinjaman")
        self.cashier = users.objects.create(username="bench-kasir")
        self.loans = 0
        self.cooperatives = 0
        self.members = 0
        self.behaviours: Counter[str] = Counter()
        self.methods: Counter[str] = Counter()
        self.tenors: Counter[str] = Counter()
        self.with_grace = 0

    def grow(self, *, to: int) -> Grown:
        grown = Grown(start=self.loans, to=to)
        while self.loans < to:
            self._cooperative(min(LOANS_PER_COOPERATIVE, to - self.loans), grown)
        return grown

    def _cooperative(self, count: int, grown: Grown) -> None:
        from django.db import transaction

        from cooperatives.enums import CooperativeStatus
        from cooperatives.models import Member
        from cooperatives.services import cooperative_advance_to, cooperative_create
        from loans.enums import LoanKind, LoanStatus
        from loans.models import Instalment, Loan, Repayment, RepaymentLine
        from loans.schedules import loan_schedule

        started = time.perf_counter()
        timed = 0.0
        village = self.villages[self.cooperatives]
        with transaction.atomic():
            cooperative = cooperative_create(
                name=f"Koperasi Desa Merah Putih {village.name}", home_village=village
            )
            cooperative_advance_to(cooperative=cooperative, to_status=CooperativeStatus.ACTIVE)
            district = "".join(village.code.split(".")[:3])
            members = Member.objects.bulk_create(
                (
                    _member(cooperative, village, district, self.members + number, number)
                    for number in range(max(count, MEMBERS_PER_COOPERATIVE))
                ),
                batch_size=BATCH,
            )
            specs = [loan_spec(self.loans + slot, financing=slot == 0) for slot in range(count)]
            loans = []
            for slot, spec in enumerate(specs):
                product = self.products[spec.product]
                approved = datetime.datetime.combine(
                    spec.disbursed_on - datetime.timedelta(days=1 + slot % 10),
                    datetime.time(1, 0),  # 09:00 in Kalimantan Timur
                    tzinfo=datetime.UTC,
                )
                paid_out = datetime.datetime.combine(
                    spec.disbursed_on, datetime.time(2, 0), tzinfo=datetime.UTC
                )
                loans.append(
                    Loan(
                        cooperative=cooperative,
                        kind=LoanKind.COOPERATIVE
                        if spec.product == "financing"
                        else LoanKind.MEMBER,
                        member=None if spec.product == "financing" else members[slot],
                        lender=_LENDERS[self.cooperatives % len(_LENDERS)]
                        if spec.product == "financing"
                        else "",
                        product_code=product.code,
                        principal=spec.principal,
                        tenor_months=spec.tenor,
                        purpose=spec.purpose,
                        status=LoanStatus.ACTIVE,
                        approved_at=approved,
                        approved_by=self.officer,
                        product=product,
                        monthly_rate=product.monthly_rate.quantize(Decimal("0.000001")),
                        interest_method=product.interest_method,
                        grace_months=spec.grace,
                        disbursed_on=spec.disbursed_on,
                        payout_recorded_by=self.officer,
                        payout_recorded_at=paid_out,
                        payout_confirmed_by=self.cashier,
                        payout_confirmed_at=paid_out + datetime.timedelta(hours=3),
                    )
                )
            Loan.objects.bulk_create(loans, batch_size=BATCH)

            # Generating the schedules: the pure function, as loan_payout_confirm calls it.
            clock = time.perf_counter()
            schedules = [
                loan_schedule(
                    principal=loan.principal,
                    rate=loan.monthly_rate,
                    tenor_months=loan.tenor_months,
                    method=loan.interest_method,
                    disbursed_on=loan.disbursed_on,
                    grace_months=loan.grace_months,
                )
                for loan in loans
            ]
            grown.generate_s += time.perf_counter() - clock
            timed += time.perf_counter() - clock

            splits = [
                split_payments(schedule, payments_of(spec, schedule))
                for spec, schedule in zip(specs, schedules, strict=True)
            ]

            # Writing them: Instalment rows (with what was paid on them) in batches.
            clock = time.perf_counter()
            with counting() as queries:
                instalments = Instalment.objects.bulk_create(
                    (
                        Instalment(
                            loan_id=loan.pk,
                            number=line.number,
                            due_date=line.due_date,
                            principal=line.principal,
                            interest=line.interest,
                            fee=line.fee,
                            balance=line.balance,
                            paid_penalty=paid[0],
                            paid_fee=paid[1],
                            paid_interest=paid[2],
                            paid_principal=paid[3],
                        )
                        for loan, schedule, split in zip(loans, schedules, splits, strict=True)
                        for line, paid in zip(schedule, split.paid, strict=True)
                    ),
                    batch_size=BATCH,
                )
            grown.write_s += time.perf_counter() - clock
            timed += time.perf_counter() - clock
            grown.write_queries += queries.total

            repayments = Repayment.objects.bulk_create(
                (
                    Repayment(
                        loan_id=loan.pk,
                        paid_on=paid_on,
                        amount=amount,
                        recorded_by=self.cashier,
                        **dict(zip(PARTS, parts, strict=True)),
                    )
                    for loan, split in zip(loans, splits, strict=True)
                    for paid_on, amount, parts, _lines in split.repayments
                ),
                batch_size=BATCH,
            )
            first_instalment = 0
            lines = []
            made = iter(repayments)
            for schedule, split in zip(schedules, splits, strict=True):
                for _paid_on, _amount, _parts, split_lines in split.repayments:
                    repayment = next(made)
                    lines.extend(
                        RepaymentLine(
                            repayment_id=repayment.pk,
                            instalment_id=instalments[first_instalment + number].pk,
                            **dict(zip(PARTS, parts, strict=True)),
                        )
                        for number, parts in split_lines
                    )
                first_instalment += len(schedule)
            RepaymentLine.objects.bulk_create(lines, batch_size=BATCH)

        for spec, split in zip(specs, splits, strict=True):
            self.behaviours[spec.behaviour] += 1
            self.methods[PRODUCTS[spec.product]["interest_method"]] += 1
            self.tenors["6–24" if spec.tenor <= 24 else "25–36"] += 1
            self.with_grace += spec.grace > 0
            grown.repayments += len(split.repayments)
            grown.lines += sum(len(repayment[3]) for repayment in split.repayments)
        grown.instalments += len(instalments)
        grown.cooperatives += 1
        grown.rest_s += time.perf_counter() - started - timed
        self.loans += count
        self.members += len(members)
        self.cooperatives += 1


def _member(cooperative: Any, village: Any, district: str, serial: int, number: int) -> Any:
    from cooperatives.models import Member

    woman = serial % 2
    birth = datetime.date(1960 + serial % 45, serial % 12 + 1, serial % 28 + 1)
    return Member(
        cooperative=cooperative,
        nik=f"{district}{birth.day + 40 * woman:02d}{birth.month:02d}{birth.year % 100:02d}"
        f"{number + 1:04d}",
        name=f"{_FIRST[serial % len(_FIRST)]} {_LAST[(serial * 7) % len(_LAST)]}",
        sex="P" if woman else "L",
        birth_place=village.name,
        birth_date=birth,
        address=f"RT {number % 20 + 1:03d} {village.name}",
        rt=f"{number % 20 + 1:03d}",
        rw=f"{number % 6 + 1:03d}",
        village=village,
        phone=f"0812{serial:08d}",
        join_date=datetime.date(2025, 6, 1) + datetime.timedelta(days=number % 40),
    )


# The measurements.


def _reset() -> None:
    """Put the loans' figures and the instalments' penalties back as the data was built (the
    night before): each run then charges every late instalment and changes every loan, as each
    night does — at least the as-of date of every active loan changes."""
    from loans.enums import Collectibility, LoanStatus
    from loans.models import Instalment, Loan

    Loan.objects.filter(status=LoanStatus.ACTIVE).update(
        days_past_due=0, overdue_amount=0, collectibility=Collectibility.LANCAR, arrears_as_of=None
    )
    Instalment.objects.filter(penalty_accrued_to__isnull=False).update(
        penalty=0, penalty_accrued_to=None
    )


def _figures() -> dict[Any, tuple[Any, ...]]:
    """Every active loan's figures, and the penalties charged (count, sum)."""
    from django.db.models import Count, Sum

    from loans.enums import LoanStatus
    from loans.models import Instalment, Loan

    figures: dict[Any, tuple[Any, ...]] = {
        values[0]: values[1:]
        for values in Loan.objects.filter(status=LoanStatus.ACTIVE).values_list(
            "id", "days_past_due", "overdue_amount", "collectibility", "arrears_as_of"
        )
    }
    charged = Instalment.objects.filter(penalty__gt=0).aggregate(
        instalments=Count("id"), total=Sum("penalty")
    )
    figures["penalties"] = (charged["instalments"], int(charged["total"] or 0))
    return figures


def _measure(loans: int, *, rounds: int, naive: bool, keep_selects: bool) -> dict[str, Any]:
    versions = ["batched", "naive"] if naive else ["batched"]
    found: dict[str, dict[str, list[Any]]] = {
        version: {"seconds": [], "cpu_s": [], "queries": [], "changed": []} for version in versions
    }
    reference: dict[Any, tuple[Any, ...]] | None = None
    mismatches, examples, selects = 0, [], []
    for number in range(rounds):
        # The batched job runs first (its figures are the reference), then the order flips.
        order = versions if number % 2 == 0 else versions[::-1]
        for version in order:
            _reset()
            gc.collect()
            with counting(keep=keep_selects and version == "batched" and not selects) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                changed = VERSIONS[version](on=AS_OF)
                seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
            selects = selects or queries.selects
            result = found[version]
            result["seconds"].append(seconds)
            result["cpu_s"].append(cpu_s)
            result["queries"].append(dict(queries.kinds))
            result["changed"].append(changed)
            figures = _figures()
            if reference is None:
                reference = figures
            elif figures != reference:
                differing = [key for key in reference if figures.get(key) != reference[key]]
                mismatches = max(mismatches, len(differing))
                examples = [
                    f"{'loan ' if key != 'penalties' else ''}{key}: {version} "
                    f"{figures.get(key)} vs batched {reference[key]}"
                    for key in differing[:3]
                ]
            print(
                f"loans: {loans:,} loans, round {number + 1}/{rounds}: {version} "
                f"{seconds:.2f} s (CPU {cpu_s:.2f} s), {queries.total:,} queries",
                flush=True,
            )
    assert reference is not None
    if any(changed != loans for version in versions for changed in found[version]["changed"]):
        raise BenchmarkError(
            f"every one of the {loans:,} loans should change in each run: "
            + ", ".join(f"{version} {found[version]['changed']}" for version in versions)
        )
    penalised, penalties = reference.pop("penalties")
    classes: dict[str, dict[str, Any]] = {}
    for days, overdue, klass, _as_of in reference.values():
        entry = classes.setdefault(klass, {"loans": 0, "dpd": [days, days], "overdue": 0})
        entry["loans"] += 1
        entry["dpd"] = [min(entry["dpd"][0], days), max(entry["dpd"][1], days)]
        entry["overdue"] += overdue
    from loans.enums import Collectibility

    return {
        "loans": loans,
        "batched": found["batched"],
        "naive": found.get("naive"),
        "compared": len(reference) * len(found.get("naive", {}).get("seconds", [])),
        "mismatches": mismatches,
        "examples": examples,
        "classes": classes,
        "penalised": penalised,
        "penalties": penalties,
        "missing_classes": [str(klass) for klass in Collectibility.values if klass not in classes],
        "selects": selects,
    }


def _plans(selects: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The database's plan for each query of the batched job."""
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


def _profile() -> str:
    """cProfile of one more run of the batched job at the largest size: its top functions."""
    import cProfile
    import io
    import pstats

    _reset()
    profiler = cProfile.Profile()
    profiler.runcall(batched_arrears_update, on=AS_OF)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(15)
    return "\n".join(line for line in text.getvalue().splitlines() if line.strip())


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="the loans benchmark, in its own process")
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--naive-max", type=int, required=True)
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

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - started
    world = World(sizes=sizes)
    steps, measured = [], []
    for size in sizes:
        grown = world.grow(to=size)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would have by the next night
        steps.append(grown.as_dict())
        print(
            f"loans: grown to {size:,} loans in {grown.generate_s + grown.write_s + grown.rest_s:.1f} s "
            f"(schedules generated in {grown.generate_s:.2f} s, {grown.instalments:,} "
            f"instalments written in {grown.write_s:.2f} s)",
            flush=True,
        )
        measured.append(
            _measure(
                size,
                rounds=arguments.rounds,
                naive=size <= arguments.naive_max,
                keep_selects=size == sizes[-1],
            )
        )
    profile = _profile() if os.environ.get("KOPDES_BENCH_PROFILE") else ""
    plans = _plans(measured[-1].pop("selects"))
    for size in measured:
        size.pop("selects", None)
    result = {
        "vendor": connection.vendor,
        "version": connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else "{}.{}".format(*divmod(connection.pg_version, 10_000)),
        "as_of": AS_OF.isoformat(),
        "rounds": arguments.rounds,
        "naive_max": arguments.naive_max,
        "migrate_s": migrate_s,
        "steps": steps,
        "sizes": measured,
        "plans": plans,
        "profile": profile,
        "data": {
            "cooperatives": world.cooperatives,
            "members": world.members,
            "loans": world.loans,
            "behaviours": dict(world.behaviours),
            "methods": dict(world.methods),
            "tenors": dict(world.tenors),
            "with_grace": world.with_grace,
        },
        "elapsed_s": time.perf_counter() - began,
    }
    arguments.out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.exit(_child_main(sys.argv[2:]))
    from benchmarks.run import main

    sys.exit(main(["loans", *sys.argv[1:]]))
