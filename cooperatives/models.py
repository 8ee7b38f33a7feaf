from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from .enums import (
    BusinessUnitCode,
    CooperativeStatus,
    MemberStatus,
    RegionKind,
    RegionLevel,
    Role,
    Sex,
)
from .validators import validate_nib, validate_nik, validate_npwp, validate_phone


class Region(models.Model):
    """A node of the Kemendagri administrative tree, keyed by its official dotted code.

    The regency and district codes are kept on every node so that "everything below this node"
    is an equality filter that an index answers, on SQLite and PostgreSQL alike.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("type"), max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    regency_code = models.CharField(max_length=5, blank=True, db_index=True)
    district_code = models.CharField(max_length=8, blank=True, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        if self.level == RegionLevel.VILLAGE:
            return f"{self.get_kind_display()} {self.name}"
        if self.level == RegionLevel.DISTRICT:
            return f"Kec. {self.name}"
        return self.name

    @property
    def label_with_code(self) -> str:
        return f"{self} ({self.code})"


class BusinessUnit(models.Model):
    """A line of business a cooperative runs: the seven KDMP units plus units an admin adds."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_standard = models.BooleanField(_("standard KDMP unit"), default=False, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("business unit")
        verbose_name_plural = _("business units")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def standard_codes(cls) -> list[str]:
        return list(BusinessUnitCode.values)


class Cooperative(models.Model):
    """A Koperasi Desa/Kelurahan Merah Putih. It covers one or more villages; a village has at
    most one cooperative, so a village code names its cooperative unambiguously."""

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CooperativeStatus.choices,
        default=CooperativeStatus.DRAFT,
        editable=False,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, editable=False)
    home_village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="home_cooperatives",
        limit_choices_to={"level": RegionLevel.VILLAGE},
        verbose_name=_("home village"),
    )
    villages: "models.ManyToManyField[Region, CooperativeVillage]" = models.ManyToManyField(
        Region,
        through="CooperativeVillage",
        related_name="cooperatives",
        verbose_name=_("villages"),
    )
    nik_koperasi = models.CharField(_("NIK koperasi"), max_length=20, blank=True)
    legal_entity_number = models.CharField(
        _("legal entity (badan hukum) number"), max_length=60, blank=True
    )
    legal_entity_date = models.DateField(_("legal entity date"), null=True, blank=True)
    npwp = models.CharField(_("NPWP"), max_length=16, blank=True, validators=[validate_npwp])
    nib = models.CharField(_("NIB"), max_length=13, blank=True, validators=[validate_nib])
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    business_units = models.ManyToManyField(
        BusinessUnit, blank=True, related_name="cooperatives", verbose_name=_("business units")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name


class CooperativeVillage(models.Model):
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="village_links"
    )
    village = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="cooperative_link",
        limit_choices_to={"level": RegionLevel.VILLAGE},
    )
    # Copied from the village so that scoping by regency or district never walks the tree.
    regency_code = models.CharField(max_length=5, db_index=True)
    district_code = models.CharField(max_length=8, db_index=True)

    class Meta:
        verbose_name = _("cooperative village")
        verbose_name_plural = _("cooperative villages")

    def __str__(self) -> str:
        return f"{self.cooperative} – {self.village}"


class CooperativeStatusChange(models.Model):
    """Append-only history of a cooperative's status."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=CooperativeStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CooperativeStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.cooperative_id}: {self.from_status or '-'} → {self.to_status}"


class Member(models.Model):
    """A member (anggota) of one cooperative. The NIK is text: never a number."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.PROTECT, related_name="members")
    nik = models.CharField(_("NIK"), max_length=16, validators=[validate_nik])
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": RegionLevel.VILLAGE},
        verbose_name=_("village"),
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[validate_phone])
    join_date = models.DateField(_("join date"))
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Provenance (see imports.models.ImportedRecord, which this app cannot import): the
    # spreadsheet import and sheet row that last created or changed the member.
    import_run = models.ForeignKey(
        "imports.ImportRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("import"),
    )
    import_row = models.PositiveIntegerField(_("import row"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "nik"], name="member_nik_unique_per_cooperative"
            )
        ]
        indexes = [models.Index(fields=["nik"]), models.Index(fields=["cooperative", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik})"


class RoleGrant(models.Model):
    """A role held on a scope: a region node or one cooperative, covering everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("region"),
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("cooperative"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(cooperative__isnull=True))
                | (Q(region__isnull=True) & Q(cooperative__isnull=False)),
                name="role_grant_exactly_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_grant_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "cooperative"],
                condition=Q(cooperative__isnull=False),
                name="role_grant_unique_cooperative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.cooperative or self.region)
