from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("District (kecamatan)")
    VILLAGE = "village", _("Village (desa/kelurahan)")


class RegionKind(models.TextChoices):
    PROVINSI = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")


class CooperativeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DISSOLVED = "dissolved", _("Dissolved")


# The lifecycle: which status may follow which. Only cooperatives.services changes a status.
COOPERATIVE_TRANSITIONS: dict[str, frozenset[str]] = {
    CooperativeStatus.DRAFT: frozenset({CooperativeStatus.SUBMITTED}),
    CooperativeStatus.SUBMITTED: frozenset({CooperativeStatus.REGISTERED, CooperativeStatus.DRAFT}),
    CooperativeStatus.REGISTERED: frozenset(
        {CooperativeStatus.ACTIVE, CooperativeStatus.DISSOLVED}
    ),
    CooperativeStatus.ACTIVE: frozenset({CooperativeStatus.SUSPENDED, CooperativeStatus.DISSOLVED}),
    CooperativeStatus.SUSPENDED: frozenset({CooperativeStatus.ACTIVE, CooperativeStatus.DISSOLVED}),
    CooperativeStatus.DISSOLVED: frozenset(),
}
OPERATING_STATUSES = frozenset({CooperativeStatus.ACTIVE, CooperativeStatus.SUSPENDED})
FORMATION_STATUSES = frozenset(
    {CooperativeStatus.DRAFT, CooperativeStatus.SUBMITTED, CooperativeStatus.REGISTERED}
)


class Sex(models.TextChoices):
    MALE = "L", _("Male (L)")
    FEMALE = "P", _("Female (P)")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESIGNED = "resigned", _("Resigned")
    DECEASED = "deceased", _("Deceased")
    EXPELLED = "expelled", _("Expelled")


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator (village staff)")
    PENGAWAS = "pengawas", _("Pengawas (supervisor)")
    LOAN_OFFICER = "loan_officer", _("Loan officer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    REGENCY_OFFICER = "regency_officer", _("Regency officer")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    FORM_ADMIN = "form_admin", _("Form administrator")
    # Village government: approves the cooperative's own financing (PMK 49/2025), granted on
    # the village (kepala desa/lurah) or the regency (bupati/wali kota).
    VILLAGE_HEAD = "village_head", _("Kepala desa")
    REGENT = "regent", _("Bupati / wali kota")


OFFICER_ROLES = frozenset(
    {
        Role.LOAN_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.REGENCY_OFFICER,
        Role.PROVINCE_OFFICER,
        Role.FORM_ADMIN,
    }
)
COOPERATIVE_STAFF_ROLES = frozenset({Role.OPERATOR, Role.PENGAWAS})
# Roles that work the Wagtail admin; every other role stays in the portal.
ADMIN_ROLES = frozenset({Role.FORM_ADMIN})


class BusinessUnitCode(models.TextChoices):
    """The seven units every Koperasi Desa/Kelurahan Merah Putih is set up with."""

    KANTOR = "kantor", _("Kantor koperasi")
    GERAI_SEMBAKO = "gerai_sembako", _("Gerai sembako")
    SIMPAN_PINJAM = "simpan_pinjam", _("Unit simpan pinjam")
    KLINIK = "klinik", _("Klinik desa")
    APOTEK = "apotek", _("Apotek desa")
    PERGUDANGAN = "pergudangan", _("Pergudangan/cold storage")
    LOGISTIK = "logistik", _("Logistik")
