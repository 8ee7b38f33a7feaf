"""What a loan or financing application must satisfy beyond its form's own rules: the loan
product it names exists, is offered, is of the right kind, and the amount, term and grace fit
the product's limits (admins change those in the Wagtail admin; the form's fixed limits are
only the outer bounds). Registered as form purpose checks (forms.purpose_checks), so the
web form, the API and the spreadsheet import all refuse the same answers with the same words.
"""

from typing import Any

from django.utils.translation import gettext as _

from cooperatives.enums import RegionKind
from forms.enums import FormPurpose
from forms.purpose_checks import Problems, PurposeCheck, register

from .enums import LoanKind
from .models import LoanProduct

# The fields of the core forms each check reads (forms/defaults/loan.py, financing.py).
PRODUCT, AMOUNT, TENOR, GRACE = "produk", "jumlah", "tenor_bulan", "masa_tenggang_bulan"
AREA = "wilayah"
# Product problem key → the form field the message belongs beside.
_FIELD_OF = {"amount": AMOUNT, "tenor_months": TENOR, "grace_months": GRACE}


def _terms_problems(answers: dict[str, Any], kind: str) -> Problems:
    code = answers.get(PRODUCT)
    amount, tenor = answers.get(AMOUNT), answers.get(TENOR)
    if not code or amount is None or tenor is None:
        return []  # the form's own "must be answered" says it better
    product = LoanProduct.objects.filter(code=str(code)).first()
    if product is None or not product.is_active:
        return [(PRODUCT, _("This loan product is not offered at the moment."))]
    if product.kind != kind:
        return [
            (
                PRODUCT,
                _("“%(product)s” cannot be applied for with this form.")
                % {"product": product.name},
            )
        ]
    grace = answers.get(GRACE)
    problems = product.terms_problems(
        amount=int(amount), tenor_months=int(tenor), grace_months=int(grace or 0)
    )
    return [(_FIELD_OF.get(key), message) for key, message in problems.items()]


def member_loan_problems(answers: dict[str, Any], cooperative: Any) -> Problems:
    return _terms_problems(answers, LoanKind.MEMBER)


def financing_problems(answers: dict[str, Any], cooperative: Any) -> Problems:
    return _terms_problems(answers, LoanKind.COOPERATIVE)


def area_problems(answers: dict[str, Any], cooperative: Any) -> Problems:
    """The desa/kelurahan answer decides who approves (kepala desa or bupati/wali kota), so it
    must say what the cooperative's villages are."""
    area = answers.get(AREA)
    if not area or cooperative is None:
        return []
    kinds = set(cooperative.village_links.values_list("village__kind", flat=True))
    if kinds and area not in kinds:
        actual = RegionKind.KELURAHAN if RegionKind.KELURAHAN in kinds else RegionKind.DESA
        return [
            (
                AREA,
                _("%(cooperative)s lies in a %(kind)s; choose “%(kind)s”.")
                % {"cooperative": cooperative.name, "kind": actual.label},
            )
        ]
    return []


def legal_entity_problems(answers: dict[str, Any], cooperative: Any) -> Problems:
    """PMK 49/2025 lends only to a cooperative with legal entity status; the numbers given
    must be the ones the cooperative is registered with, where it has them."""
    if cooperative is None:
        return []
    if not cooperative.legal_entity_number:
        return [
            (
                None,
                _(
                    "%(cooperative)s has no legal entity decree (SK AHU) recorded yet; it can "
                    "apply once its registration is approved."
                )
                % {"cooperative": cooperative.name},
            )
        ]
    problems: Problems = []
    registered = {
        "nomor_badan_hukum": (cooperative.legal_entity_number, _("legal entity decree number")),
        "nik_koperasi": (cooperative.nik_koperasi, _("NIK koperasi")),
        "npwp": (cooperative.npwp, _("NPWP")),
        "nib": (cooperative.nib, _("NIB")),
    }
    for code, (known, name) in registered.items():
        given = answers.get(code)
        if known and given and _digits(str(given)) != _digits(str(known)):
            problems.append(
                (
                    code,
                    _("The cooperative is registered with %(name)s %(known)s.")
                    % {"name": name, "known": known},
                )
            )
    return problems


def _digits(text: str) -> str:
    # AHU numbers carry letters; compare them without spacing, dots and dashes, ignoring case.
    return "".join(ch for ch in text.upper() if ch.isalnum())


def register_checks() -> None:
    register(
        FormPurpose.LOAN_APPLICATION,
        PurposeCheck(frozenset({PRODUCT, AMOUNT, TENOR}), member_loan_problems),
    )
    register(
        FormPurpose.COOPERATIVE_FINANCING,
        PurposeCheck(frozenset({PRODUCT, AMOUNT, TENOR, GRACE}), financing_problems),
    )
    register(FormPurpose.COOPERATIVE_FINANCING, PurposeCheck(frozenset({AREA}), area_problems))
    register(
        FormPurpose.COOPERATIVE_FINANCING,
        PurposeCheck(
            frozenset({"nomor_badan_hukum", "nik_koperasi", "npwp", "nib"}), legal_entity_problems
        ),
    )
