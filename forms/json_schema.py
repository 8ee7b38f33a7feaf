"""A form version as a JSON Schema (draft 2020-12), for API clients that fill forms.

The schema describes one answer set as the API returns it in a submission's `answers`: one
property per question, groups as arrays of row objects, empty answers as null. It is generated
from the same FormSchema the server validates with, so it cannot drift from the portal; what
JSON Schema cannot say (which fields a condition shows, the form's rules, the steps) travels in
`x-kopdes-*` extensions.
"""

from typing import Any

from .enums import FieldType
from .schema import FieldSpec, FormSchema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
VILLAGE_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
NIK_RE = r"^\d{16}$"
PHONE_RE = r"^\+62\d{7,13}$"
TEXT_MAX_LENGTH: dict[str, int] = {FieldType.SHORT_TEXT: 200, FieldType.LONG_TEXT: 5000}
NUMBER_TYPES = {FieldType.INTEGER, FieldType.RUPIAH, FieldType.DECIMAL, FieldType.PERCENTAGE}


def _number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _value_schema(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """The schema of one answer of type `kind`, without null."""
    if kind in TEXT_MAX_LENGTH:
        schema: dict[str, Any] = {
            "type": "string",
            "maxLength": options.get("max_length") or TEXT_MAX_LENGTH[kind],
        }
        if options.get("min_length"):
            schema["minLength"] = options["min_length"]
        if options.get("pattern"):
            schema["pattern"] = options["pattern"]
        return schema
    if kind in NUMBER_TYPES:
        if kind in {FieldType.INTEGER, FieldType.RUPIAH}:
            schema = {"type": "integer"}
        else:
            # Stored as a decimal string ("12.50") so no precision is lost; numbers are accepted.
            schema = {"type": ["string", "number"], "format": "decimal"}
        if kind == FieldType.PERCENTAGE:
            schema.update(minimum=0, maximum=100)
        for key, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
            if options.get(key) is not None:
                schema[keyword] = _number(options[key])
        return schema
    if kind == FieldType.DATE:
        return {"type": "string", "format": "date"}
    if kind == FieldType.MONTH:
        return {"type": "string", "pattern": MONTH_RE}
    if kind == FieldType.YES_NO:
        return {"type": "boolean"}
    if kind == FieldType.SINGLE_CHOICE:
        return {"type": "string", "enum": [c["code"] for c in options.get("choices", [])]}
    if kind == FieldType.MULTIPLE_CHOICE:
        schema = {
            "type": "array",
            "items": {"enum": [c["code"] for c in options.get("choices", [])]},
            "uniqueItems": True,
        }
        if options.get("min_selected"):
            schema["minItems"] = options["min_selected"]
        if options.get("max_selected"):
            schema["maxItems"] = options["max_selected"]
        return schema
    if kind == FieldType.EMAIL:
        return {"type": "string", "format": "email"}
    if kind == FieldType.PHONE:
        return {"type": "string", "pattern": PHONE_RE}
    if kind == FieldType.NIK:
        return {"type": "string", "pattern": NIK_RE}
    if kind == FieldType.MEMBER:
        return {"type": "integer", "description": "Member id"}
    if kind == FieldType.VILLAGE:
        return {"type": "string", "pattern": VILLAGE_CODE_RE}
    if kind == FieldType.FILE:
        return {"type": "string", "format": "binary", "x-kopdes-multipart": True}
    return {}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema that also admits null (an empty or hidden answer)."""
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        schema["type"] = [*kind, "null"]
    elif kind:
        schema["type"] = [kind, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _must_answer(spec: FieldSpec) -> bool:
    # A conditional question is only required when shown; a file travels outside the answers.
    return spec.required and spec.condition is None and spec.type != FieldType.FILE


def _property(spec: FieldSpec) -> dict[str, Any]:
    if spec.type == FieldType.GROUP:
        columns = [c for c in spec.columns if c.type != FieldType.INFO]
        row: dict[str, Any] = {
            "type": "object",
            "properties": {c.code: _property(c) for c in columns},
            "additionalProperties": False,
        }
        required = [c.code for c in columns if _must_answer(c) and c.type != FieldType.CALCULATED]
        if required:
            row["required"] = required
        schema: dict[str, Any] = {
            "type": "array",
            "items": row,
            "maxItems": int(spec.options.get("max_rows") or 20),
        }
        if spec.options.get("min_rows"):
            schema["minItems"] = int(spec.options["min_rows"])
        if not spec.required or spec.condition is not None:
            schema = _nullable(schema)
    elif spec.type == FieldType.CALCULATED:
        kind = spec.options.get("result_type") or FieldType.DECIMAL
        schema = _nullable({**_value_schema(kind, {}), "readOnly": True})
        schema["x-kopdes-expression"] = spec.options.get("expression", "")
    else:
        schema = _value_schema(spec.type, spec.options)
        if not _must_answer(spec):
            schema = _nullable(schema)
    schema["title"] = spec.code
    schema["description"] = spec.label
    if spec.help:
        schema["x-kopdes-help"] = spec.help
    if spec.condition is not None:
        schema["x-kopdes-visible-when"] = {
            "field": spec.condition.field,
            "operator": spec.condition.operator,
            "value": spec.condition.value,
        }
    if spec.type == FieldType.FILE:
        schema["description"] = (
            f"{spec.label} (upload as multipart/form-data in the step's PUT, not in JSON)"
        )
        schema["x-kopdes-required-file"] = spec.required
    return schema


def form_json_schema(schema: FormSchema, *, title: str = "", schema_id: str = "") -> dict[str, Any]:
    """The JSON Schema of one form version's answers.

    `required` lists the required questions that always show; questions behind a condition carry
    `x-kopdes-visible-when` instead (they are required only when shown, and must be null when
    hidden). Calculated values are readOnly: the server fills them in. File questions are
    `format: binary` and are sent as multipart uploads, never inside the JSON answers.
    """
    inputs = [spec for spec in schema.fields if spec.type not in {FieldType.INFO, FieldType.STEP}]
    codes = {spec.code for spec in inputs}
    result: dict[str, Any] = {"$schema": DIALECT}
    if schema_id:
        result["$id"] = schema_id
    result.update(
        {
            "title": title,
            "type": "object",
            "properties": {spec.code: _property(spec) for spec in inputs},
            "additionalProperties": False,
            "required": [spec.code for spec in inputs if _must_answer(spec) and spec.is_input],
            "x-kopdes-steps": [
                {
                    "index": step.index,
                    "title": step.title,
                    "fields": [spec.code for spec in step.fields if spec.code in codes],
                }
                for step in schema.steps
            ],
            "x-kopdes-rules": [
                {"expression": rule.source, "message": rule.message} for rule in schema.rules
            ],
        }
    )
    return result
