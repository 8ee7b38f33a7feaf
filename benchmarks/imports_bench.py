"""Imports and exports: a 100,000-row, 13-column member workbook (DESIGN.md §7), imported by
ours, by the limit path and by django-import-export's admin flow, in the same run.

Budgets (acceptance): ours imports the workbook — first import, and again unchanged — each
within 1.5x the limit path's time and at least 20x faster than import-export's admin flow, in
under 400 MB peak RSS; ours exports the 100,000 members within 1.5x xlsxwriter's
constant-memory mode writing the same rows.

- Ours: `imports.services.import_file` (check and apply in one go, as the command line runs
  it); the portal's two-phase path (create, check, confirm, apply) is printed for information.
- Limit path: python-calamine's `to_python()`, plain Python checks of the same strength (NIK
  with its date segment and sex, dates, whole amounts, phone numbers, the village, duplicate
  NIKs, text lengths), then `bulk_create` of the members and their simpanan pokok in one
  transaction. Again unchanged: the same read and checks, the stored members and balances
  loaded by NIK and compared, nothing written.
- (a) django-import-export's admin flow with default options
  (`benchmarks/anchor/import_export_resource.py`): its XLSX format, `import_data` as a dry
  run, then the file read again and `import_data` for real. It takes about 5 minutes per
  100,000 rows, so `--quick` measures it on a smaller workbook (the first rows of the same one)
  and scales its time linearly, and says so.
- Export: ours is the portal's member export, `imports.exports.export_list(kind="members")`
  (its 15 columns, written by `imports.xlsx.write_table`); the anchor reads the same rows with
  the same query and writes them with plain xlsxwriter in constant-memory mode (`write_row`).

Every path runs in its own process (`python -m benchmarks.imports_bench TASK …`), so that its
peak RSS (the child's VmHWM, Django's own start-up included) is its own, on its own copy
of one migrated SQLite database holding the regions and one cooperative (Bukit Raya,
64.02.16.2002). A path takes seconds to minutes, so instead of many iterations ours, the limit
path and the exports run in ROUNDS interleaved rounds (medians are judged), import-export once.
Each child also reports its CPU seconds over the timed span: on a busy machine the CPU ratio
shows what the wall-clock ratio would be on a quiet one.

Sizes: 100,000 rows (20,000 with --quick; 2,000 for import-export, scaled). The environment can
change them: KOPDES_BENCH_IMPORT_ROWS, KOPDES_BENCH_ANCHOR_ROWS, KOPDES_BENCH_ROUNDS (3).
KOPDES_BENCH_PROFILE=1 adds, after the measurements, a cProfile run of ours (first import,
again, export) and prints the top 15 functions of each.
"""

import argparse
import datetime
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.harness import BenchmarkError, Report

ROOT = Path(__file__).resolve().parent.parent

FULL_ROWS = 100_000
QUICK_ROWS = 20_000
QUICK_ANCHOR_ROWS = 2_000
LIMIT_BUDGET = 1.5  # ours / limit path, at most
ANCHOR_SPEEDUP = 20.0  # import-export / ours, at least
RSS_BUDGET_MB = 400.0
EXPORT_BUDGET = 1.5  # ours / xlsxwriter constant-memory, at most
ROUNDS = 3  # interleaved rounds of ours, the limit path and the exports

HOME_VILLAGE = "64.02.16.2002"  # Bukit Raya, Kec. Tenggarong Seberang
DISTRICT = "640216"
VILLAGE_NAME = "Bukit Raya"
SHEET = "Daftar Anggota"
HEADINGS = (
    "No.",
    "NIK",
    "Nama Lengkap",
    "L/P",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Alamat",
    "RT",
    "RW",
    "Desa",
    "No. HP",
    "Tanggal Masuk",
    "Simpanan Pokok",
)

# --- the workbook -----------------------------------------------------------------------------

_FIRST = (
    "Siti", "Ahmad", "Muhammad", "Nur", "Dewi", "Budi", "Sri", "Agus", "Rina", "Hendra",
    "Yuliani", "Rudi", "Wahyuni", "Eko", "Fitri", "Joko", "Ani", "Bambang", "Lestari", "Andi",
    "Rahmat", "Indah", "Dedi", "Ratna", "Slamet", "Aisyah", "Yusuf", "Mega", "Hasan", "Putri",
)  # fmt: skip
_LAST = (
    "Aminah", "Saputra", "Rahman", "Hidayat", "Wati", "Santoso", "Pratama", "Kurniawan", "Sari",
    "Gunawan", "Setiawan", "Lestari", "Hakim", "Nugroho", "Susanti", "Firmansyah", "Wijaya",
    "Handayani", "Syahputra", "Ramadhan",
)  # fmt: skip
_PLACES = (
    "Tenggarong", "Samarinda", "Balikpapan", "Loa Kulu", "Muara Badak", "Bontang", "Sangatta",
    "Makassar", "Surabaya", "Banjarmasin", "Tenggarong Seberang", "Kota Bangun",
)  # fmt: skip


def member_row(i: int) -> tuple[Any, ...]:
    """Row `i` (0-based) of the workbook, as a village book has it. Every NIK is unique and
    valid: 64 02 16, the birth date (day + 40 for women), a serial."""
    woman = i % 2
    day = (i // 2) % 28 + 1
    month = (i // 56) % 12 + 1
    year = 1950 + (i // 672) % 55
    serial = i // 36_960 + 1
    nik = f"{DISTRICT}{day + 40 * woman:02d}{month:02d}{year % 100:02d}{serial:04d}"
    name = f"{_FIRST[(i * 7) % 30]} {_FIRST[(i * 11 + 3) % 30]} {_LAST[(i * 13) % 20]}"
    return (
        i + 1,
        nik,
        name,
        "P" if woman else "L",
        _PLACES[i % len(_PLACES)],
        datetime.date(year, month, day),
        f"Jl. Poros Samarinda-Tenggarong Gg. {i % 37 + 1} No. {i % 211 + 1}",
        f"{i % 25 + 1:03d}",
        f"{i % 8 + 1:03d}",
        VILLAGE_NAME,
        f"081{1 + i % 9}{i:08d}",
        datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 500),
        50_000 * (1 + i % 3),
    )


def write_workbook(path: Path, rows: int) -> None:
    """The member workbook: headings on row 1 (import-export needs them there), typed cells —
    NIK, RT, RW and phone as text, dates as date cells, amounts as numbers."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    rupiah = workbook.add_format({"num_format": "#,##0"})
    for col, heading in enumerate(HEADINGS):
        sheet.write_string(0, col, heading, bold)
    for i in range(rows):
        row = i + 1
        values = member_row(i)
        sheet.write_number(row, 0, values[0])
        for col in (1, 2, 3, 4, 6, 7, 8, 9, 10):
            sheet.write_string(row, col, values[col])
        sheet.write_datetime(row, 5, values[5], date)
        sheet.write_datetime(row, 11, values[11], date)
        sheet.write_number(row, 12, values[12], rupiah)
    workbook.close()


# --- the parent: orchestrating the child processes --------------------------------------------


@dataclass
class Measured:
    """One path: the median of its rounds (wall-clock and CPU seconds), the highest peak RSS."""

    task: str
    rows: int
    seconds: float
    cpu_s: float
    rss_mb: float
    result: dict[str, Any] = field(default_factory=dict)
    samples: tuple[float, ...] = ()

    @classmethod
    def of(cls, runs: list["Measured"]) -> "Measured":
        return cls(
            runs[0].task,
            runs[0].rows,
            statistics.median(run.seconds for run in runs),
            statistics.median(run.cpu_s for run in runs),
            max(run.rss_mb for run in runs),
            runs[-1].result,
            tuple(run.seconds for run in runs),
        )

    def scaled(self, factor: float) -> "Measured":
        return replace(self, seconds=self.seconds * factor, cpu_s=self.cpu_s * factor)


@dataclass
class ImportsReport(Report):
    """A Report whose budgets are the targets table rather than harness comparisons (these are
    long measurements of a few rounds, not request timings)."""

    targets_ok: bool = True

    @property
    def ok(self) -> bool:
        return self.targets_ok and all(c.ok for c in self.checks)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _child(
    task: str, folder: Path, *, workbook: Path, rows: int, extra: list[str] | None = None
) -> Measured:
    """Run one task in its own Python process on the database in `folder`: its result and its
    own peak RSS."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{task}.json"
    log = folder / f"{task}.log"
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
        "benchmarks.imports_bench",
        task,
        "--workbook",
        str(workbook),
        "--rows",
        str(rows),
        "--out",
        str(out),
        *(extra or []),
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-4000:]
        raise BenchmarkError(f"{task} failed (exit {process.returncode}):\n{tail}")
    result = json.loads(out.read_text())
    # ru_maxrss of a child counts the parent's pages it was forked with (the kernel keeps the
    # high-water mark across exec): the child's own VmHWM is its true peak where /proc exists.
    rss_mb = result.get("peak_rss_mb") or usage.ru_maxrss / 1024
    return Measured(task, rows, result["seconds"], result.get("cpu_s", 0.0), rss_mb, result)


def _copy_database(template: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(template / "bench.sqlite3")) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def run(*, iterations: int, warmup: int, quick: bool = False) -> Report:
    """`iterations` and `warmup` do not apply (a path takes seconds to minutes: ours, the limit
    path and the exports are measured in ROUNDS interleaved rounds, import-export once);
    `quick` shrinks the workbook and measures import-export on a sample."""
    from django.conf import settings

    rows = _env_int("KOPDES_BENCH_IMPORT_ROWS", QUICK_ROWS if quick else FULL_ROWS)
    anchor_rows = min(
        rows, _env_int("KOPDES_BENCH_ANCHOR_ROWS", QUICK_ANCHOR_ROWS if quick else rows)
    )
    rounds = max(1, _env_int("KOPDES_BENCH_ROUNDS", ROUNDS))
    scale = rows / anchor_rows
    base = Path(settings.BENCH_DIR) / "imports"
    template = base / "template"
    workbook = base / f"members-{rows}.xlsx"
    anchor_workbook = base / f"members-{anchor_rows}.xlsx"

    started = time.perf_counter()
    setup = _child(
        "setup",
        template,
        workbook=workbook,
        rows=rows,
        extra=["--anchor-workbook", str(anchor_workbook), "--anchor-rows", str(anchor_rows)],
    )
    print(
        f"imports: workbook of {rows:,} rows ready ({setup.result['size_mb']:.1f} MB, "
        f"written in {setup.result['workbook_s']:.1f} s; database migrated in "
        f"{setup.result['migrate_s']:.1f} s); {rounds} rounds",
        flush=True,
    )
    runs: dict[str, list[Measured]] = {}

    def step(task: str, folder: str, *, fresh: bool = False, **kwargs: Any) -> None:
        if fresh:
            _copy_database(template, base / folder)
        measured = _child(task, base / folder, **{"workbook": workbook, "rows": rows, **kwargs})
        runs.setdefault(task, []).append(measured)
        print(
            f"  {task}: {measured.rows:,} rows in {measured.seconds:.1f} s "
            f"(CPU {measured.cpu_s:.1f} s), peak RSS {measured.rss_mb:.0f} MB",
            flush=True,
        )

    # Interleaved, the order flipped every round: a burst of load elsewhere on the machine
    # lands on both sides rather than on whichever happened to be running.
    for number in range(rounds):
        sides = ["limit", "ours"] if number % 2 == 0 else ["ours", "limit"]
        for side in sides:
            step(f"{side}_first", side, fresh=True)
        for side in sides:
            step(f"{side}_again", side)
    step("portal_first", "portal", fresh=True)
    step("limit_members_only", "limit", fresh=True)
    step("export_rows_only", "ours")
    for number in range(rounds):
        sides = ["xlsxwriter", "ours"] if number % 2 == 0 else ["ours", "xlsxwriter"]
        for side in sides:
            step(f"export_{side}", "ours")
    anchor = {"workbook": anchor_workbook, "rows": anchor_rows}
    step("anchor_first", "anchor", fresh=True, **anchor)
    step("anchor_again", "anchor", **anchor)
    elapsed = time.perf_counter() - started

    got = {task: Measured.of(measured) for task, measured in runs.items()}
    ours_first, ours_again = got["ours_first"], got["ours_again"]
    limit_first, limit_again = got["limit_first"], got["limit_again"]
    anchor_first = got["anchor_first"].scaled(scale)
    anchor_again = got["anchor_again"].scaled(scale)
    export_ours, export_anchor = got["export_ours"], got["export_xlsxwriter"]
    scaled = f" (scaled x{scale:g})" if scale != 1 else ""

    report = ImportsReport(
        f"imports: member workbook of {rows:,} rows x {len(HEADINGS)} columns — ours vs the "
        f"limit path vs django-import-export's admin flow (a); export vs xlsxwriter. Seconds "
        f"are wall-clock medians of {rounds} interleaved rounds ((a): one run); each path "
        f"runs in its own process"
    )

    def line(label: str, measured: Measured, detail: str) -> list[str]:
        if len(measured.samples) > 1:
            detail = f"runs {' / '.join(f'{s:.2f}' for s in measured.samples)} s; {detail}"
        return [
            label,
            f"{measured.rows:,}",
            f"{measured.seconds:.2f}",
            f"{measured.cpu_s:.2f}",
            f"{measured.rss_mb:.0f}",
            detail,
        ]

    def anchor_detail(measured: Measured) -> str:
        detail = "dry run {dry_run_s:.1f} s + import {import_s:.1f} s".format(**measured.result)
        if scale != 1:
            detail = (
                f"measured on {anchor_rows:,} rows: {measured.seconds / scale:.2f} s "
                f"({detail}), x{scale:g}"
            )
        return detail

    portal = got["portal_first"]
    paths = [
        line("ours: first import", ours_first, _counts(ours_first.result)),
        line("limit: first import", limit_first, _counts(limit_first.result)),
        line(f"(a) import-export: first import{scaled}", anchor_first, anchor_detail(anchor_first)),
        line("ours: again, unchanged", ours_again, _counts(ours_again.result)),
        line("limit: again, unchanged", limit_again, _counts(limit_again.result)),
        line(
            "limit, members only, no balances: first import (info)",
            got["limit_members_only"],
            _counts(got["limit_members_only"].result),
        ),
        line(
            f"(a) import-export: again, unchanged{scaled}",
            anchor_again,
            anchor_detail(anchor_again),
        ),
        line(
            "ours, portal two-phase: first import (info)",
            portal,
            ", ".join(
                f"{name} {seconds:.1f} s" for name, seconds in portal.result["phases"].items()
            ),
        ),
        line(
            "export: ours (imports.exports.export_list)",
            export_ours,
            f"{export_ours.result['size_mb']:.1f} MB file",
        ),
        line(
            "export: xlsxwriter constant_memory",
            export_anchor,
            f"{export_anchor.result['size_mb']:.1f} MB file",
        ),
        line(
            "export: reading the rows only (info)",
            got["export_rows_only"],
            "the same query, nothing written",
        ),
    ]
    report.tables.append((["path", "rows", "seconds", "CPU s", "peak RSS MB", "detail"], paths))

    targets: list[list[str]] = []
    passed: list[bool] = []

    def target(
        name: str, ours: str, reference: str, ratio: str, cpu: str, needed: str, ok: bool
    ) -> None:
        targets.append([name, ours, reference, ratio, cpu, needed, "PASS" if ok else "FAIL"])
        passed.append(ok)

    def speed(label: str, ours: Measured, limit: Measured, anchor: Measured) -> None:
        over_limit = _ratio(ours.seconds, limit.seconds)
        target(
            f"{label}: ours / limit",
            f"{ours.seconds:.2f} s",
            f"{limit.seconds:.2f} s",
            f"{over_limit:.2f}x",
            f"{_ratio(ours.cpu_s, limit.cpu_s):.2f}x",
            f"<= {LIMIT_BUDGET:g}x",
            over_limit <= LIMIT_BUDGET,
        )
        speedup = _ratio(anchor.seconds, ours.seconds)
        target(
            f"{label}: (a) / ours",
            f"{ours.seconds:.2f} s",
            f"{anchor.seconds:.2f} s{scaled}",
            f"{speedup:.1f}x",
            f"{_ratio(anchor.cpu_s, ours.cpu_s):.1f}x",
            f">= {ANCHOR_SPEEDUP:g}x",
            speedup >= ANCHOR_SPEEDUP,
        )

    speed("first import", ours_first, limit_first, anchor_first)
    speed("again, unchanged", ours_again, limit_again, anchor_again)
    for label, ours, limit in (
        ("first import", ours_first, limit_first),
        ("again, unchanged", ours_again, limit_again),
    ):
        target(
            f"{label}: peak RSS of ours",
            f"{ours.rss_mb:.0f} MB",
            f"limit {limit.rss_mb:.0f} MB",
            f"{_ratio(ours.rss_mb, limit.rss_mb):.2f}x",
            "",
            f"< {RSS_BUDGET_MB:g} MB",
            ours.rss_mb < RSS_BUDGET_MB,
        )
    export_ratio = _ratio(export_ours.seconds, export_anchor.seconds)
    target(
        "export: ours / xlsxwriter",
        f"{export_ours.seconds:.2f} s",
        f"{export_anchor.seconds:.2f} s",
        f"{export_ratio:.2f}x",
        f"{_ratio(export_ours.cpu_s, export_anchor.cpu_s):.2f}x",
        f"<= {EXPORT_BUDGET:g}x",
        export_ratio <= EXPORT_BUDGET,
    )
    report.tables.append(
        (["target", "ours", "reference", "ratio", "CPU ratio (info)", "needed", "result"], targets)
    )
    report.targets_ok = all(passed)
    if scale != 1:
        report.notes.append(
            f"(a) was measured on the first {anchor_rows:,} rows of the same workbook and its "
            f"time scaled linearly x{scale:g} to {rows:,} rows; its peak RSS is that of "
            f"{anchor_rows:,} rows."
        )
    if rows != FULL_ROWS:
        report.notes.append(
            f"{rows:,} rows, not {FULL_ROWS:,}: the RSS budget is meant for {FULL_ROWS:,} rows."
        )
    report.notes.append(
        "Peak RSS is each process's own, Django's start-up included "
        f"(about {setup.result['base_rss_mb']:.0f} MB before any work). CPU s: the process's "
        "own CPU time over the same span, for a noisy machine. (a) stores no savings balance "
        "(import-export has no field for it); ours and the limit path do."
    )
    report.notes.append(f"imports benchmark took {elapsed:.0f} s in all.")
    if os.environ.get("KOPDES_BENCH_PROFILE"):
        report.notes.extend(_profiles(base, template, workbook, rows))
    return report


def _counts(result: dict[str, Any]) -> str:
    counts = result.get("counts", {})
    return ", ".join(f"{key} {value:,}" for key, value in counts.items())


def _profiles(base: Path, template: Path, workbook: Path, rows: int) -> list[str]:
    notes = []
    _copy_database(template, base / "profile")
    for task in ("ours_first", "ours_again", "export_ours"):
        measured = _child(task, base / "profile", workbook=workbook, rows=rows, extra=["--profile"])
        notes.append(
            f"cProfile of {task} ({measured.seconds:.1f} s under the profiler):\n"
            + measured.result["profile"]
        )
    return notes


# --- the child: one task, in its own process --------------------------------------------------


def _cooperative() -> Any:
    from cooperatives.models import Cooperative

    return Cooperative.objects.get(home_village_id=HOME_VILLAGE)


def task_setup(arguments: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from cooperatives.models import Region
    from cooperatives.services import cooperative_create

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_regions", verbosity=0)
    cooperative_create(
        name="Koperasi Desa Merah Putih Bukit Raya",
        home_village=Region.objects.get(pk=HOME_VILLAGE),
    )
    migrated = time.perf_counter()
    write_workbook(arguments.workbook, arguments.rows)
    written = time.perf_counter()
    if arguments.anchor_workbook != arguments.workbook:
        write_workbook(arguments.anchor_workbook, arguments.anchor_rows)
    from django.db import connections

    connections.close_all()  # checkpoints the WAL into the file the paths copy
    return {
        "seconds": written - started,
        "migrate_s": migrated - started,
        "workbook_s": written - migrated,
        "size_mb": arguments.workbook.stat().st_size / 2**20,
    }


def _start() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> dict[str, float]:
    """Wall-clock seconds (the figure judged) and this process's CPU seconds (less disturbed
    by whatever else the machine runs) since `_start()`."""
    return {
        "seconds": time.perf_counter() - started[0],
        "cpu_s": time.process_time() - started[1],
    }


def _ours(arguments: argparse.Namespace, expect: str) -> dict[str, Any]:
    from imports.enums import RunStatus
    from imports.services import import_file

    cooperative = _cooperative()
    started = _start()
    data = arguments.workbook.read_bytes()
    run = import_file(
        cooperative=cooperative,
        kind="members",
        data=data,
        file_name=arguments.workbook.name,
        uploaded_by=None,
    )
    elapsed = _since(started)
    counts = {
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "invalid": run.rows_invalid,
    }
    if run.status != RunStatus.APPLIED or counts[expect] != arguments.rows:
        raise BenchmarkError(
            f"ours: status {run.status}, {counts}, expected {expect} {arguments.rows}: "
            f"{run.message} {run.errors[:3]}"
        )
    return {**elapsed, "counts": counts}


def task_ours_first(arguments: argparse.Namespace) -> dict[str, Any]:
    return _ours(arguments, "created")


def task_ours_again(arguments: argparse.Namespace) -> dict[str, Any]:
    return _ours(arguments, "unchanged")


def task_portal_first(arguments: argparse.Namespace) -> dict[str, Any]:
    from imports.enums import RunStatus
    from imports.services import (
        import_run_apply,
        import_run_check,
        import_run_confirm,
        import_run_create,
    )

    cooperative = _cooperative()
    cpu = time.process_time()
    marks = [time.perf_counter()]
    run = import_run_create(
        cooperative=cooperative,
        kind="members",
        data=arguments.workbook.read_bytes(),
        file_name=arguments.workbook.name,
        queue=False,
    )
    marks.append(time.perf_counter())
    checked = import_run_check(run_id=run.pk)
    marks.append(time.perf_counter())
    if checked is None or checked.status != RunStatus.READY:
        raise BenchmarkError(
            f"portal check: {checked and checked.status} {checked and checked.message}"
        )
    import_run_confirm(run=checked, by=None)
    marks.append(time.perf_counter())
    applied = import_run_apply(run_id=run.pk)
    marks.append(time.perf_counter())
    if applied is None or applied.status != RunStatus.APPLIED or applied.created != arguments.rows:
        raise BenchmarkError(
            f"portal apply: {applied and applied.status} {applied and applied.message}"
        )
    names = ("upload", "check", "confirm", "apply")
    return {
        "seconds": marks[-1] - marks[0],
        "cpu_s": time.process_time() - cpu,
        "phases": {name: marks[i + 1] - marks[i] for i, name in enumerate(names)},
        "counts": {"created": applied.created},
    }


# The limit path: python-calamine, plain checks, bulk_create.


class RowError(ValueError):
    pass


def _text(value: Any, limit: int, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ("" if value in (None, "") else str(value))
    if required and not text:
        raise RowError("required")
    if len(text) > limit:
        raise RowError("too long")
    return text


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    elif isinstance(value, str):
        value = datetime.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
    if not isinstance(value, datetime.date):
        raise RowError("not a date")
    if not datetime.date(1900, 1, 1) <= value <= datetime.date.today():
        raise RowError("date out of range")
    return value


def _amount(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        digits = value.replace("Rp", "").replace(".", "").strip()
        if not digits.isdigit():
            raise RowError("not an amount")
        value = int(digits)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RowError("not an amount")
    return value


def _limit_read(
    arguments: argparse.Namespace, cooperative: Any
) -> list[tuple[dict[str, Any], int]]:
    """Read and check every row: (member fields, simpanan pokok). Raises on the first wrong
    row (a file with a wrong row imports nothing, as ours)."""
    from django.core.exceptions import ValidationError
    from python_calamine import CalamineWorkbook  # imported by the task, before its clock

    from cooperatives.enums import RegionLevel
    from cooperatives.models import Region
    from cooperatives.validators import nik_birth_date, normalize_nik, normalize_phone

    districts = set(cooperative.villages.values_list("district_code", flat=True))
    villages: dict[str, list[str]] = {}
    for code, name in Region.objects.filter(
        level=RegionLevel.VILLAGE, district_code__in=districts
    ).values_list("code", "name"):
        villages.setdefault(name.strip().lower(), []).append(code)

    book = CalamineWorkbook.from_path(str(arguments.workbook))
    table = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    header = [str(heading).strip() for heading in table[0]]
    at = {heading: header.index(heading) for heading in HEADINGS}
    i_nik, i_name, i_sex, i_place = at["NIK"], at["Nama Lengkap"], at["L/P"], at["Tempat Lahir"]
    i_birth, i_address, i_rt, i_rw = at["Tanggal Lahir"], at["Alamat"], at["RT"], at["RW"]
    i_village, i_phone, i_join, i_pokok = (
        at["Desa"],
        at["No. HP"],
        at["Tanggal Masuk"],
        at["Simpanan Pokok"],
    )
    seen: set[str] = set()
    rows: list[tuple[dict[str, Any], int]] = []
    for number, cells in enumerate(table[1:], start=2):
        try:
            nik = normalize_nik(cells[i_nik])
            if nik in seen:
                raise RowError("duplicate NIK")
            seen.add(nik)
            nik_sex = nik_birth_date(nik)[1]
            sex = _text(cells[i_sex], 1).upper()
            if sex and sex not in ("L", "P"):
                raise RowError("L or P")
            if sex and sex != nik_sex:
                raise RowError("sex does not match the NIK")
            codes = villages.get(_text(cells[i_village], 100).lower(), [])
            if len(codes) != 1:
                raise RowError("village")
            phone = cells[i_phone]
            record = {
                "nik": nik,
                "name": _text(cells[i_name], 150, required=True),
                "sex": sex or nik_sex,
                "birth_place": _text(cells[i_place], 100),
                "birth_date": _date(cells[i_birth]),
                "address": _text(cells[i_address], 255),
                "rt": _text(cells[i_rt], 3),
                "rw": _text(cells[i_rw], 3),
                "village_id": codes[0],
                "phone": normalize_phone(phone) if phone not in (None, "") else "",
                "join_date": _date(cells[i_join]) or datetime.date.today(),
            }
            rows.append((record, _amount(cells[i_pokok])))
        except (RowError, ValidationError, ValueError) as error:
            raise BenchmarkError(f"limit path: row {number} is wrong: {error}") from error
    return rows


def task_limit_first(arguments: argparse.Namespace) -> dict[str, Any]:
    return _limit_first(arguments, balances=True)


def task_limit_members_only(arguments: argparse.Namespace) -> dict[str, Any]:
    """For information: the limit path without the savings balances (members only)."""
    return _limit_first(arguments, balances=False)


def _limit_first(arguments: argparse.Namespace, *, balances: bool) -> dict[str, Any]:
    import python_calamine  # noqa: F401 (loaded before the clock starts, as ours is)
    from django.db import transaction

    from cooperatives.models import Member
    from finance.models import SavingsBalance

    cooperative = _cooperative()
    started = _start()
    rows = _limit_read(arguments, cooperative)
    today = datetime.date.today()
    members = [Member(cooperative=cooperative, **record) for record, _pokok in rows]
    with transaction.atomic():
        Member.objects.bulk_create(members)
        if balances:
            SavingsBalance.objects.bulk_create(
                SavingsBalance(cooperative=cooperative, member=member, as_of=today, pokok=pokok)
                for member, (_record, pokok) in zip(members, rows, strict=True)
            )
    elapsed = _since(started)
    return {**elapsed, "counts": {"created": len(members)}}


def task_limit_again(arguments: argparse.Namespace) -> dict[str, Any]:
    import python_calamine  # noqa: F401 (loaded before the clock starts, as ours is)

    from cooperatives.models import Member
    from finance.models import SavingsBalance

    cooperative = _cooperative()
    started = _start()
    rows = _limit_read(arguments, cooperative)
    names = list(rows[0][0]) if rows else []
    stored = {
        values[1]: values
        for values in Member.objects.filter(cooperative=cooperative).values_list("id", *names)
    }
    balances = dict(
        SavingsBalance.objects.filter(cooperative=cooperative).values_list("member_id", "pokok")
    )
    new, changed, unchanged = 0, [], 0
    for record, pokok in rows:
        values = stored.get(record["nik"])
        if values is None:
            new += 1
        elif tuple(record.values()) != values[1:] or balances.get(values[0]) != pokok:
            changed.append((values[0], record, pokok))
        else:
            unchanged += 1
    if new or changed:  # the file is the one imported before: nothing may differ
        raise BenchmarkError(f"limit path again: {new} new, {len(changed)} changed")
    elapsed = _since(started)
    return {**elapsed, "counts": {"unchanged": unchanged}}


def _anchor(arguments: argparse.Namespace, expect: str) -> dict[str, Any]:
    from benchmarks.anchor.import_export_resource import flow

    cooperative = _cooperative()
    started = _start()
    outcome = flow(cooperative, arguments.workbook.read_bytes())
    elapsed = _since(started)
    if outcome["totals"].get(expect) != arguments.rows:
        raise BenchmarkError(f"import-export: {outcome['totals']}, expected {expect}")
    return {**elapsed, **outcome}


def task_anchor_first(arguments: argparse.Namespace) -> dict[str, Any]:
    return _anchor(arguments, "new")


def task_anchor_again(arguments: argparse.Namespace) -> dict[str, Any]:
    # import-export's default (skip_unchanged=False) saves every row again.
    return _anchor(arguments, "update")


# Ours is the portal's own member export, `imports.exports.export_list(kind="members")`: the
# kind's columns (NIK … Tanggal Masuk, the three latest balances) and a Status column, ordered by
# name. The anchor writes the very same rows — the same query, the same values — with plain
# xlsxwriter, so only the writing differs.
EXPORT_HEADINGS = (
    "NIK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Alamat",
    "RT",
    "RW",
    "Desa/Kelurahan",
    "No. HP",
    "Tanggal Masuk",
    "Simpanan Pokok",
    "Simpanan Wajib",
    "Simpanan Sukarela",
    "Status",
)


def _member_rows() -> Any:
    """The rows of the member export, as `export_list` reads them."""
    from django.db.models import OuterRef, Subquery

    from cooperatives.enums import MemberStatus
    from cooperatives.models import Member
    from finance.models import SavingsBalance

    latest = SavingsBalance.objects.filter(member=OuterRef("pk")).order_by("-as_of", "-id")
    balances = ("pokok", "wajib", "sukarela")
    query = (
        Member.objects.filter(cooperative=_cooperative())
        .order_by("name", "id")
        .annotate(**{f"balance_{key}": Subquery(latest.values(key)[:1]) for key in balances})
        .values_list(
            "nik",
            "name",
            "sex",
            "birth_place",
            "birth_date",
            "address",
            "rt",
            "rw",
            "village_id",
            "phone",
            "join_date",
            *(f"balance_{key}" for key in balances),
            "status",
        )
    )
    statuses = {value: str(label) for value, label in MemberStatus.choices}
    for values in query.iterator(chunk_size=2000):
        row = [value if value != "" else None for value in values]
        row[-1] = statuses.get(row[-1], row[-1])
        yield row


def task_export_rows_only(arguments: argparse.Namespace) -> dict[str, Any]:
    started = _start()
    count = sum(1 for _row in _member_rows())
    elapsed = _since(started)
    if count != arguments.rows:
        raise BenchmarkError(f"export: {count} members, expected {arguments.rows}")
    return elapsed


def task_export_xlsxwriter(arguments: argparse.Namespace) -> dict[str, Any]:
    import xlsxwriter

    target = Path(os.environ["KOPDES_BENCH_DIR"]) / "export-xlsxwriter.xlsx"
    started = _start()
    workbook = xlsxwriter.Workbook(
        str(target), {"constant_memory": True, "default_date_format": "dd/mm/yyyy"}
    )
    sheet = workbook.add_worksheet(SHEET)
    sheet.write_row(0, 0, EXPORT_HEADINGS)
    row = 0
    for row, values in enumerate(_member_rows(), start=1):
        sheet.write_row(row, 0, values)
    workbook.close()
    elapsed = _since(started)
    if row != arguments.rows:
        raise BenchmarkError(f"export: {row} members, expected {arguments.rows}")
    return {**elapsed, "size_mb": target.stat().st_size / 2**20}


def task_export_ours(arguments: argparse.Namespace) -> dict[str, Any]:
    from imports.exports import export_list

    target = Path(os.environ["KOPDES_BENCH_DIR"]) / "export-ours.xlsx"
    started = _start()
    count = export_list(kind="members", user=None, cooperative=_cooperative(), target=str(target))
    elapsed = _since(started)
    if count != arguments.rows:
        raise BenchmarkError(f"export: {count} members, expected {arguments.rows}")
    return {**elapsed, "size_mb": target.stat().st_size / 2**20}


TASKS = {
    name.removeprefix("task_"): function
    for name, function in list(globals().items())
    if name.startswith("task_")
}


def _peak_rss_mb() -> float | None:
    """This process's peak resident set (VmHWM), from exec on; None without /proc."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="one path of the imports benchmark")
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--workbook", type=Path, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--anchor-workbook", type=Path)
    parser.add_argument("--anchor-rows", type=int)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args(argv)

    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    base_rss_mb = _peak_rss_mb()
    task = TASKS[arguments.task]
    if arguments.profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(task, arguments)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(15)
        result["profile"] = "\n".join(line for line in text.getvalue().splitlines() if line.strip())
    else:
        result = task(arguments)
    result["base_rss_mb"] = base_rss_mb
    result["peak_rss_mb"] = _peak_rss_mb()
    arguments.out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
