"""django-import-export's admin path for the member workbook, configured as its documentation
configures a resource: the anchor `benchmarks.imports_bench` measures ours against.

Default options throughout (no `use_bulk`, no `skip_diff`, no `skip_unchanged`, the default
instance loader, transactions on): a field per heading of the village workbook, the NIK as the
import id. What the defaults cannot do is added in the documented hooks, nothing more: the
cooperative is set in `before_save_instance`, and the village name is looked up within the
cooperative's kecamatan (there are three “Bukit Raya” in Kaltim) by a `ForeignKeyWidget`
subclass overriding `get_queryset`, as its docstring shows. “No.” and “Simpanan Pokok” have no
field on Member and are ignored (import-export would need a per-row hook to store the balance,
which would only make this anchor slower).

The admin flow is `flow()`: read the upload with import-export's XLSX format, `import_data` as a
dry run (the preview), then read the file again and `import_data` for real (the confirm step
re-reads the stored upload).
"""

from typing import Any

from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from cooperatives.enums import RegionLevel
from cooperatives.models import Cooperative, Member, Region


class VillageInDistrictWidget(widgets.ForeignKeyWidget):
    def __init__(self, district_codes: set[str]) -> None:
        super().__init__(Region, field="name")
        self.district_codes = district_codes

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return Region.objects.filter(
            level=RegionLevel.VILLAGE, district_code__in=self.district_codes
        )


class MemberResource(resources.ModelResource):
    nik = fields.Field(attribute="nik", column_name="NIK")
    name = fields.Field(attribute="name", column_name="Nama Lengkap")
    sex = fields.Field(attribute="sex", column_name="L/P")
    birth_place = fields.Field(attribute="birth_place", column_name="Tempat Lahir")
    birth_date = fields.Field(
        attribute="birth_date", column_name="Tanggal Lahir", widget=widgets.DateWidget()
    )
    address = fields.Field(attribute="address", column_name="Alamat")
    rt = fields.Field(attribute="rt", column_name="RT")
    rw = fields.Field(attribute="rw", column_name="RW")
    village = fields.Field(attribute="village", column_name="Desa")
    phone = fields.Field(attribute="phone", column_name="No. HP")
    join_date = fields.Field(
        attribute="join_date", column_name="Tanggal Masuk", widget=widgets.DateWidget()
    )

    class Meta:
        model = Member
        import_id_fields = ("nik",)
        fields = (
            "nik",
            "name",
            "sex",
            "birth_place",
            "birth_date",
            "address",
            "rt",
            "rw",
            "village",
            "phone",
            "join_date",
        )

    def __init__(self, cooperative: Cooperative, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cooperative = cooperative
        districts = set(cooperative.villages.values_list("district_code", flat=True))
        self.fields["village"].widget = VillageInDistrictWidget(districts)

    def before_save_instance(self, instance: Member, row: Any, **kwargs: Any) -> None:
        instance.cooperative = self.cooperative


def flow(cooperative: Cooperative, data: bytes) -> dict[str, Any]:
    """The admin's import: preview (dry run), then confirm (import). Raises RuntimeError when
    either step reports an error (a figure for a failed import would mean nothing)."""
    import time

    xlsx = XLSX()
    started = time.perf_counter()
    preview = MemberResource(cooperative).import_data(xlsx.create_dataset(data), dry_run=True)
    _raise_errors(preview, "dry run")
    previewed = time.perf_counter()
    result = MemberResource(cooperative).import_data(xlsx.create_dataset(data), dry_run=False)
    _raise_errors(result, "import")
    done = time.perf_counter()
    return {
        "dry_run_s": previewed - started,
        "import_s": done - previewed,
        "totals": {key: int(value) for key, value in result.totals.items()},
    }


def _raise_errors(result: Any, step: str) -> None:
    if result.has_errors():
        first = result.base_errors[:1] or [
            error for row in result.row_errors()[:1] for error in row[1]
        ]
        raise RuntimeError(f"import-export {step} failed: {first[0].error!r}")
    if result.has_validation_errors():
        invalid = result.invalid_rows[0]
        raise RuntimeError(
            f"import-export {step}: row {invalid.number} invalid: {invalid.error_dict}"
        )
