"""The core forms every Koperasi Desa/Kelurahan Merah Putih starts with, shipped as
ordinary, editable form pages: registration of the cooperative, the monthly financial report and
the member loan application, and the cooperative's own PMK 49/2025 financing application.

They are written as the same StreamField blocks an admin composes in the Wagtail admin (one
module per form, the builders in `blocks`), so after the first publish they belong to the
admins: :func:`ensure_core_forms` only creates a form whose slug does not exist yet and never
touches one that does.
"""

import json
from dataclasses import dataclass

from django.db import transaction

from cooperatives.enums import Role

from ..demo import ensure_form_index
from ..enums import FormPurpose, PeriodRule
from ..models import KopdesFormPage
from .blocks import Block
from .financial_report import FINANCIAL_REPORT_FIELDS, FINANCIAL_REPORT_RULES
from .financing import FINANCING_FIELDS, FINANCING_RULES
from .loan import LOAN_FIELDS, LOAN_RULES
from .registration import REGISTRATION_FIELDS, REGISTRATION_RULES


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
    CoreForm(
        slug="pengajuan-pembiayaan-koperasi",
        title="Pengajuan Pembiayaan Koperasi (PMK 49/2025)",
        purpose=FormPurpose.COOPERATIVE_FINANCING,
        period_rule=PeriodRule.UNLIMITED,
        reference_prefix="PMB",
        intro=(
            "<p>Pengurus mengajukan pembiayaan koperasi dari bank Himbara menurut PMK 49/2025: "
            "paling banyak Rp3 miliar (biaya operasional paling banyak Rp500 juta), bunga 6% "
            "setahun, paling lama 72 bulan dengan masa tenggang 6–8 bulan. Pengajuan disetujui "
            "kepala desa (desa) atau bupati/wali kota (kelurahan) berdasarkan musyawarah. "
            "Siapkan SK badan hukum, NPWP, NIB, rekening bank dan proposal usaha.</p>"
        ),
        intro_en=(
            "<p>The board applies for the cooperative's financing from a Himbara bank under "
            "PMK 49/2025: at most Rp3 billion (at most Rp500 million for operating costs), 6% "
            "a year, at most 72 months with 6–8 months' grace. The kepala desa (desa) or the "
            "bupati/mayor (kelurahan) approves it on the basis of a village meeting. Have the "
            "legal entity decree, NPWP, NIB, bank account and business proposal ready.</p>"
        ),
        fields=FINANCING_FIELDS,
        rules=FINANCING_RULES,
    ),
)


def ensure_core_forms() -> list[KopdesFormPage]:
    """The core forms, in the order of CORE_FORMS, each created and published under the
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
