"""Workbooks as villages keep them, written with openpyxl: title blocks, notes, totals."""

import datetime
import io
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl

MEMBER_HEADINGS = [
    "No.",
    "NIK",
    "Nama Lengkap",
    "L/P",
    "Tempat Lahir",
    "Tgl. Lahir",
    "Alamat",
    "RT",
    "RW",
    "Desa",
    "No. HP",
    "Tanggal Masuk",
    "Simpanan Pokok",
    "Simpanan Wajib",
]

SITI = [
    "6402165708800002",
    "Siti Aminah",
    "P",
    "Tenggarong",
    "17-08-1980",
    "Jl. Poros No. 1",
    "001",
    "002",
    "Bukit Raya",
    "0812-3456-7890",
    datetime.date(2026, 7, 17),
    100000,
    "Rp 120.000",
]
BUDI = [
    "6402161708750001",
    "Budi Santoso",
    "L",
    "Samarinda",
    datetime.date(1975, 8, 17),
    "Jl. Poros No. 2",
    "3",
    "2",
    "64.02.16.2002",
    "+62 813 1111 2222",
    "17/07/2026",
    100000,
    "120.000",
]
RINA = [
    "6402164203900003",
    "Rina Wati",
    "Perempuan",
    "Kota Bangun",
    "2 Maret 1990",
    "Gg. Mawar",
    "",
    "",
    "Embalut",
    81255556666,
    "17 Juli 2026",
    100000,
    0,
]


def book_bytes(build: Callable[[Any], None]) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def member_book(
    rows: Sequence[Sequence[Any]],
    *,
    title_date: str = "Per 31 Oktober 2026",
    footer: bool = True,
    text_nik: bool = True,
) -> bytes:
    """A Daftar Anggota with a title block, a blank row, the headings, a column-number row,
    the members, a JUMLAH row and a signature block."""

    def build(book: Any) -> None:
        sheet = book.active
        sheet.title = "Anggota"
        sheet["A1"] = "DAFTAR ANGGOTA KOPERASI DESA MERAH PUTIH BUKIT RAYA"
        sheet["A2"] = title_date
        sheet.append([])
        sheet.append(MEMBER_HEADINGS)
        sheet.append(list(range(1, len(MEMBER_HEADINGS) + 1)))
        for number, row in enumerate(rows, start=1):
            sheet.append([number, *row])
            if text_nik and isinstance(row[0], str):
                sheet.cell(sheet.max_row, 2).number_format = "@"
        sheet.append([])
        if footer:
            sheet.append(["", "JUMLAH", "", "", "", "", "", "", "", "", "", "", 300000, 240000])
            sheet.append([])
            sheet.append(
                ["", "", "", "", "", "", "", "", "", "Tenggarong Seberang, 31 Oktober 2026"]
            )
            sheet.append(["", "", "", "", "", "", "", "", "", "Ketua"])
            sheet.append([])
            sheet.append(["", "", "", "", "", "", "", "", "", "( Ahmad Fauzi )"])

    return book_bytes(build)


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]
