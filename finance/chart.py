"""The uniform chart of accounts every Koperasi Desa/Kelurahan Merah Putih keeps.

Shaped after SAK EP (the accounting standard for private entities) as cooperatives apply it:
assets, liabilities, equity with simpanan pokok and wajib as members' capital and simpanan
sukarela as a liability, revenue and expenses per business unit. The province maintains it in
the Wagtail admin; cooperatives add sub-accounts under it, never change a shared code.
"""

from typing import Any, NamedTuple

from .enums import AccountControl as C
from .enums import AccountType as T
from .enums import CashFlowClass as F


class StandardAccount(NamedTuple):
    code: str
    name: str
    name_en: str
    type: str
    business_unit: str = ""
    is_cash: bool = False
    cash_flow: str = F.OPERATING
    control: str = C.NONE


STANDARD_CHART: tuple[StandardAccount, ...] = (
    # 1 Aset
    StandardAccount("1-101", "Kas", "Cash in hand", T.ASSET, is_cash=True),
    StandardAccount("1-102", "Bank", "Bank accounts", T.ASSET, is_cash=True),
    StandardAccount(
        "1-110",
        "Piutang pinjaman anggota",
        "Loans to members",
        T.ASSET,
        business_unit="simpan_pinjam",
        control=C.MEMBER_LOANS,
    ),
    StandardAccount("1-120", "Piutang usaha", "Trade receivables", T.ASSET),
    StandardAccount(
        "1-131",
        "Persediaan gerai sembako",
        "Stock – grocery store",
        T.ASSET,
        business_unit="gerai_sembako",
    ),
    StandardAccount(
        "1-132", "Persediaan apotek desa", "Stock – pharmacy", T.ASSET, business_unit="apotek"
    ),
    StandardAccount(
        "1-133", "Persediaan klinik desa", "Stock – clinic", T.ASSET, business_unit="klinik"
    ),
    StandardAccount(
        "1-134",
        "Persediaan gudang",
        "Stock – warehouse",
        T.ASSET,
        business_unit="pergudangan",
    ),
    StandardAccount("1-140", "Biaya dibayar di muka", "Prepaid expenses", T.ASSET),
    StandardAccount("1-201", "Tanah", "Land", T.ASSET, cash_flow=F.INVESTING),
    StandardAccount("1-202", "Bangunan", "Buildings", T.ASSET, cash_flow=F.INVESTING),
    StandardAccount("1-203", "Kendaraan", "Vehicles", T.ASSET, cash_flow=F.INVESTING),
    StandardAccount(
        "1-204", "Peralatan dan inventaris", "Equipment", T.ASSET, cash_flow=F.INVESTING
    ),
    StandardAccount(
        "1-209",
        "Akumulasi penyusutan",
        "Accumulated depreciation",
        T.ASSET,
        cash_flow=F.INVESTING,
    ),
    # 2 Kewajiban
    StandardAccount(
        "2-101",
        "Simpanan sukarela",
        "Voluntary savings",
        T.LIABILITY,
        cash_flow=F.FINANCING,
        control=C.SAVINGS_SUKARELA,
    ),
    StandardAccount("2-102", "Utang usaha", "Trade payables", T.LIABILITY),
    StandardAccount("2-103", "Utang pajak", "Taxes payable", T.LIABILITY),
    StandardAccount(
        "2-104",
        "Dana SHU belum dibayar",
        "SHU funds not yet paid",
        T.LIABILITY,
        cash_flow=F.FINANCING,
    ),
    StandardAccount("2-105", "Dana titipan", "Funds held for others", T.LIABILITY),
    StandardAccount(
        "2-201",
        "Utang bank",
        "Bank loans",
        T.LIABILITY,
        cash_flow=F.FINANCING,
        control=C.BANK_LOANS,
    ),
    # 3 Ekuitas
    StandardAccount(
        "3-101",
        "Simpanan pokok",
        "Principal savings",
        T.EQUITY,
        cash_flow=F.FINANCING,
        control=C.SAVINGS_POKOK,
    ),
    StandardAccount(
        "3-102",
        "Simpanan wajib",
        "Compulsory savings",
        T.EQUITY,
        cash_flow=F.FINANCING,
        control=C.SAVINGS_WAJIB,
    ),
    StandardAccount("3-201", "Cadangan", "Reserves", T.EQUITY, cash_flow=F.FINANCING),
    StandardAccount(
        "3-202", "Modal hibah / donasi", "Grants and donations", T.EQUITY, cash_flow=F.FINANCING
    ),
    StandardAccount(
        "3-301",
        "SHU belum dibagi",
        "Undistributed SHU of past years",
        T.EQUITY,
        cash_flow=F.FINANCING,
    ),
    # 4 Pendapatan, per business unit
    StandardAccount(
        "4-101",
        "Penjualan gerai sembako",
        "Grocery store sales",
        T.REVENUE,
        business_unit="gerai_sembako",
    ),
    StandardAccount(
        "4-201",
        "Pendapatan jasa pinjaman",
        "Loan interest income",
        T.REVENUE,
        business_unit="simpan_pinjam",
    ),
    StandardAccount(
        "4-202",
        "Pendapatan administrasi pinjaman",
        "Loan fee income",
        T.REVENUE,
        business_unit="simpan_pinjam",
    ),
    StandardAccount(
        "4-203",
        "Pendapatan denda pinjaman",
        "Loan penalty income",
        T.REVENUE,
        business_unit="simpan_pinjam",
    ),
    StandardAccount(
        "4-301", "Pendapatan klinik desa", "Clinic income", T.REVENUE, business_unit="klinik"
    ),
    StandardAccount(
        "4-401", "Penjualan apotek desa", "Pharmacy sales", T.REVENUE, business_unit="apotek"
    ),
    StandardAccount(
        "4-501",
        "Pendapatan sewa gudang dan cold storage",
        "Warehouse and cold storage income",
        T.REVENUE,
        business_unit="pergudangan",
    ),
    StandardAccount(
        "4-601", "Pendapatan logistik", "Logistics income", T.REVENUE, business_unit="logistik"
    ),
    StandardAccount(
        "4-901", "Pendapatan lain-lain", "Other income", T.REVENUE, business_unit="kantor"
    ),
    # 5 Beban, per business unit
    StandardAccount(
        "5-101",
        "Harga pokok penjualan gerai",
        "Cost of goods sold – grocery store",
        T.EXPENSE,
        business_unit="gerai_sembako",
    ),
    StandardAccount(
        "5-102",
        "Beban operasional gerai",
        "Grocery store running costs",
        T.EXPENSE,
        business_unit="gerai_sembako",
    ),
    StandardAccount(
        "5-201",
        "Beban penghapusan piutang",
        "Loans written off",
        T.EXPENSE,
        business_unit="simpan_pinjam",
    ),
    StandardAccount(
        "5-202",
        "Beban jasa simpanan sukarela",
        "Interest on voluntary savings",
        T.EXPENSE,
        business_unit="simpan_pinjam",
    ),
    StandardAccount(
        "5-301",
        "Beban operasional klinik",
        "Clinic running costs",
        T.EXPENSE,
        business_unit="klinik",
    ),
    StandardAccount(
        "5-401",
        "Harga pokok penjualan apotek",
        "Cost of goods sold – pharmacy",
        T.EXPENSE,
        business_unit="apotek",
    ),
    StandardAccount(
        "5-501",
        "Beban operasional gudang",
        "Warehouse running costs",
        T.EXPENSE,
        business_unit="pergudangan",
    ),
    StandardAccount(
        "5-601",
        "Beban operasional logistik",
        "Logistics running costs",
        T.EXPENSE,
        business_unit="logistik",
    ),
    StandardAccount(
        "5-901", "Beban gaji dan honor", "Salaries and fees", T.EXPENSE, business_unit="kantor"
    ),
    StandardAccount(
        "5-902",
        "Beban listrik, air dan telepon",
        "Electricity, water and telephone",
        T.EXPENSE,
        business_unit="kantor",
    ),
    StandardAccount(
        "5-903",
        "Beban administrasi dan umum",
        "Office and general",
        T.EXPENSE,
        business_unit="kantor",
    ),
    StandardAccount(
        "5-904", "Beban rapat dan RAT", "Meetings and RAT", T.EXPENSE, business_unit="kantor"
    ),
    StandardAccount("5-905", "Beban penyusutan", "Depreciation", T.EXPENSE, business_unit="kantor"),
    StandardAccount(
        "5-906", "Beban bunga bank", "Bank interest", T.EXPENSE, business_unit="kantor"
    ),
    StandardAccount(
        "5-909", "Beban lain-lain", "Other expenses", T.EXPENSE, business_unit="kantor"
    ),
)

# Codes the services post to by themselves (savings, loans, the cash book's own side).
CASH = "1-101"
BANK = "1-102"
MEMBER_LOANS = "1-110"
VOLUNTARY_SAVINGS = "2-101"
SHU_PAYABLE = "2-104"
BANK_LOANS = "2-201"
PRINCIPAL_SAVINGS = "3-101"
COMPULSORY_SAVINGS = "3-102"
RESERVE = "3-201"
RETAINED_SHU = "3-301"
LOAN_INTEREST = "4-201"
LOAN_FEES = "4-202"
LOAN_PENALTIES = "4-203"
LOANS_WRITTEN_OFF = "5-201"
BANK_INTEREST = "5-906"


def chart_ensure_standard(account_model: Any = None) -> int:
    """Create the shared accounts that are missing; never changes one the province edited.
    Returns how many were created. Takes the model so that a data migration can call it."""
    if account_model is None:
        from .models import Account as account_model
    existing = set(
        account_model.objects.filter(cooperative__isnull=True).values_list("code", flat=True)
    )
    missing = [
        account_model(cooperative=None, **spec._asdict())
        for spec in STANDARD_CHART
        if spec.code not in existing
    ]
    account_model.objects.bulk_create(missing)
    return len(missing)
