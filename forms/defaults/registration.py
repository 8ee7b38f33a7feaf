"""Pendaftaran Koperasi: the cooperative's registration after the village meeting."""

from cooperatives.enums import Sex

from ..enums import FieldType
from .blocks import (
    BUSINESS_UNITS,
    DOCUMENT_TYPES,
    Block,
    calculated,
    choices,
    field,
    group,
    info,
    rule,
    rupiah,
    step,
    when,
)

# --- 1. Pendaftaran Koperasi ----------------------------------------------------------------

REGISTRATION_FIELDS: list[Block] = [
    step("Identitas koperasi", "Cooperative identity"),
    field(
        FieldType.SHORT_TEXT,
        "nama_koperasi",
        "Nama koperasi",
        "Cooperative name",
        help="Nama lengkap sesuai hasil musyawarah desa, misalnya Koperasi Desa Merah Putih Sukamaju.",
        help_en="Full name as agreed at the village meeting, e.g. Koperasi Desa Merah Putih Sukamaju.",
        max_length=150,
    ),
    field(
        FieldType.LONG_TEXT,
        "alamat",
        "Alamat sekretariat",
        "Office address",
        help="Jalan, RT/RW, dusun. Desa dan kecamatan dipilih di bawah.",
        help_en="Street, RT/RW, hamlet. The village and district are chosen below.",
        max_length=500,
    ),
    field(
        FieldType.PHONE,
        "telepon",
        "Nomor telepon/WhatsApp",
        "Phone/WhatsApp number",
        help="Nomor yang aktif untuk dihubungi pendamping.",
        help_en="A number the facilitator can reach.",
    ),
    field(FieldType.EMAIL, "email", "Alamat e-mail koperasi", "Cooperative e-mail address"),
    field(FieldType.VILLAGE, "desa", "Desa/kelurahan", "Village"),
    field(
        FieldType.YES_NO,
        "lebih_dari_satu_desa",
        "Apakah koperasi mencakup lebih dari satu desa/kelurahan?",
        "Does the cooperative cover more than one village?",
    ),
    field(
        FieldType.VILLAGE,
        "desa_kedua",
        "Desa/kelurahan kedua",
        "Second village",
        visible_when=when("lebih_dari_satu_desa", "yes"),
    ),
    step("Musyawarah desa", "Village meeting"),
    field(
        FieldType.DATE,
        "tanggal_musdes",
        "Tanggal musyawarah desa khusus",
        "Date of the special village meeting",
        not_in_future=True,
    ),
    field(
        FieldType.INTEGER,
        "jumlah_peserta_musdes",
        "Jumlah peserta musyawarah",
        "Number of people at the meeting",
        help="Sesuai daftar hadir.",
        help_en="As on the attendance list.",
        min_value="1",
    ),
    field(
        FieldType.FILE,
        "berita_acara_musdes",
        "Berita acara/notulen musyawarah",
        "Minutes of the meeting",
        help="Hasil pindai atau foto yang jelas, PDF/JPG/PNG, paling besar 5 MB.",
        help_en="A clear scan or photo, PDF/JPG/PNG, at most 5 MB.",
        max_size_mb=5,
        allowed=DOCUMENT_TYPES,
    ),
    step("Pendiri", "Founders"),
    info(
        "Isi semua pendiri koperasi, paling sedikit 3 orang. Simpanan pokok adalah uang yang "
        "disetor setiap pendiri saat koperasi didirikan.",
        "List every founder of the cooperative, at least 3 people. Simpanan pokok is the "
        "principal savings each founder pays in when the cooperative is set up.",
    ),
    group(
        "pendiri",
        "Daftar pendiri",
        "Founders",
        [
            field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
            field(
                FieldType.SINGLE_CHOICE,
                "jenis_kelamin",
                "Jenis kelamin",
                "Sex",
                # Choice codes must be lowercase (blocks.validate_code); upper() gives Sex.
                choices=choices(
                    (Sex.MALE.lower(), "Laki-laki (L)", "Male (L)"),
                    (Sex.FEMALE.lower(), "Perempuan (P)", "Female (P)"),
                ),
                widget="radio",
            ),
            field(FieldType.SHORT_TEXT, "alamat", "Alamat", "Address", max_length=200),
            rupiah("simpanan_pokok", "Simpanan pokok", "Principal savings (simpanan pokok)"),
        ],
        min_rows=3,
        max_rows=50,
    ),
    step("Pengurus dan pengawas", "Board and supervisors"),
    group(
        "pengurus",
        "Pengurus",
        "Board (pengurus)",
        [
            field(
                FieldType.SINGLE_CHOICE,
                "jabatan",
                "Jabatan",
                "Position",
                choices=choices(
                    ("ketua", "Ketua", "Chair"),
                    ("wakil_ketua", "Wakil ketua", "Vice chair"),
                    ("sekretaris", "Sekretaris", "Secretary"),
                    ("bendahara", "Bendahara", "Treasurer"),
                    ("anggota", "Anggota pengurus", "Board member"),
                ),
                widget="dropdown",
            ),
            field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
            field(FieldType.PHONE, "telepon", "Nomor telepon", "Phone number"),
        ],
        min_rows=3,
        max_rows=7,
        help="Paling sedikit ketua, sekretaris dan bendahara.",
        help_en="At least a chair, a secretary and a treasurer.",
    ),
    group(
        "pengawas",
        "Pengawas",
        "Supervisors (pengawas)",
        [
            field(FieldType.SHORT_TEXT, "nama", "Nama lengkap", "Full name", max_length=150),
            field(FieldType.NIK, "nik", "NIK", "National ID number (NIK)"),
        ],
        min_rows=1,
        max_rows=3,
        help="Pengawas tidak boleh merangkap sebagai pengurus.",
        help_en="A supervisor may not also sit on the board.",
    ),
    step("Unit usaha", "Business units"),
    field(
        FieldType.MULTIPLE_CHOICE,
        "unit_usaha",
        "Unit usaha yang akan dijalankan",
        "Business units to be run",
        help="Pilih paling sedikit satu.",
        help_en="Choose at least one.",
        choices=BUSINESS_UNITS,
        min_selected=1,
    ),
    step("Modal awal", "Starting capital"),
    rupiah(
        "simpanan_pokok_per_anggota",
        "Simpanan pokok per anggota",
        "Principal savings per member",
        help="Dibayar sekali saat menjadi anggota, sesuai anggaran dasar.",
        help_en="Paid once on joining, as set in the articles of association.",
    ),
    rupiah(
        "simpanan_wajib_per_bulan",
        "Simpanan wajib per bulan",
        "Compulsory savings per month",
        help="Dibayar setiap bulan oleh setiap anggota.",
        help_en="Paid every month by every member.",
    ),
    rupiah(
        "hibah",
        "Hibah/modal lain",
        "Grants/other capital",
        help="Misalnya hibah dari desa atau pemerintah daerah. Kosongkan jika tidak ada.",
        help_en="For example a grant from the village or local government. Leave empty if none.",
        required=False,
    ),
    calculated(
        "total_simpanan_pokok",
        "Jumlah simpanan pokok pendiri",
        "Total principal savings of the founders",
        "sum(pendiri.simpanan_pokok)",
    ),
    calculated(
        "modal_awal",
        "Modal awal koperasi",
        "Starting capital of the cooperative",
        "total_simpanan_pokok + hibah",
    ),
]

REGISTRATION_RULES: list[Block] = [
    rule(
        "count(pendiri) >= 3",
        "Koperasi perlu paling sedikit 3 pendiri.",
        "A cooperative needs at least 3 founders.",
    ),
    rule(
        "count(pengurus) >= 3",
        "Pengurus paling sedikit 3 orang: ketua, sekretaris dan bendahara.",
        "The board needs at least 3 people: a chair, a secretary and a treasurer.",
    ),
    rule(
        "count(pengawas) >= 1",
        "Koperasi perlu paling sedikit 1 pengawas.",
        "A cooperative needs at least 1 supervisor.",
    ),
    rule(
        "desa_kedua != desa",
        "Desa kedua harus berbeda dari desa pertama.",
        "The second village must differ from the first.",
    ),
    rule(
        "min(pendiri.simpanan_pokok) >= simpanan_pokok_per_anggota",
        "Setiap pendiri harus menyetor paling sedikit simpanan pokok per anggota.",
        "Every founder must pay in at least the principal savings per member.",
    ),
    rule(
        "total_simpanan_pokok > 0",
        "Jumlah simpanan pokok pendiri harus lebih dari nol.",
        "The founders' total principal savings must be more than zero.",
    ),
]
