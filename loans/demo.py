"""The loan products a fresh installation starts with (seed_demo). Their codes are the choices
of the core *Pengajuan Pinjaman* and *Pengajuan Pembiayaan Koperasi* forms, so an approved
application finds its product."""

from decimal import Decimal

from forms.models import KopdesFormPage

from .enums import GraceKind, InterestMethod, LoanKind, RatePeriod
from .models import LoanProduct

LOAN_FORM_SLUG = "pengajuan-pinjaman"
FINANCING_FORM_SLUG = "pengajuan-pembiayaan-koperasi"

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
        "form_slug": LOAN_FORM_SLUG,
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
        "form_slug": LOAN_FORM_SLUG,
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
        "kind": LoanKind.COOPERATIVE,
        "interest_method": InterestMethod.ANNUITY,
        "grace_kind": GraceKind.INTEREST_ONLY,
        "min_grace_months": 6,
        "max_grace_months": 8,
        "required_documents": (
            "Akta badan hukum koperasi\nNIK koperasi\nRekening bank koperasi\nNPWP\nNIB\n"
            "Proposal usaha (belanja modal dan operasional, tahap pencairan, rencana pengembalian)\n"
            "Berita acara musyawarah desa/kelurahan"
        ),
        "form_slug": FINANCING_FORM_SLUG,
    },
)


def ensure_demo_products() -> list[LoanProduct]:
    """Create the products that do not exist yet (by code); an admin's edits are kept."""
    forms = {
        page.slug: page
        for page in KopdesFormPage.objects.filter(slug__in=[LOAN_FORM_SLUG, FINANCING_FORM_SLUG])
    }
    products = []
    for spec in DEMO_PRODUCTS:
        fields = dict(spec)
        form = forms.get(str(fields.pop("form_slug")))
        product = LoanProduct.objects.filter(code=fields["code"]).first()
        if product is None:
            product = LoanProduct(application_form=form, **fields)
            product.full_clean()
            product.save()
        products.append(product)
    return products
