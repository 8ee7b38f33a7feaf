"""The three core forms every Koperasi Desa/Kelurahan Merah Putih starts with, shipped as
ordinary, editable form pages: registration of the cooperative, the monthly financial report and
the member loan application.

They are written here as the same StreamField blocks an admin composes in the Wagtail admin,
so after the first publish they belong to the admins: :func:`ensure_core_forms` only creates a
form whose slug does not exist yet and never touches one that does.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cooperatives.enums import BusinessUnitCode, Role, Sex

from .demo import ensure_form_index
from .enums import ConditionOperator, FieldType, FormPurpose, PeriodRule
from .models import KopdesFormPage

Block = dict[str, Any]


# --- Block builders: the JSON the Wagtail admin stores for each block -----------------------


def _field(
    kind: str,
    code: str,
    label: str,
    label_en: str,
    *,
    help: str = "",
    help_en: str = "",
    required: bool = True,
    visible_when: dict[str, str] | None = None,
    **options: Any,
) -> Block:
    value: dict[str, Any] = {
        "code": code,
        "label": label,
        "label_en": label_en,
        "help": help,
        "help_en": help_en,
        "required": required,
        **options,
    }
    if visible_when:
        value["visible_when"] = visible_when
    return {"type": kind, "value": value}


def _calculated(
    code: str,
    label: str,
    label_en: str,
    expression: str,
    *,
    result_type: str = FieldType.RUPIAH,
    help: str = "",
    help_en: str = "",
) -> Block:
    return _field(
        FieldType.CALCULATED,
        code,
        label,
        label_en,
        help=help,
        help_en=help_en,
        required=False,
        expression=expression,
        result_type=result_type,
    )


def _group(
    code: str,
    label: str,
    label_en: str,
    columns: list[Block],
    *,
    min_rows: int,
    max_rows: int,
    help: str = "",
    help_en: str = "",
) -> Block:
    return _field(
        FieldType.GROUP,
        code,
        label,
        label_en,
        help=help,
        help_en=help_en,
        fields=columns,
        min_rows=min_rows,
        max_rows=max_rows,
    )


def _step(title: str, title_en: str) -> Block:
    return {"type": FieldType.STEP, "value": {"title": title, "title_en": title_en}}


def _info(text: str, text_en: str) -> Block:
    return {
        "type": FieldType.INFO,
        "value": {"text": f"<p>{text}</p>", "text_en": f"<p>{text_en}</p>"},
    }


def _choices(*options: tuple[str, str, str]) -> list[dict[str, str]]:
    return [
        {"code": code, "label": label, "label_en": label_en} for code, label, label_en in options
    ]


def _when(field: str, value: str) -> dict[str, str]:
    return {"field": field, "operator": ConditionOperator.EQUALS, "value": value}


def _rule(expression: str, message: str, message_en: str) -> Block:
    return {
        "type": "rule",
        "value": {"expression": expression, "message": message, "message_en": message_en},
    }


def _rupiah(code: str, label: str, label_en: str, **options: Any) -> Block:
    options.setdefault("min_value", "0")
    return _field(FieldType.RUPIAH, code, label, label_en, **options)


BUSINESS_UNITS = _choices(
    (BusinessUnitCode.KANTOR, "Kantor koperasi", "Cooperative office"),
    (BusinessUnitCode.GERAI_SEMBAKO, "Gerai sembako", "Grocery store"),
    (BusinessUnitCode.SIMPAN_PINJAM, "Unit simpan pinjam", "Savings and loans unit"),
    (BusinessUnitCode.KLINIK, "Klinik desa", "Village clinic"),
    (BusinessUnitCode.APOTEK, "Apotek desa", "Village pharmacy"),
    (BusinessUnitCode.PERGUDANGAN, "Pergudangan/cold storage", "Warehouse/cold storage"),
    (BusinessUnitCode.LOGISTIK, "Logistik", "Logistics"),
)
DOCUMENT_TYPES = ["pdf", "jpg", "png"]


# --- 1. Pendaftaran Koperasi ----------------------------------------------------------------

REGISTRATION_FIELDS: list[Block] = [
    _step("Identitas koperasi", "Cooperative identity"),
    _field(
        FieldType.SHORT_TEXT,
        "nama_koperasi",
        "Nama koperasi",
        "Cooperative name",
        help="Nama lengkap sesuai hasil musyawarah desa, misalnya Koperasi Desa Merah Putih Sukamaju.",
        help_en="Full name as agreed at the village meeting, e.g. Koperasi Desa Merah Putih Sukamaju.",
        max_length=150,
    ),
    _field(
        FieldType.LONG_TEXT,
        "alamat",
        "Alamat sekretariat",
        "Office address",
        help="Jalan, RT/RW, dusun. Desa dan kecamatan dipilih di bawah.",
        help_en="Street, RT/RW, hamlet. The village and district are chosen below.",
        max_length=500,
    ),
    _field(
        FieldType.PHONE,
        "telepon",
        "Nomor telepon/WhatsApp",
        "Phone/WhatsApp number",
        help="Nomor yang aktif untuk dihubungi pendamping.",
        help_en="A number the facilitator can reach.",
    ),
    _field(FieldType.EMAIL, "email", "Alamat e-mail koperasi", "Cooperative e-mail address"),
    _field(FieldType.VILLAGE, "desa", "Desa/kelurahan", "Village"),
    _field(
        FieldType.YES_NO,
        "lebih_dari_satu_desa",
        "Apakah koperasi mencakup lebih dari satu desa/kelurahan?",
        "Does the cooperative cover more than one village?",
    ),
    _field(
        FieldType.VILLAGE,
        "desa_kedua",
        "Desa/kelurahan kedua",
        "Second village",
        visible_when=_when("lebih_dari_satu_desa", "yes"),
    ),
    _step("Musyawarah desa", "Village meeting"),
    _field(
        FieldType.DATE,
        "tanggal_musdes",
        "Tanggal musyawarah desa khusus",
        "Date of the special village meeting",
        not_in_future=True,
    ),
    _field(
        FieldType.INTEGER,
        "jumlah_peserta_musdes",
        "Jumlah peserta musyawarah",
        "Number of people at the meeting",
        help="Sesuai daftar hadir.",
        help_en="As on the attendance list.",
        min_value="1",
    ),
    _field(
        FieldType.FILE,
        "berita_acara_musdes",
        "Berita acara/notulen musyawarah",
        "Minutes of the meeting",
        help="Hasil pindai atau foto yang jelas, PDF/JPG/PNG, paling besar 5 MB.",
        help_en="A clear scan or photo, PDF/JPG/PNG, at most 5 MB.",
        max_size_mb=5,
        allowed=DOCUMENT_TYPES,
    ),
    _step("Pendiri", "Founders"),
    _info(
        "Isi semua pendiri koperasi, paling sedikit 3 orang. Simpanan pokok adalah uang yang "
        "disetor setiap pendiri saat koperasi didirikan.",
        "List every founder of the cooperative, at least 3 people. Simpanan pokok is the "
        "principal savings each founder pays in when the cooperative is set up.",
    ),
    _group(
        "pendiri",
        "Daftar pendiri",
        "Founders",
        [
            _field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            _field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
            _field(
                FieldType.SINGLE_CHOICE,
                "jenis_kelamin",
                "Jenis kelamin",
                "Sex",
                # Choice codes must be lowercase (blocks.validate_code); upper() gives Sex.
                choices=_choices(
                    (Sex.MALE.lower(), "Laki-laki (L)", "Male (L)"),
                    (Sex.FEMALE.lower(), "Perempuan (P)", "Female (P)"),
                ),
                widget="radio",
            ),
            _field(FieldType.SHORT_TEXT, "alamat", "Alamat", "Address", max_length=200),
            _rupiah("simpanan_pokok", "Simpanan pokok", "Principal savings (simpanan pokok)"),
        ],
        min_rows=3,
        max_rows=50,
    ),
    _step("Pengurus dan pengawas", "Board and supervisors"),
    _group(
        "pengurus",
        "Pengurus",
        "Board (pengurus)",
        [
            _field(
                FieldType.SINGLE_CHOICE,
                "jabatan",
                "Jabatan",
                "Position",
                choices=_choices(
                    ("ketua", "Ketua", "Chair"),
                    ("wakil_ketua", "Wakil ketua", "Vice chair"),
                    ("sekretaris", "Sekretaris", "Secretary"),
                    ("bendahara", "Bendahara", "Treasurer"),
                    ("anggota", "Anggota pengurus", "Board member"),
                ),
                widget="dropdown",
            ),
            _field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            _field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
            _field(FieldType.PHONE, "telepon", "Nomor telepon", "Phone number"),
        ],
        min_rows=3,
        max_rows=7,
        help="Paling sedikit ketua, sekretaris dan bendahara.",
        help_en="At least a chair, a secretary and a treasurer.",
    ),
    _group(
        "pengawas",
        "Pengawas",
        "Supervisors (pengawas)",
        [
            _field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            _field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
        ],
        min_rows=1,
        max_rows=3,
        help="Pengawas tidak boleh merangkap sebagai pengurus.",
        help_en="A supervisor may not also sit on the board.",
    ),
    _step("Unit usaha", "Business units"),
    _field(
        FieldType.MULTIPLE_CHOICE,
        "unit_usaha",
        "Unit usaha yang akan dijalankan",
        "Business units to be run",
        help="Pilih paling sedikit satu.",
        help_en="Choose at least one.",
        choices=BUSINESS_UNITS,
        min_selected=1,
    ),
    _step("Modal awal", "Starting capital"),
    _rupiah(
        "simpanan_pokok_per_anggota",
        "Simpanan pokok per anggota",
        "Principal savings per member",
        help="Dibayar sekali saat menjadi anggota, sesuai anggaran dasar.",
        help_en="Paid once on joining, as set in the articles of association.",
    ),
    _rupiah(
        "simpanan_wajib_per_bulan",
        "Simpanan wajib per bulan",
        "Compulsory savings per month",
        help="Dibayar setiap bulan oleh setiap anggota.",
        help_en="Paid every month by every member.",
    ),
    _rupiah(
        "hibah",
        "Hibah/modal lain",
        "Grants/other capital",
        help="Misalnya hibah dari desa atau pemerintah daerah. Kosongkan jika tidak ada.",
        help_en="For example a grant from the village or local government. Leave empty if none.",
        required=False,
    ),
    _calculated(
        "total_simpanan_pokok",
        "Jumlah simpanan pokok pendiri",
        "Total principal savings of the founders",
        "sum(pendiri.simpanan_pokok)",
    ),
    _calculated(
        "modal_awal",
        "Modal awal koperasi",
        "Starting capital of the cooperative",
        "total_simpanan_pokok + hibah",
    ),
]

REGISTRATION_RULES: list[Block] = [
    _rule(
        "count(pendiri) >= 3",
        "Koperasi perlu paling sedikit 3 pendiri.",
        "A cooperative needs at least 3 founders.",
    ),
    _rule(
        "count(pengurus) >= 3",
        "Pengurus paling sedikit 3 orang: ketua, sekretaris dan bendahara.",
        "The board needs at least 3 people: a chair, a secretary and a treasurer.",
    ),
    _rule(
        "count(pengawas) >= 1",
        "Koperasi perlu paling sedikit 1 pengawas.",
        "A cooperative needs at least 1 supervisor.",
    ),
    _rule(
        "desa_kedua != desa",
        "Desa kedua harus berbeda dari desa pertama.",
        "The second village must differ from the first.",
    ),
    _rule(
        "min(pendiri.simpanan_pokok) >= simpanan_pokok_per_anggota",
        "Setiap pendiri harus menyetor paling sedikit simpanan pokok per anggota.",
        "Every founder must pay in at least the principal savings per member.",
    ),
    _rule(
        "total_simpanan_pokok > 0",
        "Jumlah simpanan pokok pendiri harus lebih dari nol.",
        "The founders' total principal savings must be more than zero.",
    ),
]


# --- 2. Laporan Keuangan Bulanan ------------------------------------------------------------

FINANCIAL_REPORT_FIELDS: list[Block] = [
    _step("Periode dan anggota", "Period and members"),
    _field(
        FieldType.MONTH,
        "periode",
        "Bulan laporan",
        "Month reported",
        help="Bulan yang sudah selesai, misalnya Oktober untuk laporan yang dikirim awal November.",
        help_en="A finished month, e.g. October for a report sent in early November.",
    ),
    _field(
        FieldType.INTEGER,
        "anggota_awal",
        "Jumlah anggota awal bulan",
        "Members at the start of the month",
        min_value="0",
    ),
    _field(
        FieldType.INTEGER,
        "anggota_masuk",
        "Anggota baru bulan ini",
        "New members this month",
        min_value="0",
    ),
    _field(
        FieldType.INTEGER,
        "anggota_keluar",
        "Anggota keluar bulan ini",
        "Members who left this month",
        help="Mengundurkan diri, meninggal atau diberhentikan.",
        help_en="Resigned, died or expelled.",
        min_value="0",
    ),
    _calculated(
        "anggota_akhir",
        "Jumlah anggota akhir bulan",
        "Members at the end of the month",
        "anggota_awal + anggota_masuk - anggota_keluar",
        result_type=FieldType.INTEGER,
    ),
    _step("Simpanan anggota", "Members' savings"),
    _info(
        "Isi saldo akhir bulan, bukan setoran bulan ini.",
        "Enter the balance at the end of the month, not this month's deposits.",
    ),
    _rupiah("simpanan_pokok", "Saldo simpanan pokok", "Principal savings balance"),
    _rupiah("simpanan_wajib", "Saldo simpanan wajib", "Compulsory savings balance"),
    _rupiah("simpanan_sukarela", "Saldo simpanan sukarela", "Voluntary savings balance"),
    _calculated(
        "total_simpanan",
        "Jumlah simpanan anggota",
        "Total members' savings",
        "simpanan_pokok + simpanan_wajib + simpanan_sukarela",
    ),
    _step("Kas, bank dan pinjaman", "Cash, bank and loans"),
    _rupiah(
        "kas",
        "Uang kas",
        "Cash in hand",
        help="Uang tunai di brankas/kas koperasi pada akhir bulan.",
        help_en="Cash in the cooperative's safe at the end of the month.",
    ),
    _rupiah(
        "bank",
        "Saldo rekening bank",
        "Bank balance",
        help="Jumlah saldo semua rekening koperasi sesuai rekening koran.",
        help_en="All the cooperative's accounts together, as on the bank statements.",
    ),
    _rupiah(
        "pinjaman_beredar",
        "Pinjaman beredar",
        "Loans outstanding",
        help="Sisa pokok pinjaman anggota yang belum dilunasi pada akhir bulan.",
        help_en="Principal members still owe on their loans at the end of the month.",
    ),
    _step("Pendapatan dan beban", "Income and expenses"),
    _group(
        "unit_usaha",
        "Pendapatan dan beban per unit usaha",
        "Income and expenses per business unit",
        [
            _field(
                FieldType.SINGLE_CHOICE,
                "unit",
                "Unit usaha",
                "Business unit",
                choices=BUSINESS_UNITS,
                widget="dropdown",
            ),
            _rupiah("pendapatan", "Pendapatan bulan ini", "Income this month"),
            _rupiah("beban", "Beban bulan ini", "Expenses this month"),
        ],
        min_rows=1,
        max_rows=7,
        help="Satu baris untuk setiap unit usaha yang sudah berjalan.",
        help_en="One row for each business unit already running.",
    ),
    _calculated(
        "total_pendapatan",
        "Jumlah pendapatan",
        "Total income",
        "sum(unit_usaha.pendapatan)",
    ),
    _calculated("total_beban", "Jumlah beban", "Total expenses", "sum(unit_usaha.beban)"),
    _calculated(
        "shu_bulan",
        "SHU bulan ini",
        "Surplus (SHU) this month",
        "total_pendapatan - total_beban",
        help="Sisa hasil usaha: pendapatan dikurangi beban. Minus berarti rugi.",
        help_en="Operating surplus: income less expenses. A negative amount is a loss.",
    ),
    _field(
        FieldType.RUPIAH,
        "shu_tahun_berjalan",
        "SHU tahun berjalan",
        "Surplus (SHU) year to date",
        help="SHU sejak Januari sampai akhir bulan ini. Tulis minus jika rugi.",
        help_en="Surplus from January to the end of this month. Negative for a loss.",
    ),
    _step("Neraca", "Balance sheet"),
    _info(
        "Kas, bank, pinjaman beredar, simpanan dan SHU tahun berjalan diambil dari isian "
        "sebelumnya. Total aset harus sama dengan total kewajiban ditambah total ekuitas.",
        "Cash, bank, loans outstanding, savings and the year-to-date surplus come from the "
        "earlier steps. Total assets must equal total liabilities plus total equity.",
    ),
    _calculated("kas_bank", "Kas dan bank", "Cash and bank", "kas + bank"),
    _calculated(
        "piutang_pinjaman",
        "Piutang pinjaman anggota",
        "Loans to members",
        "pinjaman_beredar",
    ),
    _rupiah(
        "persediaan",
        "Persediaan barang",
        "Stock",
        help="Nilai barang dagangan di gerai, apotek dan gudang (harga beli).",
        help_en="Goods for sale in the store, pharmacy and warehouse, at cost.",
    ),
    _rupiah(
        "aset_tetap",
        "Aset tetap (setelah penyusutan)",
        "Fixed assets (after depreciation)",
        help="Tanah, bangunan, kendaraan dan peralatan milik koperasi.",
        help_en="Land, buildings, vehicles and equipment the cooperative owns.",
    ),
    _calculated(
        "total_aset",
        "Total aset",
        "Total assets",
        "kas_bank + piutang_pinjaman + persediaan + aset_tetap",
    ),
    _rupiah("utang_bank", "Utang bank", "Bank loans owed"),
    _rupiah(
        "kewajiban_lain",
        "Kewajiban lain",
        "Other liabilities",
        help="Misalnya utang kepada pemasok atau dana titipan.",
        help_en="For example money owed to suppliers or funds held for others.",
    ),
    _calculated(
        "total_kewajiban",
        "Total kewajiban",
        "Total liabilities",
        "simpanan_sukarela + utang_bank + kewajiban_lain",
        help="Simpanan sukarela termasuk kewajiban karena dapat diambil anggota kapan saja.",
        help_en="Voluntary savings are a liability: members may withdraw them at any time.",
    ),
    _rupiah("cadangan", "Cadangan", "Reserves"),
    _calculated(
        "total_ekuitas",
        "Total ekuitas",
        "Total equity",
        "simpanan_pokok + simpanan_wajib + cadangan + shu_tahun_berjalan",
    ),
    _step("Catatan", "Notes"),
    _field(
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
    _rule(
        "anggota_keluar <= anggota_awal + anggota_masuk",
        "Anggota keluar tidak boleh lebih banyak dari anggota awal bulan ditambah anggota baru.",
        "Members who left cannot outnumber members at the start of the month plus new members.",
    ),
    _rule(
        "total_aset == total_kewajiban + total_ekuitas",
        "Neraca belum seimbang: total aset harus sama dengan total kewajiban ditambah total "
        "ekuitas. Periksa lagi kas, bank, simpanan, utang dan SHU.",
        "The balance sheet does not balance: total assets must equal total liabilities plus "
        "total equity. Check cash, bank, savings, debts and the surplus again.",
    ),
]


# --- 3. Pengajuan Pinjaman ------------------------------------------------------------------

LOAN_FIELDS: list[Block] = [
    _step("Anggota dan pinjaman", "Member and loan"),
    _field(
        FieldType.MEMBER,
        "anggota",
        "Anggota yang mengajukan",
        "Member applying",
        help="Hanya anggota aktif yang dapat mengajukan pinjaman.",
        help_en="Only active members may apply for a loan.",
        active_only=True,
    ),
    _field(
        FieldType.SINGLE_CHOICE,
        "produk",
        "Jenis pinjaman",
        "Loan product",
        choices=_choices(
            ("mikro_anggota", "Pinjaman mikro anggota", "Micro loan for members"),
            ("modal_usaha", "Pinjaman modal usaha", "Business capital loan"),
        ),
        widget="radio",
    ),
    _rupiah(
        "jumlah",
        "Jumlah pinjaman",
        "Loan amount",
        help="Paling sedikit Rp500.000 dan paling banyak Rp100.000.000. Pinjaman mikro paling "
        "banyak Rp10.000.000.",
        help_en="From Rp500,000 to Rp100,000,000. A micro loan is at most Rp10,000,000.",
        min_value="500000",
        max_value="100000000",
    ),
    _field(
        FieldType.INTEGER,
        "tenor_bulan",
        "Jangka waktu (bulan)",
        "Term (months)",
        help="Lama pengembalian, 1 sampai 60 bulan.",
        help_en="How long to repay, 1 to 60 months.",
        min_value="1",
        max_value="60",
    ),
    _field(
        FieldType.SINGLE_CHOICE,
        "tujuan",
        "Tujuan pinjaman",
        "Purpose of the loan",
        choices=_choices(
            ("modal_kerja", "Modal kerja usaha", "Working capital for a business"),
            ("pertanian", "Pertanian, peternakan atau perikanan", "Farming, livestock or fishing"),
            ("alat_usaha", "Pembelian alat usaha", "Buying business equipment"),
            ("pendidikan", "Biaya pendidikan", "School fees"),
            ("kesehatan", "Biaya kesehatan", "Health costs"),
            ("rumah", "Perbaikan rumah", "Home repairs"),
            ("lainnya", "Lainnya", "Other"),
        ),
        widget="dropdown",
    ),
    _field(
        FieldType.LONG_TEXT,
        "tujuan_keterangan",
        "Jelaskan penggunaan pinjaman",
        "Explain how the loan will be used",
        help="Misalnya: membeli bibit dan pupuk untuk 1 hektare sawah.",
        help_en="For example: buying seed and fertiliser for 1 hectare of rice field.",
        max_length=1000,
    ),
    _step("Kemampuan membayar", "Ability to repay"),
    _rupiah(
        "penghasilan_bulanan",
        "Penghasilan bersih per bulan",
        "Net income per month",
        help="Penghasilan rumah tangga setelah kebutuhan usaha, sebelum kebutuhan sehari-hari.",
        help_en="Household income after business costs, before daily living costs.",
    ),
    _calculated(
        "angsuran_perkiraan",
        "Perkiraan angsuran pokok per bulan",
        "Estimated monthly principal instalment",
        "jumlah / tenor_bulan",
        help="Jumlah pinjaman dibagi jangka waktu, belum termasuk jasa pinjaman.",
        help_en="Loan amount divided by the term, before loan interest (jasa).",
    ),
    _step("Jaminan", "Security"),
    _field(
        FieldType.SINGLE_CHOICE,
        "jaminan",
        "Jenis jaminan",
        "Type of security",
        choices=_choices(
            ("penjamin", "Penjamin (orang yang menanggung)", "Guarantor"),
            ("agunan", "Agunan (barang)", "Collateral"),
            ("tanpa", "Tanpa jaminan", "None"),
        ),
        widget="radio",
    ),
    _field(
        FieldType.SHORT_TEXT,
        "penjamin_nama",
        "Nama penjamin",
        "Guarantor's name",
        max_length=150,
        visible_when=_when("jaminan", "penjamin"),
    ),
    _field(
        FieldType.NIK,
        "penjamin_nik",
        "NIK penjamin",
        "Guarantor's NIK",
        visible_when=_when("jaminan", "penjamin"),
    ),
    _field(
        FieldType.LONG_TEXT,
        "agunan_keterangan",
        "Keterangan agunan",
        "Description of the collateral",
        help="Jenis barang, bukti kepemilikan dan perkiraan nilainya, misalnya BPKB motor 2019.",
        help_en="What it is, proof of ownership and its rough value, e.g. a 2019 motorbike's BPKB.",
        max_length=1000,
        visible_when=_when("jaminan", "agunan"),
    ),
    _step("Dokumen", "Documents"),
    _field(
        FieldType.FILE,
        "ktp",
        "Foto/pindaian KTP",
        "Photo or scan of the ID card (KTP)",
        help="PDF/JPG/PNG, paling besar 5 MB.",
        help_en="PDF/JPG/PNG, at most 5 MB.",
        max_size_mb=5,
        allowed=DOCUMENT_TYPES,
    ),
    _field(
        FieldType.FILE,
        "surat_usaha",
        "Surat keterangan usaha",
        "Business certificate",
        help="Dari kantor desa, jika ada. PDF/JPG/PNG, paling besar 5 MB.",
        help_en="From the village office, if you have one. PDF/JPG/PNG, at most 5 MB.",
        required=False,
        max_size_mb=5,
        allowed=DOCUMENT_TYPES,
    ),
]

LOAN_RULES: list[Block] = [
    _rule(
        "angsuran_perkiraan <= penghasilan_bulanan * 0.3",
        "Angsuran melebihi 30% penghasilan. Perkecil jumlah pinjaman atau perpanjang jangka "
        "waktunya.",
        "The instalment is more than 30% of income. Borrow less or choose a longer term.",
    ),
    _rule(
        'jumlah <= 10000000 if produk == "mikro_anggota" else True',
        "Pinjaman mikro anggota paling banyak Rp10.000.000. Pilih pinjaman modal usaha untuk "
        "jumlah yang lebih besar.",
        "A member micro loan is at most Rp10,000,000. Choose a business capital loan for more.",
    ),
]


# --- The forms and their creation -----------------------------------------------------------


@dataclass(frozen=True)
class CoreForm:
    slug: str
    title: str
    purpose: str
    period_rule: str
    reference_prefix: str
    intro: str
    intro_en: str
    fields: list[Block]
    rules: list[Block]
    audience: tuple[str, ...] = (Role.OPERATOR,)


CORE_FORMS: tuple[CoreForm, ...] = (
    CoreForm(
        slug="pendaftaran-koperasi",
        title="Pendaftaran Koperasi",
        purpose=FormPurpose.COOPERATIVE_SETUP,
        period_rule=PeriodRule.ONCE,
        reference_prefix="DAF",
        intro=(
            "<p>Formulir ini mendaftarkan koperasi desa/kelurahan setelah musyawarah desa. "
            "Siapkan berita acara musyawarah, data KTP para pendiri, pengurus dan pengawas, "
            "serta besar simpanan pokok dan simpanan wajib yang disepakati.</p>"
        ),
        intro_en=(
            "<p>This form registers the village cooperative after the village meeting. Have "
            "ready the minutes of the meeting, the ID cards of the founders, board and "
            "supervisors, and the principal and compulsory savings agreed.</p>"
        ),
        fields=REGISTRATION_FIELDS,
        rules=REGISTRATION_RULES,
    ),
    CoreForm(
        slug="laporan-keuangan-bulanan",
        title="Laporan Keuangan Bulanan",
        purpose=FormPurpose.FINANCIAL_REPORT,
        period_rule=PeriodRule.MONTHLY,
        reference_prefix="LKB",
        intro=(
            "<p>Laporan ini dikirim setiap bulan oleh bendahara. Isi angka sesuai buku kas, "
            "rekening koran bank dan buku simpanan anggota pada akhir bulan. Jumlah-jumlah "
            "dihitung otomatis; neraca harus seimbang sebelum laporan dapat dikirim.</p>"
        ),
        intro_en=(
            "<p>The treasurer sends this report every month. Enter the figures from the cash "
            "book, the bank statements and the members' savings book at the end of the month. "
            "Totals are worked out for you; the balance sheet must balance before the report "
            "can be sent.</p>"
        ),
        fields=FINANCIAL_REPORT_FIELDS,
        rules=FINANCIAL_REPORT_RULES,
    ),
    CoreForm(
        slug="pengajuan-pinjaman",
        title="Pengajuan Pinjaman",
        purpose=FormPurpose.LOAN_APPLICATION,
        period_rule=PeriodRule.UNLIMITED,
        reference_prefix="PIN",
        intro=(
            "<p>Isi formulir ini bersama anggota yang ingin meminjam. Angsuran per bulan tidak "
            "boleh lebih dari 30% penghasilannya. Siapkan KTP anggota dan, jika ada, surat "
            "keterangan usaha dari desa.</p>"
        ),
        intro_en=(
            "<p>Fill in this form together with the member who wants to borrow. The monthly "
            "instalment may not be more than 30% of their income. Have the member's ID card "
            "ready and, if they have one, the business certificate from the village.</p>"
        ),
        fields=LOAN_FIELDS,
        rules=LOAN_RULES,
    ),
)


def ensure_core_forms() -> list[KopdesFormPage]:
    """The three core forms, in the order of CORE_FORMS, each created and published under the
    form index only when no form with its slug exists yet.

    An existing form is returned as it is: admins own the forms after the first publish, so
    their edits are never overwritten. A form whose slug an admin changed is created again.
    """
    index = ensure_form_index()
    pages: list[KopdesFormPage] = []
    for core in CORE_FORMS:
        with transaction.atomic():
            page = KopdesFormPage.objects.filter(slug=core.slug).first()
            if page is None:
                page = KopdesFormPage(
                    title=core.title,
                    slug=core.slug,
                    purpose=core.purpose,
                    audience=[str(role) for role in core.audience],
                    period_rule=core.period_rule,
                    reference_prefix=core.reference_prefix,
                    intro=core.intro,
                    intro_en=core.intro_en,
                    fields=json.dumps(core.fields),
                    rules=json.dumps(core.rules),
                )
                index.add_child(instance=page)
                page.save_revision().publish()
                page.refresh_from_db()
        pages.append(page)
    return pages
