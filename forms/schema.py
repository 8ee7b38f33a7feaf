"""A form version compiled into plain data: steps of field specs, conditions and rules.

Everything that validates, renders or exports a submission works from a FormSchema, built from
the exact revision the submission pinned, so later edits of the form never change it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import get_language

from .enums import ConditionOperator, FieldType
from .expressions import Expression, ExpressionError, compile_expression


def pick(indonesian: str, english: str) -> str:
    """The text in the active language, Indonesian when no English was written."""
    if english and (get_language() or "id").startswith("en"):
        return english
    return indonesian


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str

    def holds(self, answers: dict[str, Any]) -> bool:
        """Whether the condition holds on typed answers (the server decides, never the browser)."""
        current = answers.get(self.field)
        if self.operator == ConditionOperator.FILLED:
            return current not in (None, "", [], False)
        if self.operator == ConditionOperator.EMPTY:
            return current in (None, "", [], False)
        if current is None or current == "":
            return False
        expected: Any = self.value
        if self.operator == ConditionOperator.IN:
            options = {v.strip() for v in self.value.split(",")}
            if isinstance(current, list):
                return bool(options & {str(c) for c in current})
            return _as_text(current) in options
        if isinstance(current, list):
            current_set = {str(c) for c in current}
            if self.operator == ConditionOperator.EQUALS:
                return expected in current_set
            if self.operator == ConditionOperator.NOT_EQUALS:
                return expected not in current_set
            return False
        if isinstance(current, int | Decimal) and not isinstance(current, bool):
            try:
                expected = _number(self.value)
            except ArithmeticError:
                return False
        else:
            current = _as_text(current)
        comparisons = {
            ConditionOperator.EQUALS: lambda a, b: a == b,
            ConditionOperator.NOT_EQUALS: lambda a, b: a != b,
            ConditionOperator.GREATER: lambda a, b: a > b,
            ConditionOperator.GREATER_OR_EQUAL: lambda a, b: a >= b,
            ConditionOperator.LESS: lambda a, b: a < b,
            ConditionOperator.LESS_OR_EQUAL: lambda a, b: a <= b,
        }
        try:
            return bool(comparisons[ConditionOperator(self.operator)](current, expected))
        except TypeError:
            return False


def _number(text: str) -> Decimal:
    """A number as an admin types it: 1500000, 1.5, or Indonesian 1.500.000,50 and 1.500.000
    (more than one dot: they separate thousands)."""
    text = text.strip()
    if "," in text or text.count(".") > 1:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


def _as_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


@dataclass(frozen=True)
class FieldSpec:
    code: str
    type: str
    label_id: str
    label_en: str = ""
    help_id: str = ""
    help_en: str = ""
    required: bool = False
    condition: Condition | None = None
    options: dict[str, Any] = field(default_factory=dict)
    columns: tuple["FieldSpec", ...] = ()
    step: int = 0

    @property
    def label(self) -> str:
        return pick(self.label_id, self.label_en)

    @property
    def help(self) -> str:
        return pick(self.help_id, self.help_en)

    @property
    def is_input(self) -> bool:
        return self.type not in {FieldType.STEP, FieldType.INFO, FieldType.CALCULATED}

    @cached_property
    def expression(self) -> Expression | None:
        if self.type != FieldType.CALCULATED:
            return None
        return compile_expression(self.options["expression"])

    def choice_list(self) -> list[tuple[str, str]]:
        return [
            (c["code"], pick(c["label"], c.get("label_en", "")))
            for c in self.options.get("choices", [])
        ]


@dataclass(frozen=True)
class Rule:
    expression: Expression
    source: str
    message_id: str
    message_en: str = ""

    @property
    def message(self) -> str:
        return pick(self.message_id, self.message_en)


@dataclass(frozen=True)
class Step:
    index: int
    title_id: str
    title_en: str
    fields: tuple[FieldSpec, ...]

    @property
    def title(self) -> str:
        return pick(self.title_id, self.title_en)


@dataclass(frozen=True)
class FormSchema:
    steps: tuple[Step, ...]
    rules: tuple[Rule, ...]

    @cached_property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for step in self.steps for f in step.fields)

    @cached_property
    def by_code(self) -> dict[str, FieldSpec]:
        return {f.code: f for f in self.fields}

    def visible(self, spec: FieldSpec, answers: dict[str, Any]) -> bool:
        if spec.condition is None:
            return True
        controller = self.by_code.get(spec.condition.field)
        if controller is not None and not self.visible(controller, answers):
            return False  # hidden behind a hidden field
        return spec.condition.holds(answers)

    def calculate(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers with every calculated value filled in (in form order, so a calculation may use
        an earlier one); values of hidden fields are dropped first."""
        result = {
            code: value
            for code, value in answers.items()
            if code in self.by_code and self.visible(self.by_code[code], answers)
        }
        for spec in self.fields:
            if spec.expression is not None and self.visible(spec, result):
                value = spec.expression.evaluate(result)
                if isinstance(value, Decimal) and spec.options.get("result_type") in {
                    FieldType.RUPIAH,
                    FieldType.INTEGER,
                }:
                    value = int(value.to_integral_value())
                result[spec.code] = value
        return result


def _condition(raw: dict[str, Any] | None) -> Condition | None:
    if not raw or not raw.get("field"):
        return None
    return Condition(
        raw["field"], raw.get("operator") or ConditionOperator.EQUALS, raw.get("value") or ""
    )


def _spec(block_type: str, value: dict[str, Any], step: int) -> FieldSpec:
    value = dict(value)
    columns: tuple[FieldSpec, ...] = ()
    if block_type == FieldType.GROUP:
        columns = tuple(
            _spec(child.block_type, dict(child.value), step) for child in value.pop("fields")
        )
    common = {
        "code": value.pop("code"),
        "label_id": value.pop("label", ""),
        "label_en": value.pop("label_en", "") or "",
        "help_id": value.pop("help", "") or "",
        "help_en": value.pop("help_en", "") or "",
        "required": bool(value.pop("required", False)),
        "condition": _condition(value.pop("visible_when", None)),
    }
    if "choices" in value:
        value["choices"] = [dict(choice) for choice in value["choices"]]
    return FieldSpec(type=block_type, options=value, columns=columns, step=step, **common)


def build_schema(page: Any) -> FormSchema:
    """Compile a KopdesFormPage (live or as of a revision) into a FormSchema."""
    steps: list[Step] = []
    current: list[FieldSpec] = []
    title_id, title_en = "", ""
    info_count = 0
    for child in page.fields:
        if child.block_type == FieldType.STEP:
            if current or steps:
                steps.append(Step(len(steps), title_id, title_en, tuple(current)))
            current = []
            title_id, title_en = child.value["title"], child.value.get("title_en", "")
            continue
        if child.block_type == FieldType.INFO:
            info_count += 1
            current.append(
                FieldSpec(
                    code=f"_info_{info_count}",
                    type=FieldType.INFO,
                    label_id="",
                    condition=_condition(child.value.get("visible_when")),
                    options={"text": child.value["text"], "text_en": child.value.get("text_en")},
                    step=len(steps),
                )
            )
            continue
        current.append(_spec(child.block_type, dict(child.value), len(steps)))
    steps.append(Step(len(steps), title_id, title_en, tuple(current)))
    rules = []
    for child in page.rules:
        try:
            expression = compile_expression(child.value["expression"])
        except ExpressionError:
            continue  # the block refused it on save; an old revision may still hold one
        rules.append(
            Rule(
                expression,
                child.value["expression"],
                child.value["message"],
                child.value.get("message_en", ""),
            )
        )
    return FormSchema(tuple(steps), tuple(rules))
