"""Builders of the JSON the Wagtail admin stores for each block of a form."""

from typing import Any

from cooperatives.enums import BusinessUnitCode

from ..enums import ConditionOperator, FieldType

Block = dict[str, Any]


def field(
    kind: str,
    code: str,
    label: str,
    label_en: str,
    *,
    help: str = "",
    help_en: str = "",
    required: bool = True,
    visible_when: dict[str, str] | None = None,
    **options: Any,
) -> Block:
    value: dict[str, Any] = {
        "code": code,
        "label": label,
        "label_en": label_en,
        "help": help,
        "help_en": help_en,
        "required": required,
        **options,
    }
    if visible_when:
        value["visible_when"] = visible_when
    return {"type": kind, "value": value}


def calculated(
    code: str,
    label: str,
    label_en: str,
    expression: str,
    *,
    result_type: str = FieldType.RUPIAH,
    help: str = "",
    help_en: str = "",
) -> Block:
    return field(
        FieldType.CALCULATED,
        code,
        label,
        label_en,
        help=help,
        help_en=help_en,
        required=False,
        expression=expression,
        result_type=result_type,
    )


def group(
    code: str,
    label: str,
    label_en: str,
    columns: list[Block],
    *,
    min_rows: int,
    max_rows: int,
    help: str = "",
    help_en: str = "",
) -> Block:
    return field(
        FieldType.GROUP,
        code,
        label,
        label_en,
        help=help,
        help_en=help_en,
        fields=columns,
        min_rows=min_rows,
        max_rows=max_rows,
    )


def step(title: str, title_en: str) -> Block:
    return {"type": FieldType.STEP, "value": {"title": title, "title_en": title_en}}


def info(text: str, text_en: str) -> Block:
    return {
        "type": FieldType.INFO,
        "value": {"text": f"<p>{text}</p>", "text_en": f"<p>{text_en}</p>"},
    }


def choices(*options: tuple[str, str, str]) -> list[dict[str, str]]:
    return [
        {"code": code, "label": label, "label_en": label_en} for code, label, label_en in options
    ]


def when(field: str, value: str) -> dict[str, str]:
    return {"field": field, "operator": ConditionOperator.EQUALS, "value": value}


def rule(expression: str, message: str, message_en: str) -> Block:
    return {
        "type": "rule",
        "value": {"expression": expression, "message": message, "message_en": message_en},
    }


def rupiah(code: str, label: str, label_en: str, **options: Any) -> Block:
    options.setdefault("min_value", "0")
    return field(FieldType.RUPIAH, code, label, label_en, **options)


BUSINESS_UNITS = choices(
    (BusinessUnitCode.KANTOR, "Kantor koperasi", "Cooperative office"),
    (BusinessUnitCode.GERAI_SEMBAKO, "Gerai sembako", "Grocery store"),
    (BusinessUnitCode.SIMPAN_PINJAM, "Unit simpan pinjam", "Savings and loans unit"),
    (BusinessUnitCode.KLINIK, "Klinik desa", "Village clinic"),
    (BusinessUnitCode.APOTEK, "Apotek desa", "Village pharmacy"),
    (BusinessUnitCode.PERGUDANGAN, "Pergudangan/cold storage", "Warehouse/cold storage"),
    (BusinessUnitCode.LOGISTIK, "Logistik", "Logistics"),
)
DOCUMENT_TYPES = ["pdf", "jpg", "png"]
