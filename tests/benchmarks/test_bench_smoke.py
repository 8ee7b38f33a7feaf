"""`make bench` runs from a clean checkout: the benchmark script, run the way the Makefile runs
it, in its own process (it sets Django up on its own settings and database)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_forms_benchmark_runs_and_prints_its_table():
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "forms"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    for row in (
        "render: GET a step (10 fields) | GET FormPage",
        "save: POST a step (10 fields) | POST FormPage",
        "review: GET review (30 answers) | GET FormPage",
        "submit: POST submit | POST FormPage",
        "ours GET step",
        "anchor POST",
    ):
        assert row in output, output
    # Query counts, unlike timings, are exact even in a quick run: none may grow with the form.
    assert "[FAIL]" not in output, output


def test_imports_benchmark_runs_and_prints_its_figures():
    # A tiny workbook, one round: proves every path runs (each checks its own counts).
    small = {"KOPDES_BENCH_IMPORT_ROWS": "300", "KOPDES_BENCH_ANCHOR_ROWS": "100"}
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "imports"],
        cwd=ROOT,
        env={**os.environ, **small, "KOPDES_BENCH_ROUNDS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    for row in (
        "ours: first import",
        "limit: first import",
        "(a) import-export: first import (scaled x3)",
        "ours: again, unchanged",
        "export: ours / xlsxwriter",
        "first import: (a) / ours",
    ):
        assert row in output, output


def test_books_benchmark_runs_and_prints_its_figures():
    # A year of books for the big cooperative, the roll-up at 10 / 20 cooperatives with 3
    # months of books, one run each: proves every part runs (each checks its own figures).
    small = {
        "KOPDES_BENCH_BOOKS_SIZES": "10,20",
        "KOPDES_BENCH_BOOKS_MONTHS": "3",
        "KOPDES_BENCH_BOOKS_RUNS": "1",
    }
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "books"],
        cwd=ROOT,
        env={**os.environ, **small},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    for row in (
        "its books alone: statement",
        "among 20 cooperatives' books: statement",
        "trial balance ",
        "neraca ",
        "PHU ",
        "arus kas ",
        "perubahan ekuitas ",
        "aggregate queries",
        "Kalimantan Timur",
        "[OK] aggregate and naive roll-up give identical figures for every cooperative",
        "[OK] the aggregate roll-up's query count does not grow with the cooperatives: "
        "10: 2 · 20: 2",
    ):
        assert row in output, output
    # Exact even in a quick run: the figures agree and the query counts stay flat.
    assert "[FAIL] the statements' totals" not in output, output
    assert "[FAIL] a statement's query count" not in output, output
