"""The field blocks admins compose forms from in the Wagtail admin.

Every block carries a stable `code` (what the answer is stored under, in exports and APIs) and
its label and help in Bahasa Indonesia and English. Type-specific options sit on each block.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from .enums import ConditionOperator, FieldType

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def validate_code(value: str) -> None:
    if not CODE_PATTERN.match(value or ""):
        raise ValidationError(
            _("Use lowercase letters, digits and _ only, starting with a letter (e.g. total_aset).")
        )


def check_expression(value: Any) -> Any:
    """Refuse, at save time in the admin, a formula the evaluator would not run."""
    from .expressions import ExpressionError, compile_expression

    try:
        compile_expression(value["expression"])
    except ExpressionError as exc:
        raise StructBlockValidationError(
            block_errors={"expression": ValidationError(str(exc))}
        ) from exc
    return value


class ConditionBlock(blocks.StructBlock):
    """Show the field only when another field's answer meets this condition."""

    field = blocks.CharBlock(
        label=_("when field (code)"), required=False, validators=[validate_code]
    )
    operator = blocks.ChoiceBlock(
        choices=ConditionOperator.choices, default=ConditionOperator.EQUALS, label=_("operator")
    )
    value = blocks.CharBlock(
        label=_("value"),
        required=False,
        help_text=_("For “is one of”, separate values with commas. Choice fields use codes."),
    )

    class Meta:
        label = _("Show only when")
        form_classname = "kopdes-condition"


class ChoiceOptionBlock(blocks.StructBlock):
    code = blocks.CharBlock(label=_("code"), validators=[validate_code])
    label = blocks.CharBlock(label=_("label (Indonesian)"))
    label_en = blocks.CharBlock(label=_("label (English)"), required=False)

    class Meta:
        label = _("Choice")


class BaseFieldBlock(blocks.StructBlock):
    code = blocks.CharBlock(
        label=_("code"),
        validators=[validate_code],
        help_text=_("Stable name of the answer, used in exports and rules. Do not change it."),
    )
    label = blocks.CharBlock(label=_("label (Indonesian)"))
    label_en = blocks.CharBlock(label=_("label (English)"), required=False)
    help = blocks.CharBlock(label=_("help (Indonesian)"), required=False)
    help_en = blocks.CharBlock(label=_("help (English)"), required=False)
    required = blocks.BooleanBlock(label=_("required"), required=False, default=True)
    visible_when = ConditionBlock(required=False)

    field_type: str = ""

    class Meta:
        icon = "form"


class TextFieldBlock(BaseFieldBlock):
    min_length = blocks.IntegerBlock(label=_("minimum length"), required=False, min_value=0)
    max_length = blocks.IntegerBlock(label=_("maximum length"), required=False, min_value=1)
    pattern = blocks.CharBlock(
        label=_("pattern (regular expression)"), required=False, max_length=200
    )
    pattern_message = blocks.CharBlock(label=_("message when the pattern fails"), required=False)
    default = blocks.CharBlock(label=_("default"), required=False)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value.get("pattern"):
            try:
                re.compile(value["pattern"])
            except re.error as exc:
                raise StructBlockValidationError(
                    block_errors={"pattern": ValidationError(_("Not a valid pattern: %s") % exc)}
                ) from exc
        return value


class ShortTextBlock(TextFieldBlock):
    field_type = FieldType.SHORT_TEXT

    class Meta:
        label = _("Short text")
        icon = "pilcrow"


class LongTextBlock(TextFieldBlock):
    field_type = FieldType.LONG_TEXT

    class Meta:
        label = _("Long text")
        icon = "pilcrow"


class NumberFieldBlock(BaseFieldBlock):
    min_value = blocks.DecimalBlock(label=_("minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("maximum"), required=False)
    default = blocks.DecimalBlock(label=_("default"), required=False)


class IntegerBlock(NumberFieldBlock):
    field_type = FieldType.INTEGER

    class Meta:
        label = _("Whole number")
        icon = "order"


class DecimalBlock(NumberFieldBlock):
    field_type = FieldType.DECIMAL
    decimal_places = blocks.IntegerBlock(label=_("decimal places"), default=2, min_value=0)

    class Meta:
        label = _("Decimal number")
        icon = "order"


class RupiahBlock(NumberFieldBlock):
    field_type = FieldType.RUPIAH

    class Meta:
        label = _("Rupiah amount")
        icon = "order"


class PercentageBlock(NumberFieldBlock):
    field_type = FieldType.PERCENTAGE

    class Meta:
        label = _("Percentage")
        icon = "order"


class DateBlock(BaseFieldBlock):
    field_type = FieldType.DATE
    not_in_future = blocks.BooleanBlock(label=_("not in the future"), required=False)

    class Meta:
        label = _("Date")
        icon = "date"


class MonthBlock(BaseFieldBlock):
    field_type = FieldType.MONTH

    class Meta:
        label = _("Month (period)")
        icon = "date"


class YesNoBlock(BaseFieldBlock):
    field_type = FieldType.YES_NO

    class Meta:
        label = _("Yes/no")
        icon = "tick"


class SingleChoiceBlock(BaseFieldBlock):
    field_type = FieldType.SINGLE_CHOICE
    choices = blocks.ListBlock(ChoiceOptionBlock(), label=_("choices"), min_num=1)
    widget = blocks.ChoiceBlock(
        choices=[("dropdown", _("Dropdown")), ("radio", _("Radio buttons"))],
        default="radio",
        label=_("shown as"),
    )

    class Meta:
        label = _("Single choice")
        icon = "list-ul"


class MultipleChoiceBlock(BaseFieldBlock):
    field_type = FieldType.MULTIPLE_CHOICE
    choices = blocks.ListBlock(ChoiceOptionBlock(), label=_("choices"), min_num=1)
    min_selected = blocks.IntegerBlock(label=_("minimum selected"), required=False, min_value=0)
    max_selected = blocks.IntegerBlock(label=_("maximum selected"), required=False, min_value=1)

    class Meta:
        label = _("Multiple choice")
        icon = "list-ul"


class EmailBlock(BaseFieldBlock):
    field_type = FieldType.EMAIL

    class Meta:
        label = _("E-mail")
        icon = "mail"


class PhoneBlock(BaseFieldBlock):
    field_type = FieldType.PHONE

    class Meta:
        label = _("Phone (+62)")
        icon = "mobile-alt"


class NikBlock(BaseFieldBlock):
    field_type = FieldType.NIK

    class Meta:
        label = _("NIK")
        icon = "user"


class MemberBlock(BaseFieldBlock):
    field_type = FieldType.MEMBER
    active_only = blocks.BooleanBlock(label=_("active members only"), required=False, default=True)

    class Meta:
        label = _("Member of this cooperative")
        icon = "user"


class VillageBlock(BaseFieldBlock):
    field_type = FieldType.VILLAGE

    class Meta:
        label = _("Village within scope")
        icon = "site"


class FileBlock(BaseFieldBlock):
    field_type = FieldType.FILE
    max_size_mb = blocks.IntegerBlock(
        label=_("largest file (MB)"), default=5, min_value=1, max_value=20
    )
    allowed = blocks.MultipleChoiceBlock(
        choices=[("pdf", "PDF"), ("jpg", "JPG"), ("png", "PNG")],
        default=["pdf", "jpg", "png"],
        label=_("allowed file types"),
    )

    class Meta:
        label = _("File upload")
        icon = "doc-full"


class CalculatedBlock(BaseFieldBlock):
    """A value the server computes from other answers; shown, never typed."""

    field_type = FieldType.CALCULATED
    expression = blocks.CharBlock(
        label=_("formula"),
        help_text=_("E.g. aset_lancar + aset_tetap, or sum(pendiri.simpanan_pokok)."),
    )
    result_type = blocks.ChoiceBlock(
        choices=[
            (FieldType.RUPIAH, _("Rupiah amount")),
            (FieldType.DECIMAL, _("Decimal number")),
            (FieldType.INTEGER, _("Whole number")),
            (FieldType.PERCENTAGE, _("Percentage")),
        ],
        default=FieldType.RUPIAH,
        label=_("shown as"),
    )

    def clean(self, value: Any) -> Any:
        return check_expression(super().clean(value))

    class Meta:
        label = _("Calculated value")
        icon = "cogs"


class InfoBlock(blocks.StructBlock):
    field_type = FieldType.INFO
    text = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], label=_("text (Indonesian)")
    )
    text_en = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], label=_("text (English)"), required=False
    )
    visible_when = ConditionBlock(required=False)

    class Meta:
        label = _("Info text")
        icon = "info-circle"


class StepBlock(blocks.StructBlock):
    """Starts a new step of the form; the fields after it are filled on their own page."""

    field_type = FieldType.STEP
    title = blocks.CharBlock(label=_("step title (Indonesian)"))
    title_en = blocks.CharBlock(label=_("step title (English)"), required=False)

    class Meta:
        label = _("Step break")
        icon = "arrow-right"


def simple_field_blocks() -> list[tuple[str, blocks.Block]]:
    """Blocks allowed inside a repeating group (no files, groups or steps)."""
    return [
        ("short_text", ShortTextBlock()),
        ("long_text", LongTextBlock()),
        ("integer", IntegerBlock()),
        ("decimal", DecimalBlock()),
        ("rupiah", RupiahBlock()),
        ("percentage", PercentageBlock()),
        ("date", DateBlock()),
        ("month", MonthBlock()),
        ("yes_no", YesNoBlock()),
        ("single_choice", SingleChoiceBlock()),
        ("multiple_choice", MultipleChoiceBlock()),
        ("email", EmailBlock()),
        ("phone", PhoneBlock()),
        ("nik", NikBlock()),
        ("member", MemberBlock()),
        ("village", VillageBlock()),
        ("calculated", CalculatedBlock()),
    ]


class GroupBlock(BaseFieldBlock):
    """A table of rows (founders, pengurus, line items), each row the same small form."""

    field_type = FieldType.GROUP
    fields = blocks.StreamBlock(simple_field_blocks(), label=_("columns"))
    min_rows = blocks.IntegerBlock(label=_("minimum rows"), default=0, min_value=0)
    max_rows = blocks.IntegerBlock(label=_("maximum rows"), default=20, min_value=1, max_value=200)

    class Meta:
        label = _("Repeating group (table)")
        icon = "table"


def form_field_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        *simple_field_blocks(),
        ("file", FileBlock()),
        ("group", GroupBlock()),
        ("info", InfoBlock()),
        ("step", StepBlock()),
    ]


class RuleBlock(blocks.StructBlock):
    """A check across fields, e.g. total_aset == total_kewajiban + total_ekuitas."""

    expression = blocks.CharBlock(label=_("must hold"))
    message = blocks.CharBlock(label=_("message when it does not (Indonesian)"))
    message_en = blocks.CharBlock(label=_("message (English)"), required=False)

    def clean(self, value: Any) -> Any:
        return check_expression(super().clean(value))

    class Meta:
        label = _("Rule")
        icon = "warning"
