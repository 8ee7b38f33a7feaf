"""Laporan Keuangan Bulanan: the treasurer's monthly report."""

from ..enums import FieldType
from .blocks import BUSINESS_UNITS, Block, calculated, field, group, info, rule, rupiah, step

# --- 2. Laporan Keuangan Bulanan ------------------------------------------------------------

FINANCIAL_REPORT_FIELDS: list[Block] = [
    step("Periode dan anggota", "Period and members"),
    field(
        FieldType.MONTH,
        "periode",
        "Bulan laporan",
        "Month reported",
        help="Bulan yang sudah selesai, misalnya Oktober untuk laporan yang dikirim awal November.",
        help_en="A finished month, e.g. October for a report sent in early November.",
    ),
    field(
        FieldType.INTEGER,
        "anggota_awal",
        "Jumlah anggota awal bulan",
        "Members at the start of the month",
        min_value="0",
    ),
    field(
        FieldType.INTEGER,
        "anggota_masuk",
        "Anggota baru bulan ini",
        "New members this month",
        min_value="0",
    ),
    field(
        FieldType.INTEGER,
        "anggota_keluar",
        "Anggota keluar bulan ini",
        "Members who left this month",
        help="Mengundurkan diri, meninggal atau diberhentikan.",
        help_en="Resigned, died or expelled.",
        min_value="0",
    ),
    calculated(
        "anggota_akhir",
        "Jumlah anggota akhir bulan",
        "Members at the end of the month",
        "anggota_awal + anggota_masuk - anggota_keluar",
        result_type=FieldType.INTEGER,
    ),
    step("Simpanan anggota", "Members' savings"),
    info(
        "Isi saldo akhir bulan, bukan setoran bulan ini.",
        "Enter the balance at the end of the month, not this month's deposits.",
    ),
    rupiah("simpanan_pokok", "Saldo simpanan pokok", "Principal savings balance"),
    rupiah("simpanan_wajib", "Saldo simpanan wajib", "Compulsory savings balance"),
    rupiah("simpanan_sukarela", "Saldo simpanan sukarela", "Voluntary savings balance"),
    calculated(
        "total_simpanan",
        "Jumlah simpanan anggota",
        "Total members' savings",
        "simpanan_pokok + simpanan_wajib + simpanan_sukarela",
    ),
    step("Kas, bank dan pinjaman", "Cash, bank and loans"),
    rupiah(
        "kas",
        "Uang kas",
        "Cash in hand",
        help="Uang tunai di brankas/kas koperasi pada akhir bulan.",
        help_en="Cash in the cooperative's safe at the end of the month.",
    ),
    rupiah(
        "bank",
        "Saldo rekening bank",
        "Bank balance",
        help="Jumlah saldo semua rekening koperasi sesuai rekening koran.",
        help_en="All the cooperative's accounts together, as on the bank statements.",
    ),
    rupiah(
        "pinjaman_beredar",
        "Pinjaman beredar",
        "Loans outstanding",
        help="Sisa pokok pinjaman anggota yang belum dilunasi pada akhir bulan.",
        help_en="Principal members still owe on their loans at the end of the month.",
    ),
    step("Pendapatan dan beban", "Income and expenses"),
    group(
        "unit_usaha",
        "Pendapatan dan beban per unit usaha",
        "Income and expenses per business unit",
        [
            field(
                FieldType.SINGLE_CHOICE,
                "unit",
                "Unit usaha",
                "Business unit",
                choices=BUSINESS_UNITS,
                widget="dropdown",
            ),
            rupiah("pendapatan", "Pendapatan bulan ini", "Income this month"),
            rupiah("beban", "Beban bulan ini", "Expenses this month"),
        ],
        min_rows=1,
        max_rows=7,
        help="Satu baris untuk setiap unit usaha yang sudah berjalan.",
        help_en="One row for each business unit already running.",
    ),
    calculated(
        "total_pendapatan",
        "Jumlah pendapatan",
        "Total income",
        "sum(unit_usaha.pendapatan)",
    ),
    calculated("total_beban", "Jumlah beban", "Total expenses", "sum(unit_usaha.beban)"),
    calculated(
        "shu_bulan",
        "SHU bulan ini",
        "Surplus (SHU) this month",
        "total_pendapatan - total_beban",
        help="Sisa hasil usaha: pendapatan dikurangi beban. Minus berarti rugi.",
        help_en="Operating surplus: income less expenses. A negative amount is a loss.",
    ),
    field(
        FieldType.RUPIAH,
        "shu_tahun_berjalan",
        "SHU tahun berjalan",
        "Surplus (SHU) year to date",
        help="SHU sejak Januari sampai akhir bulan ini. Tulis minus jika rugi.",
        help_en="Surplus from January to the end of this month. Negative for a loss.",
    ),
    step("Neraca", "Balance sheet"),
    info(
        "Kas, bank, pinjaman beredar, simpanan dan SHU tahun berjalan diambil dari isian "
        "sebelumnya. Total aset harus sama dengan total kewajiban ditambah total ekuitas.",
        "Cash, bank, loans outstanding, savings and the year-to-date surplus come from the "
        "earlier steps. Total assets must equal total liabilities plus total equity.",
    ),
    calculated("kas_bank", "Kas dan bank", "Cash and bank", "kas + bank"),
    calculated(
        "piutang_pinjaman",
        "Piutang pinjaman anggota",
        "Loans to members",
        "pinjaman_beredar",
    ),
    rupiah(
        "persediaan",
        "Persediaan barang",
        "Stock",
        help="Nilai barang dagangan di gerai, apotek dan gudang (harga beli).",
        help_en="Goods for sale in the store, pharmacy and warehouse, at cost.",
    ),
    rupiah(
        "aset_tetap",
        "Aset tetap (setelah penyusutan)",
        "Fixed assets (after depreciation)",
        help="Tanah, bangunan, kendaraan dan peralatan milik koperasi.",
        help_en="Land, buildings, vehicles and equipment the cooperative owns.",
    ),
    calculated(
        "total_aset",
        "Total aset",
        "Total assets",
        "kas_bank + piutang_pinjaman + persediaan + aset_tetap",
    ),
    rupiah("utang_bank", "Utang bank", "Bank loans owed"),
    rupiah(
        "kewajiban_lain",
        "Kewajiban lain",
        "Other liabilities",
        help="Misalnya utang kepada pemasok atau dana titipan.",
        help_en="For example money owed to suppliers or funds held for others.",
    ),
    calculated(
        "total_kewajiban",
        "Total kewajiban",
        "Total liabilities",
        "simpanan_sukarela + utang_bank + kewajiban_lain",
        help="Simpanan sukarela termasuk kewajiban karena dapat diambil anggota kapan saja.",
        help_en="Voluntary savings are a liability: members may withdraw them at any time.",
    ),
    rupiah("cadangan", "Cadangan", "Reserves"),
    calculated(
        "total_ekuitas",
        "Total ekuitas",
        "Total equity",
        "simpanan_pokok + simpanan_wajib + cadangan + shu_tahun_berjalan",
    ),
    step("Catatan", "Notes"),
    field(
        FieldType.LONG_TEXT,
        "catatan",
        "Catatan",
        "Notes",
        help="Kejadian penting bulan ini, misalnya pinjaman macet atau unit usaha baru.",
        help_en="Anything important this month, such as bad loans or a new business unit.",
        required=False,
        max_length=2000,
    ),
]

FINANCIAL_REPORT_RULES: list[Block] = [
    rule(
        "anggota_keluar <= anggota_awal + anggota_masuk",
        "Anggota keluar tidak boleh lebih banyak dari anggota awal bulan ditambah anggota baru.",
        "Members who left cannot outnumber members at the start of the month plus new members.",
    ),
    rule(
        "total_aset == total_kewajiban + total_ekuitas",
        "Neraca belum seimbang: total aset harus sama dengan total kewajiban ditambah total "
        "ekuitas. Periksa lagi kas, bank, simpanan, utang dan SHU.",
        "The balance sheet does not balance: total assets must equal total liabilities plus "
        "total equity. Check cash, bank, savings, debts and the surplus again.",
    ),
]
