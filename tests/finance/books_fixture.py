"""A small but complete set of books, posted through the services, with every statement figure
computed by hand (the arithmetic is in the comments, in thousands of Rupiah where it helps).

    books = books_post(world.coop_a, by=world.alice)
    assert trial_balance(...).totals["debit"] == EXPECTED["tb_2025"]["debit"]

Two financial years, 2024 and 2025, four members, two bank sub-accounts under 1-102 Bank (BRI
in 2024, BPD Kaltim in 2025) and one line posted to 1-102 itself, four business units with
revenue or expenses (gerai sembako, klinik, simpan pinjam, kantor). In 2025 the grocery
store's cash and bank lines carry its unit (Line.business_unit), in 2024 they do not: the
trial balance of the unit shows both cases.

The entries, Dr / Cr (amounts in Rupiah):

2024
  E1  10 Jan  Kas 400.000 / 3-101 simpanan pokok, 4 members × 100.000
  E2  10 Jan  Kas 200.000 / 3-102 simpanan wajib, 4 members × 50.000
  E3  15 Jan  Bank BRI 15.000.000 / 3-202 modal hibah (the village's grant)
  E4  20 Jan  Bank BRI 300.000 / Kas 300.000 (cash paid into the bank: no cash flow)
  E5   1 Feb  1-131 persediaan gerai 4.000.000 / Bank BRI
  E6  15 Feb  Kas 3.000.000 / 4-101 penjualan gerai
  E7  15 Feb  5-101 HPP gerai 2.200.000 / 1-131 persediaan gerai
  E8   1 Mar  1-204 peralatan 6.000.000 / Bank BRI
  E9  10 Mar  Kas 1.500.000 / 4-301 pendapatan klinik
  E10 31 Mar  5-901 gaji 1.000.000 / Kas
  E11  5 Apr  5-902 listrik 250.000 / Kas
  E12  1 May  1-110 piutang pinjaman (Siti) 2.000.000 / Bank BRI (a member loan paid out)
  E13  1 Jun  Kas 550.000 / 1-110 (Siti) 500.000 + 4-201 jasa pinjaman (Siti) 50.000
  E14 20 Dec  Kas 700.000 / 2-101 simpanan sukarela (Budi)
  E15 28 Dec  1-102 Bank (no sub-account) 20.000 / 4-901 pendapatan lain-lain (jasa giro)
  E16 31 Dec  5-905 penyusutan 600.000 / 1-209 akumulasi penyusutan

2025
  F1  10 Jan  Kas 200.000 / 3-102 simpanan wajib, 4 × 50.000
  F2  20 Jan  Bank BPD 20.000.000 / 2-201 utang bank (a bank loan)
  F3   1 Feb  1-131 persediaan gerai 5.000.000 / Bank BPD          (both lines: gerai sembako)
  F4  20 Feb  Kas 6.000.000 / 4-101 penjualan gerai                (both lines: gerai sembako)
  F5  20 Feb  5-101 HPP gerai 4.400.000 / 1-131 persediaan gerai
  F6   5 Mar  Kas 2.000.000 / 4-301 pendapatan klinik
  F7   6 Mar  5-301 beban operasional klinik 700.000 / Kas
  F8  31 Mar  5-901 gaji 1.200.000 / Kas
  F9   5 Apr  5-902 listrik 300.000 / Kas
  F10 10 Apr  Kas 840.000 / 1-110 (Siti) 750.000 + 4-201 jasa (Siti) 90.000
  F11 30 Jun  2-201 utang bank 1.000.000 + 5-906 bunga bank 250.000 / Bank BPD 1.250.000
  F12  1 Jul  2-101 simpanan sukarela (Budi) 200.000 / Kas
  F13 15 Aug  3-301 SHU belum dibagi 520.000 / 3-201 cadangan 208.000 + 2-104 dana SHU
              belum dibayar 312.000 (the SHU of 2024 shared after the RAT)
  F14  1 Sep  2-104 dana SHU belum dibayar 250.000 / Kas (part of it paid out)
  F15 31 Dec  5-905 penyusutan 600.000 / 1-209 akumulasi penyusutan
"""

import datetime
from dataclasses import dataclass
from typing import Any

from cooperatives.models import Cooperative, Member
from finance import chart
from finance.enums import EntrySource
from finance.models import Account, JournalEntry
from finance.services import Line, account_create_sub, journal_post
from tests.factories import MemberFactory

D = datetime.date
GERAI = "gerai_sembako"


@dataclass
class Books:
    members: dict[str, Member]
    bri: Account  # 1-102.01
    bpd: Account  # 1-102.02
    entries: dict[str, JournalEntry]


def books_post(cooperative: Cooperative, *, by: Any) -> Books:
    """Post the books above for `cooperative` (its chart must have no sub-account of 1-102
    yet, so that BRI is 1-102.01 and BPD 1-102.02). Returns the members, sub-accounts and
    entries by their names in the docstring."""
    members = {
        name: MemberFactory(cooperative=cooperative, name=name, join_date=D(2024, 1, 5))
        for name in ("Siti", "Budi", "Wati", "Andi")
    }
    bank = Account.objects.get(code=chart.BANK, cooperative__isnull=True)
    bri = account_create_sub(cooperative=cooperative, parent=bank, name="Bank BRI", by=by)
    bpd = account_create_sub(cooperative=cooperative, parent=bank, name="Bank BPD Kaltim", by=by)
    siti, budi = members["Siti"], members["Budi"]
    entries: dict[str, JournalEntry] = {}

    def post(key: str, date: D, description: str, *lines: Line, source: str = "") -> None:
        entries[key] = journal_post(
            cooperative=cooperative,
            date=date,
            description=description,
            lines=list(lines),
            source=source or EntrySource.MANUAL,
            by=by,
        )

    each = list(members.values())
    # --- 2024
    post(
        "E1",
        D(2024, 1, 10),
        "Simpanan pokok",
        Line(chart.CASH, debit=400_000),
        *[Line(chart.PRINCIPAL_SAVINGS, credit=100_000, member=m) for m in each],
        source=EntrySource.SAVINGS,
    )
    post(
        "E2",
        D(2024, 1, 10),
        "Simpanan wajib Januari",
        Line(chart.CASH, debit=200_000),
        *[Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=m) for m in each],
        source=EntrySource.SAVINGS,
    )
    post(
        "E3",
        D(2024, 1, 15),
        "Hibah dana desa",
        Line(bri, debit=15_000_000),
        Line("3-202", credit=15_000_000),
    )
    post(
        "E4",
        D(2024, 1, 20),
        "Setor kas ke bank",
        Line(bri, debit=300_000),
        Line(chart.CASH, credit=300_000),
    )
    post(
        "E5",
        D(2024, 2, 1),
        "Beli barang gerai",
        Line("1-131", debit=4_000_000),
        Line(bri, credit=4_000_000),
    )
    post(
        "E6",
        D(2024, 2, 15),
        "Penjualan gerai Februari",
        Line(chart.CASH, debit=3_000_000),
        Line("4-101", credit=3_000_000),
    )
    post(
        "E7",
        D(2024, 2, 15),
        "HPP penjualan Februari",
        Line("5-101", debit=2_200_000),
        Line("1-131", credit=2_200_000),
    )
    post(
        "E8",
        D(2024, 3, 1),
        "Beli peralatan kantor",
        Line("1-204", debit=6_000_000),
        Line(bri, credit=6_000_000),
    )
    post(
        "E9",
        D(2024, 3, 10),
        "Pendapatan klinik Maret",
        Line(chart.CASH, debit=1_500_000),
        Line("4-301", credit=1_500_000),
    )
    post(
        "E10",
        D(2024, 3, 31),
        "Gaji Maret",
        Line("5-901", debit=1_000_000),
        Line(chart.CASH, credit=1_000_000),
    )
    post(
        "E11",
        D(2024, 4, 5),
        "Listrik April",
        Line("5-902", debit=250_000),
        Line(chart.CASH, credit=250_000),
    )
    post(
        "E12",
        D(2024, 5, 1),
        "Pinjaman Siti",
        Line(chart.MEMBER_LOANS, debit=2_000_000, member=siti),
        Line(bri, credit=2_000_000),
        source=EntrySource.LOAN,
    )
    post(
        "E13",
        D(2024, 6, 1),
        "Angsuran Siti",
        Line(chart.CASH, debit=550_000),
        Line(chart.MEMBER_LOANS, credit=500_000, member=siti),
        Line(chart.LOAN_INTEREST, credit=50_000, member=siti),
        source=EntrySource.LOAN,
    )
    post(
        "E14",
        D(2024, 12, 20),
        "Simpanan sukarela Budi",
        Line(chart.CASH, debit=700_000),
        Line(chart.VOLUNTARY_SAVINGS, credit=700_000, member=budi),
        source=EntrySource.SAVINGS,
    )
    post(
        "E15",
        D(2024, 12, 28),
        "Jasa giro",
        Line(chart.BANK, debit=20_000),
        Line("4-901", credit=20_000),
    )
    post(
        "E16",
        D(2024, 12, 31),
        "Penyusutan 2024",
        Line("5-905", debit=600_000),
        Line("1-209", credit=600_000),
    )
    # --- 2025
    post(
        "F1",
        D(2025, 1, 10),
        "Simpanan wajib Januari",
        Line(chart.CASH, debit=200_000),
        *[Line(chart.COMPULSORY_SAVINGS, credit=50_000, member=m) for m in each],
        source=EntrySource.SAVINGS,
    )
    post(
        "F2",
        D(2025, 1, 20),
        "Pinjaman Bank BPD",
        Line(bpd, debit=20_000_000),
        Line(chart.BANK_LOANS, credit=20_000_000),
    )
    post(
        "F3",
        D(2025, 2, 1),
        "Beli barang gerai",
        Line("1-131", debit=5_000_000),
        Line(bpd, credit=5_000_000, business_unit=GERAI),
    )
    post(
        "F4",
        D(2025, 2, 20),
        "Penjualan gerai Februari",
        Line(chart.CASH, debit=6_000_000, business_unit=GERAI),
        Line("4-101", credit=6_000_000),
    )
    post(
        "F5",
        D(2025, 2, 20),
        "HPP penjualan Februari",
        Line("5-101", debit=4_400_000),
        Line("1-131", credit=4_400_000),
    )
    post(
        "F6",
        D(2025, 3, 5),
        "Pendapatan klinik Maret",
        Line(chart.CASH, debit=2_000_000),
        Line("4-301", credit=2_000_000),
    )
    post(
        "F7",
        D(2025, 3, 6),
        "Obat dan bahan klinik",
        Line("5-301", debit=700_000),
        Line(chart.CASH, credit=700_000),
    )
    post(
        "F8",
        D(2025, 3, 31),
        "Gaji Maret",
        Line("5-901", debit=1_200_000),
        Line(chart.CASH, credit=1_200_000),
    )
    post(
        "F9",
        D(2025, 4, 5),
        "Listrik April",
        Line("5-902", debit=300_000),
        Line(chart.CASH, credit=300_000),
    )
    post(
        "F10",
        D(2025, 4, 10),
        "Angsuran Siti",
        Line(chart.CASH, debit=840_000),
        Line(chart.MEMBER_LOANS, credit=750_000, member=siti),
        Line(chart.LOAN_INTEREST, credit=90_000, member=siti),
        source=EntrySource.LOAN,
    )
    post(
        "F11",
        D(2025, 6, 30),
        "Angsuran Bank BPD",
        Line(chart.BANK_LOANS, debit=1_000_000),
        Line(chart.BANK_INTEREST, debit=250_000),
        Line(bpd, credit=1_250_000),
    )
    post(
        "F12",
        D(2025, 7, 1),
        "Penarikan sukarela Budi",
        Line(chart.VOLUNTARY_SAVINGS, debit=200_000, member=budi),
        Line(chart.CASH, credit=200_000),
        source=EntrySource.SAVINGS,
    )
    post(
        "F13",
        D(2025, 8, 15),
        "Pembagian SHU 2024 (RAT)",
        Line(chart.RETAINED_SHU, debit=520_000),
        Line(chart.RESERVE, credit=208_000),
        Line(chart.SHU_PAYABLE, credit=312_000),
        source=EntrySource.SHU,
    )
    post(
        "F14",
        D(2025, 9, 1),
        "Pembayaran SHU anggota",
        Line(chart.SHU_PAYABLE, debit=250_000),
        Line(chart.CASH, credit=250_000),
    )
    post(
        "F15",
        D(2025, 12, 31),
        "Penyusutan 2025",
        Line("5-905", debit=600_000),
        Line("1-209", credit=600_000),
    )
    return Books(members=members, bri=bri, bpd=bpd, entries=entries)


# --- The figures, by hand ---------------------------------------------------------------------

EXPECTED: dict[str, Any] = {
    # 2024 revenue: 4-101 3.000 + 4-301 1.500 + 4-201 50 + 4-901 20 = 4.570 (thousands)
    # 2024 expenses: 5-101 2.200 + 5-901 1.000 + 5-902 250 + 5-905 600 = 4.050
    # SHU 2024 = 4.570 − 4.050 = 520
    "phu_2024": {
        "revenue": 4_570_000,
        "expenses": 4_050_000,
        "shu": 520_000,
        # in the PHU's order: the units as cooperatives.enums lists them, the office last
        "units": {
            # gerai 3.000 − 2.200; klinik 1.500; simpan pinjam 50; kantor 20 − (1.000 + 250 + 600)
            "gerai_sembako": (3_000_000, 2_200_000, 800_000),
            "simpan_pinjam": (50_000, 0, 50_000),
            "klinik": (1_500_000, 0, 1_500_000),
            "kantor": (20_000, 1_850_000, -1_830_000),
        },
    },
    # 2025 revenue: 4-101 6.000 + 4-301 2.000 + 4-201 90 = 8.090
    # 2025 expenses: 5-101 4.400 + 5-301 700 + 5-901 1.200 + 5-902 300 + 5-906 250 + 5-905 600
    #   = 7.450; SHU 2025 = 640
    "phu_2025": {
        "revenue": 8_090_000,
        "expenses": 7_450_000,
        "shu": 640_000,
        "units": {
            # gerai 6.000 − 4.400; klinik 2.000 − 700; simpan pinjam 90;
            # kantor −(1.200 + 300 + 250 + 600) = −2.350; 1.600 + 1.300 + 90 − 2.350 = 640
            "gerai_sembako": (6_000_000, 4_400_000, 1_600_000),
            "simpan_pinjam": (90_000, 0, 90_000),
            "klinik": (2_000_000, 700_000, 1_300_000),
            "kantor": (0, 2_350_000, -2_350_000),
        },
    },
    # Q1 2025: revenue 6.000 + 2.000 = 8.000; expenses 4.400 + 700 + 1.200 = 6.300; SHU 1.700
    "phu_2025_q1": {"revenue": 8_000_000, "expenses": 6_300_000, "shu": 1_700_000},
    # March 2025: 2.000 − (700 + 1.200) = 100
    "phu_2025_03": {"revenue": 2_000_000, "expenses": 1_900_000, "shu": 100_000},
    # Kas 2024: +400 +200 −300 +3.000 +1.500 −1.000 −250 +550 +700 = 4.800
    # Bank 2024: BRI +15.000 +300 −4.000 −6.000 −2.000 = 3.300; 1-102 itself +20; total 3.320
    "neraca_2024": {
        "1-101": 4_800_000,
        "1-102": 3_320_000,
        "1-102.01": 3_300_000,
        "1-110": 1_500_000,  # 2.000 − 500
        "1-131": 1_800_000,  # 4.000 − 2.200
        "1-204": 6_000_000,
        "1-209": -600_000,
        "current_assets": 11_420_000,  # 4.800 + 3.320 + 1.500 + 1.800
        "fixed_assets": 5_400_000,  # 6.000 − 600
        "assets": 16_820_000,
        "2-101": 700_000,
        "liabilities": 700_000,
        "3-101": 400_000,
        "3-102": 200_000,
        "3-202": 15_000_000,
        "3-301": 0,
        "shu_current_year": 520_000,
        "equity": 16_120_000,  # 400 + 200 + 15.000 + 0 + 520
    },
    # Kas 2025: 4.800 +200 +6.000 +2.000 −700 −1.200 −300 +840 −200 −250 = 11.190
    # Bank 2025: BRI 3.300; BPD +20.000 −5.000 −1.250 = 13.750; 1-102 itself 20; total 17.070
    "neraca_2025": {
        "1-101": 11_190_000,
        "1-102": 17_070_000,
        "1-102.01": 3_300_000,
        "1-102.02": 13_750_000,
        "1-110": 750_000,  # 1.500 − 750
        "1-131": 2_400_000,  # 1.800 + 5.000 − 4.400
        "1-204": 6_000_000,
        "1-209": -1_200_000,
        "current_assets": 31_410_000,  # 11.190 + 17.070 + 750 + 2.400
        "fixed_assets": 4_800_000,  # 6.000 − 1.200
        "assets": 36_210_000,
        "2-101": 500_000,  # 700 − 200
        "2-104": 62_000,  # 312 − 250
        "2-201": 19_000_000,  # 20.000 − 1.000
        "short_term_liabilities": 562_000,
        "long_term_liabilities": 19_000_000,
        "liabilities": 19_562_000,
        "3-101": 400_000,
        "3-102": 400_000,
        "3-201": 208_000,
        "3-202": 15_000_000,
        "3-301": 0,  # posted −520 + SHU of 2024 520
        "shu_current_year": 640_000,
        "equity": 16_648_000,  # 400 + 400 + 208 + 15.000 + 0 + 640; 19.562 + 16.648 = 36.210
    },
    # 31 March 2025: Kas 4.800 +200 +6.000 +2.000 −700 −1.200 = 11.100; Bank 3.320 + 15.000
    # = 18.320; assets 11.100 + 18.320 + 1.500 + 2.400 + 5.400 = 38.720; liabilities 700 +
    # 20.000; equity 400 + 400 + 15.000 + 3-301 520 (SHU 2024, not yet shared) + 1.700 = 18.020
    "neraca_2025_03_31": {
        "assets": 38_720_000,
        "liabilities": 20_700_000,
        "3-301": 520_000,
        "shu_current_year": 1_700_000,
        "equity": 18_020_000,
    },
    "arus_kas_2024": {
        "opening_cash": 0,
        # received 4-101 3.000 + 4-301 1.500 + 1-110 500 + 4-201 50 + 4-901 20 = 5.070
        # paid 1-131 4.000 + 5-901 1.000 + 5-902 250 + 1-110 2.000 = 7.250
        "operating": (5_070_000, 7_250_000, -2_180_000),
        "investing": (0, 6_000_000, -6_000_000),  # 1-204
        # 3-101 400 + 3-102 200 + 3-202 15.000 + 2-101 700
        "financing": (16_300_000, 0, 16_300_000),
        "net_change": 8_120_000,  # −2.180 − 6.000 + 16.300
        "closing_cash": 8_120_000,  # Kas 4.800 + Bank 3.320
    },
    "arus_kas_2025": {
        "opening_cash": 8_120_000,
        # received 4-101 6.000 + 4-301 2.000 + 1-110 750 + 4-201 90 = 8.840
        # paid 1-131 5.000 + 5-301 700 + 5-901 1.200 + 5-902 300 + 5-906 250 = 7.450
        "operating": (8_840_000, 7_450_000, 1_390_000),
        "investing": (0, 0, 0),
        # received 3-102 200 + 2-201 20.000; paid 2-201 1.000 + 2-101 200 + 2-104 250
        "financing": (20_200_000, 1_450_000, 18_750_000),
        "net_change": 20_140_000,  # 1.390 + 18.750
        "closing_cash": 28_260_000,  # Kas 11.190 + Bank 17.070 = 8.120 + 20.140
    },
    "ekuitas_2025": {
        # (at the start, increases, decreases, at the end)
        "3-101": (400_000, 0, 0, 400_000),
        "3-102": (200_000, 200_000, 0, 400_000),
        "3-201": (0, 208_000, 0, 208_000),
        "3-202": (15_000_000, 0, 0, 15_000_000),
        "3-301": (520_000, 0, 520_000, 0),  # SHU 2024 in, shared out by F13
        "shu": (0, 640_000, 0, 640_000),
        # 16.120 + (200 + 208 + 640) − 520 = 16.648 = the neraca's equity at 31 Dec 2025
        "total": (16_120_000, 1_048_000, 520_000, 16_648_000),
    },
    "ekuitas_2024": {
        "total": (0, 16_120_000, 0, 16_120_000),  # 400 + 200 + 15.000 + SHU 520
    },
    "tb_2024": {
        # E1..E16: 400 + 200 + 15.000 + 300 + 4.000 + 3.000 + 2.200 + 6.000 + 1.500 + 1.000
        # + 250 + 2.000 + 550 + 700 + 20 + 600 = 37.720
        "debit": 37_720_000,
        "credit": 37_720_000,
        "opening_debit": 0,
        "opening_credit": 0,
        # debit balances at the end: assets 16.820 + 600 (1-209 stands on the credit side)
        # + expenses 4.050 = 21.470; credit balances: 1-209 600 + 2-101 700 + equity 15.600
        # + revenue 4.570 = 21.470
        "closing_debit": 21_470_000,
        "closing_credit": 21_470_000,
    },
    "tb_2025": {
        # opening: Kas 4.800 + Bank 3.320 + 1-110 1.500 + 1-131 1.800 + 1-204 6.000 = 17.420
        #   = 1-209 600 + 2-101 700 + 3-101 400 + 3-102 200 + 3-202 15.000 + 3-301 520
        "opening_debit": 17_420_000,
        "opening_credit": 17_420_000,
        # F1..F15: 200 + 20.000 + 5.000 + 6.000 + 4.400 + 2.000 + 700 + 1.200 + 300 + 840
        # + 1.250 + 200 + 520 + 250 + 600 = 43.460
        "debit": 43_460_000,
        "credit": 43_460_000,
        # Kas 11.190 + Bank 17.070 + 1-110 750 + 1-131 2.400 + 1-204 6.000 + expenses 7.450
        #   = 44.860 = 1-209 1.200 + 2-101 500 + 2-104 62 + 2-201 19.000 + 3-101 400
        #   + 3-102 400 + 3-201 208 + 3-202 15.000 + revenue 8.090
        "closing_debit": 44_860_000,
        "closing_credit": 44_860_000,
        "3-301": (0, 520_000, 520_000, 0, 0, 0),  # opening credit 520, debit 520 by F13
        "1-102": (3_320_000, 0, 20_000_000, 6_250_000, 17_070_000, 0),
        "1-102.02": (0, 0, 20_000_000, 6_250_000, 13_750_000, 0),
    },
    # Gerai sembako's lines only, 2025: F3 (1-131 Dr 5.000, BPD Cr 5.000), F4 (Kas Dr 6.000,
    # 4-101 Cr 6.000), F5 (5-101 Dr 4.400, 1-131 Cr 4.400). Before: 2024's gerai lines are
    # 1-131 +4.000 −2.200 = 1.800 and SHU 2024 of the unit 800 in 3-301 — the 2024 cash lines
    # had no unit, so the opening does not balance: Dr 1.800, Cr 800. At the end: Dr 1-131
    # 2.400 + Kas 6.000 + 5-101 4.400 = 12.800; Cr BPD 5.000 + 4-101 6.000 + 3-301 800 = 11.800.
    "tb_2025_gerai": {
        "opening_debit": 1_800_000,
        "opening_credit": 800_000,
        "debit": 15_400_000,
        "credit": 15_400_000,
        "closing_debit": 12_800_000,
        "closing_credit": 11_800_000,
    },
}
