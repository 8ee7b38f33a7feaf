"""Pengajuan Pinjaman: a member's loan application."""

from ..enums import FieldType
from .blocks import (
    DOCUMENT_TYPES,
    Block,
    calculated,
    choices,
    field,
    rule,
    rupiah,
    step,
    when,
)

# --- 3. Pengajuan Pinjaman ------------------------------------------------------------------

LOAN_FIELDS: list[Block] = [
    step("Anggota dan pinjaman", "Member and loan"),
    field(
        FieldType.MEMBER,
        "anggota",
        "Anggota yang mengajukan",
        "Member applying",
        help="Hanya anggota aktif yang dapat mengajukan pinjaman.",
        help_en="Only active members may apply for a loan.",
        active_only=True,
    ),
    field(
        FieldType.SINGLE_CHOICE,
        "produk",
        "Jenis pinjaman",
        "Loan product",
        choices=choices(
            ("mikro_anggota", "Pinjaman mikro anggota", "Micro loan for members"),
            ("modal_usaha", "Pinjaman modal usaha", "Business capital loan"),
        ),
        widget="radio",
    ),
    rupiah(
        "jumlah",
        "Jumlah pinjaman",
        "Loan amount",
        help="Paling sedikit Rp500.000 dan paling banyak Rp100.000.000. Pinjaman mikro paling "
        "banyak Rp10.000.000.",
        help_en="From Rp500,000 to Rp100,000,000. A micro loan is at most Rp10,000,000.",
        min_value="500000",
        max_value="100000000",
    ),
    field(
        FieldType.INTEGER,
        "tenor_bulan",
        "Jangka waktu (bulan)",
        "Term (months)",
        help="Lama pengembalian, 1 sampai 60 bulan.",
        help_en="How long to repay, 1 to 60 months.",
        min_value="1",
        max_value="60",
    ),
    field(
        FieldType.SINGLE_CHOICE,
        "tujuan",
        "Tujuan pinjaman",
        "Purpose of the loan",
        choices=choices(
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
    field(
        FieldType.LONG_TEXT,
        "tujuan_keterangan",
        "Jelaskan penggunaan pinjaman",
        "Explain how the loan will be used",
        help="Misalnya: membeli bibit dan pupuk untuk 1 hektare sawah.",
        help_en="For example: buying seed and fertiliser for 1 hectare of rice field.",
        max_length=1000,
    ),
    step("Kemampuan membayar", "Ability to repay"),
    rupiah(
        "penghasilan_bulanan",
        "Penghasilan bersih per bulan",
        "Net income per month",
        help="Penghasilan rumah tangga setelah kebutuhan usaha, sebelum kebutuhan sehari-hari.",
        help_en="Household income after business costs, before daily living costs.",
    ),
    calculated(
        "angsuran_perkiraan",
        "Perkiraan angsuran pokok per bulan",
        "Estimated monthly principal instalment",
        "jumlah / tenor_bulan",
        help="Jumlah pinjaman dibagi jangka waktu, belum termasuk jasa pinjaman.",
        help_en="Loan amount divided by the term, before loan interest (jasa).",
    ),
    step("Jaminan", "Security"),
    field(
        FieldType.SINGLE_CHOICE,
        "jaminan",
        "Jenis jaminan",
        "Type of security",
        choices=choices(
            ("penjamin", "Penjamin (orang yang menanggung)", "Guarantor"),
            ("agunan", "Agunan (barang)", "Collateral"),
            ("tanpa", "Tanpa jaminan", "None"),
        ),
        widget="radio",
    ),
    field(
        FieldType.SHORT_TEXT,
        "penjamin_nama",
        "Nama penjamin",
        "Guarantor's name",
        max_length=150,
        visible_when=when("jaminan", "penjamin"),
    ),
    field(
        FieldType.NIK,
        "penjamin_nik",
        "NIK penjamin",
        "Guarantor's NIK",
        visible_when=when("jaminan", "penjamin"),
    ),
    field(
        FieldType.LONG_TEXT,
        "agunan_keterangan",
        "Keterangan agunan",
        "Description of the collateral",
        help="Jenis barang, bukti kepemilikan dan perkiraan nilainya, misalnya BPKB motor 2019.",
        help_en="What it is, proof of ownership and its rough value, e.g. a 2019 motorbike's BPKB.",
        max_length=1000,
        visible_when=when("jaminan", "agunan"),
    ),
    step("Dokumen", "Documents"),
    field(
        FieldType.FILE,
        "ktp",
        "Foto/pindaian KTP",
        "Photo or scan of the ID card (KTP)",
        help="PDF/JPG/PNG, paling besar 5 MB.",
        help_en="PDF/JPG/PNG, at most 5 MB.",
        max_size_mb=5,
        allowed=DOCUMENT_TYPES,
    ),
    field(
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
    rule(
        "angsuran_perkiraan <= penghasilan_bulanan * 0.3",
        "Angsuran melebihi 30% penghasilan. Perkecil jumlah pinjaman atau perpanjang jangka "
        "waktunya.",
        "The instalment is more than 30% of income. Borrow less or choose a longer term.",
    ),
    rule(
        'jumlah <= 10000000 if produk == "mikro_anggota" else True',
        "Pinjaman mikro anggota paling banyak Rp10.000.000. Pilih pinjaman modal usaha untuk "
        "jumlah yang lebih besar.",
        "A member micro loan is at most Rp10,000,000. Choose a business capital loan for more.",
    ),
]
