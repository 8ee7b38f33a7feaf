import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from forms.blocks import CalculatedBlock, RuleBlock, ShortTextBlock


def clean(block, value):
    return block.clean(block.to_python(value))


def test_admin_cannot_save_a_formula_the_evaluator_refuses():
    with pytest.raises(StructBlockValidationError):
        clean(RuleBlock(), {"expression": '__import__("os")', "message": "x", "message_en": ""})
    with pytest.raises(StructBlockValidationError):
        clean(CalculatedBlock(), {"code": "total", "label": "Total", "expression": "a ** 2"})
    assert (
        clean(RuleBlock(), {"expression": "a == b + c", "message": "x"})["expression"]
        == "a == b + c"
    )


def test_admin_cannot_save_a_broken_pattern_or_code():
    with pytest.raises(StructBlockValidationError):
        clean(ShortTextBlock(), {"code": "nama", "label": "Nama", "pattern": "([a-z"})
    with pytest.raises(StructBlockValidationError):
        clean(ShortTextBlock(), {"code": "Nama Lengkap", "label": "Nama"})
