"""Run every benchmark: `make bench` (or `.venv/bin/python benchmarks/run.py [--quick] [--strict]`).

Sets Django up on its own settings (benchmarks.settings: a throwaway SQLite file), migrates it,
runs each benchmark module in BENCHMARKS and prints our figure, the anchor's and their ratio.
Exit status is 0 unless a benchmark crashes, or, with --strict, a budget is missed.
"""

import argparse
import importlib
import inspect
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts benchmarks/ first on the path, where bench_*.py and settings.py
# would shadow the project's own packages; the project root is what imports must resolve against.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "benchmarks":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Each module has `run(*, iterations: int, warmup: int) -> Report`, and may take `quick: bool`
# too. Later benchmarks (dashboards) are added here.
BENCHMARKS = {
    "forms": "benchmarks.bench_forms",
    "imports": "benchmarks.imports_bench",
    "loans": "benchmarks.loans_bench",
    "books": "benchmarks.books_bench",
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a few iterations: proves it runs, measures nothing"
    )
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per path")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per path first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    arguments = parser.parse_args(argv)
    unknown = set(arguments.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    if arguments.quick:
        arguments.iterations, arguments.warmup = 3, 1
    return arguments


def _set_up_django(folder: Path) -> None:
    # Always our own settings, even under pytest (which exports the test settings): the
    # benchmark must never touch the development database or the test database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["KOPDES_BENCH_DIR"] = str(folder)
    # WhiteNoise warns that collectstatic never ran; nothing here serves static files.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    folder = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    _set_up_django(folder)
    from django.db import connections

    from benchmarks.harness import render

    names = arguments.names or list(BENCHMARKS)
    failed: list[str] = []
    try:
        started = time.perf_counter()
        _migrate()
        print(f"database ready in {time.perf_counter() - started:.1f} s ({folder})")
        for name in names:
            module = importlib.import_module(BENCHMARKS[name])
            options = {"iterations": arguments.iterations, "warmup": arguments.warmup}
            if "quick" in inspect.signature(module.run).parameters:
                options["quick"] = arguments.quick
            report = module.run(**options)
            print()
            print(render(report))
            if not report.ok:
                failed.append(name)
    finally:
        connections.close_all()
        shutil.rmtree(folder, ignore_errors=True)
    print()
    if arguments.quick:
        print("quick run: too few requests for the figures to mean anything")
    if failed:
        print(f"over budget: {', '.join(failed)}")
        return 1 if arguments.strict else 0
    print("all budgets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
