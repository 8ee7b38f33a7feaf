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
