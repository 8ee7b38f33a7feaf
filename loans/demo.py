"""The loan products a fresh installation starts with (seed_demo). Their codes are the choices
of the core *Pengajuan Pinjaman* form, so an approved application finds its product."""

from decimal import Decimal

from forms.models import KopdesFormPage

from .enums import GraceKind, InterestMethod, RatePeriod
from .models import LoanProduct

LOAN_FORM_SLUG = "pengajuan-pinjaman"

DEMO_PRODUCTS = (
    {
        "code": "mikro_anggota",
        "name": "Pinjaman mikro anggota",
        "description": "Pinjaman kecil dari unit simpan pinjam untuk kebutuhan anggota.",
        "min_amount": 500_000,
        "max_amount": 10_000_000,
        "min_tenor_months": 1,
        "max_tenor_months": 24,
        "rate_percent": Decimal("1.5"),
        "rate_period": RatePeriod.MONTH,
        "interest_method": InterestMethod.FLAT,
        "admin_fee": 25_000,
        "penalty_percent_per_month": Decimal(2),
        "penalty_free_days": 3,
        "required_documents": "KTP\nKartu Keluarga",
        "uses_loan_form": True,
    },
    {
        "code": "modal_usaha",
        "name": "Pinjaman modal usaha",
        "description": "Modal kerja untuk usaha anggota, bunga menurun.",
        "min_amount": 500_000,
        "max_amount": 100_000_000,
        "min_tenor_months": 3,
        "max_tenor_months": 60,
        "rate_percent": Decimal(12),
        "rate_period": RatePeriod.YEAR,
        "interest_method": InterestMethod.DECLINING_PRINCIPAL,
        "admin_fee": 100_000,
        "penalty_percent_per_month": Decimal(2),
        "penalty_free_days": 3,
        "required_documents": "KTP\nKartu Keluarga\nSurat keterangan usaha",
        "uses_loan_form": True,
    },
    {
        # The cooperative's own financing from a Himbara bank under PMK 49/2025.
        "code": "pmk49_himbara",
        "name": "Pembiayaan koperasi dari bank Himbara (PMK 49/2025)",
        "description": (
            "Plafon Rp 3 miliar, paling banyak Rp 500 juta untuk biaya operasional; bunga 6% "
            "setahun; tenor sampai 72 bulan dengan masa tenggang 6–8 bulan; angsuran bulanan."
        ),
        "min_amount": 100_000_000,
        "max_amount": 3_000_000_000,
        "min_tenor_months": 12,
        "max_tenor_months": 72,
        "rate_percent": Decimal(6),
        "rate_period": RatePeriod.YEAR,
        "interest_method": InterestMethod.ANNUITY,
        "grace_kind": GraceKind.INTEREST_ONLY,
        "min_grace_months": 6,
        "max_grace_months": 8,
        "required_documents": (
            "Akta badan hukum koperasi\nNIK koperasi\nRekening bank koperasi\nNPWP\nNIB\n"
            "Proposal usaha (belanja modal dan operasional, tahap pencairan, rencana pengembalian)\n"
            "Berita acara musyawarah desa/kelurahan"
        ),
        "uses_loan_form": False,
    },
)


def ensure_demo_products() -> list[LoanProduct]:
    """Create the products that do not exist yet (by code); an admin's edits are kept."""
    loan_form = KopdesFormPage.objects.filter(slug=LOAN_FORM_SLUG).first()
    products = []
    for spec in DEMO_PRODUCTS:
        fields = dict(spec)
        uses_loan_form = fields.pop("uses_loan_form")
        product = LoanProduct.objects.filter(code=fields["code"]).first()
        if product is None:
            product = LoanProduct(application_form=loan_form if uses_loan_form else None, **fields)
            product.full_clean()
            product.save()
        products.append(product)
    return products
