"""Answers between their typed Python form and the JSON stored on a submission."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .enums import FieldType

INTEGER_TYPES = {FieldType.INTEGER, FieldType.RUPIAH, FieldType.MEMBER}
DECIMAL_TYPES = {FieldType.DECIMAL, FieldType.PERCENTAGE}


def to_json(field_type: str, value: Any, columns: dict[str, str] | None = None) -> Any:
    if value is None or value == "":
        return None
    if field_type == FieldType.GROUP:
        return [
            {code: to_json((columns or {})[code], v) for code, v in row.items()} for row in value
        ]
    if field_type in DECIMAL_TYPES or (
        isinstance(value, Decimal) and field_type == FieldType.CALCULATED
    ):
        return str(value)
    if field_type in INTEGER_TYPES:
        return int(value)
    if field_type == FieldType.DATE:
        return value.isoformat()
    if field_type == FieldType.MULTIPLE_CHOICE:
        return list(value)
    if field_type == FieldType.VILLAGE and hasattr(value, "code"):
        return value.code
    return value


def from_json(field_type: str, value: Any, columns: dict[str, str] | None = None) -> Any:
    if value is None or value == "":
        return None
    try:
        if field_type == FieldType.GROUP:
            return [
                {code: from_json((columns or {}).get(code, ""), v) for code, v in row.items()}
                for row in value
            ]
        if field_type in DECIMAL_TYPES:
            return Decimal(str(value))
        if field_type in INTEGER_TYPES:
            return int(value)
        if field_type == FieldType.DATE:
            return datetime.date.fromisoformat(value)
        if field_type == FieldType.CALCULATED and isinstance(value, str):
            return Decimal(value)
    except (ValueError, TypeError, InvalidOperation):
        return None
    return value
