"""What a finally approved submission does, by the form's purpose, inside the approving
transaction: if the effect cannot be applied, the approval does not happen either.

The effects read the core forms' field codes (`forms/defaults.py`). An admin may reword or
reorder those forms freely; removing one of these codes makes approval refuse with a message
naming the missing answer instead of writing half a record.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cooperatives.enums import CooperativeStatus, MemberStatus
from cooperatives.models import BusinessUnit, Member
from cooperatives.services import cooperative_advance_to, cooperative_update, member_create
from finance.services import monthly_report_record
from forms.enums import FormPurpose
from forms.models import Submission
from forms.services import schema_for_revision, typed_answers
from loans.services import loan_create_from_application


class Answers:
    """A submission's typed answers (with calculated values) on its own form version."""

    def __init__(self, submission: Submission) -> None:
        schema = schema_for_revision(submission.revision_id)
        self.values = schema.calculate(typed_answers(submission))
        self.labels = {spec.code: spec.label for spec in schema.fields}

    def get(self, code: str, default: Any = None) -> Any:
        value = self.values.get(code)
        return default if value in (None, "") else value

    def require(self, code: str) -> Any:
        value = self.get(code)
        if value is None:
            raise ValidationError(
                _(
                    "The approval cannot take effect: the answer “%(code)s” is missing. The form "
                    "may have been changed; ask the form administrator."
                )
                % {"code": self.labels.get(code, code)},
                code="effect_missing_answer",
            )
        return value

    def rupiah(self, code: str, *, required: bool = True) -> int:
        value = self.require(code) if required else self.get(code, 0)
        return int(Decimal(value))


def _register_cooperative(submission: Submission, answers: Answers, by: Any) -> None:
    cooperative = submission.cooperative
    fields = {
        "name": answers.get("nama_koperasi"),
        "address": answers.get("alamat"),
        "phone": answers.get("telepon"),
        "email": answers.get("email"),
    }
    cooperative_update(
        cooperative=cooperative, **{key: value for key, value in fields.items() if value}
    )
    units = answers.get("unit_usaha") or []
    if units:
        cooperative.business_units.add(*BusinessUnit.objects.filter(code__in=units))
    founded = answers.get("tanggal_musdes")
    known = set(Member.objects.filter(cooperative=cooperative).values_list("nik", flat=True))
    for row in answers.get("pendiri") or []:
        nik = row.get("nik")
        if not nik or nik in known:
            continue
        member_create(
            cooperative=cooperative,
            nik=nik,
            name=row.get("nama") or "",
            sex=str(row.get("jenis_kelamin") or "").upper(),
            join_date=founded if isinstance(founded, datetime.date) else submission.created_at,
            address=row.get("alamat") or "",
            status=MemberStatus.ACTIVE,
        )
        known.add(nik)
    if cooperative.status in (CooperativeStatus.DRAFT, CooperativeStatus.SUBMITTED):
        cooperative_advance_to(
            cooperative=cooperative,
            to_status=CooperativeStatus.REGISTERED,
            by=by,
            note=_("Registration %(ref)s approved.") % {"ref": submission.reference},
        )


def _month(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    year, month = str(value).split("-")[:2]
    return datetime.date(int(year), int(month), 1)


def _record_monthly_report(submission: Submission, answers: Answers, by: Any) -> None:
    units = answers.get("unit_usaha") or []
    revenue = sum(int(Decimal(row.get("pendapatan") or 0)) for row in units)
    expenses = sum(int(Decimal(row.get("beban") or 0)) for row in units)
    monthly_report_record(
        cooperative=submission.cooperative,
        period=_month(answers.require("periode")),
        submission=submission,
        approved_by=by,
        members_start=int(answers.require("anggota_awal")),
        members_joined=int(answers.require("anggota_masuk")),
        members_left=int(answers.require("anggota_keluar")),
        members_end=int(answers.require("anggota_akhir")),
        savings_principal=answers.rupiah("simpanan_pokok"),
        savings_compulsory=answers.rupiah("simpanan_wajib"),
        savings_voluntary=answers.rupiah("simpanan_sukarela"),
        cash=answers.rupiah("kas"),
        bank=answers.rupiah("bank"),
        loans_outstanding=answers.rupiah("pinjaman_beredar"),
        total_assets=answers.rupiah("total_aset"),
        total_liabilities=answers.rupiah("total_kewajiban"),
        total_equity=answers.rupiah("total_ekuitas"),
        revenue=revenue,
        expenses=expenses,
        surplus_month=answers.rupiah("shu_bulan"),
        surplus_year_to_date=answers.rupiah("shu_tahun_berjalan"),
    )


def _create_loan(submission: Submission, answers: Answers, by: Any) -> None:
    member_id = answers.require("anggota")
    member = Member.objects.filter(pk=member_id, cooperative=submission.cooperative).first()
    if member is None:
        raise ValidationError(_("The member of this application no longer exists."), code="member")
    loan_create_from_application(
        application=submission,
        member=member,
        product_code=str(answers.require("produk")),
        principal=answers.rupiah("jumlah"),
        tenor_months=int(answers.require("tenor_bulan")),
        purpose=str(answers.get("tujuan", "")),
        approved_by=by,
    )


# The financing form's bank codes → the lender's name on the loan.
HIMBARA_BANKS = {
    "bri": "Bank Rakyat Indonesia (BRI)",
    "bni": "Bank Negara Indonesia (BNI)",
    "mandiri": "Bank Mandiri",
    "bsi": "Bank Syariah Indonesia (BSI)",
    "btn": "Bank Tabungan Negara (BTN)",
}


def _create_financing(submission: Submission, answers: Answers, by: Any) -> None:
    bank = str(answers.get("bank", ""))
    loan_create_from_application(
        application=submission,
        member=None,
        product_code=str(answers.require("produk")),
        principal=answers.rupiah("jumlah"),
        tenor_months=int(answers.require("tenor_bulan")),
        purpose="pmk49",
        approved_by=by,
        lender=HIMBARA_BANKS.get(bank, bank),
        grace_months=int(answers.get("masa_tenggang_bulan") or 0),
    )


EFFECTS: dict[str, Callable[[Submission, Answers, Any], None]] = {
    FormPurpose.COOPERATIVE_SETUP: _register_cooperative,
    FormPurpose.FINANCIAL_REPORT: _record_monthly_report,
    FormPurpose.LOAN_APPLICATION: _create_loan,
    FormPurpose.COOPERATIVE_FINANCING: _create_financing,
}


def apply_final_approval(*, submission: Submission, by: Any) -> None:
    """Run the effect of the submission's form purpose (none for general forms). Raises
    ValidationError when it cannot be applied; the caller's transaction then rolls back."""
    effect = EFFECTS.get(submission.form_page.purpose)
    if effect is not None:
        effect(submission, Answers(submission), by)
