"""The Indonesian catalogue is complete and the committed .mo matches the .po.

`make test` must not need GNU gettext on a fresh machine, so the compiled catalogue is committed;
this test catches a .po edited without recompiling (`manage.py compilemessages --ignore=.venv`).
"""

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent.parent / "website" / "locale"


def parse_po(path: Path) -> tuple[dict[tuple[str | None, str], str], list[str]]:
    entries: dict[tuple[str | None, str], str] = {}
    fuzzy: list[str] = []
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        is_fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        translation = fields.get("msgstr", fields.get("msgstr[0]", ""))
        entries[(fields.get("msgctxt"), fields["msgid"])] = translation
        if is_fuzzy:
            fuzzy.append(fields["msgid"])
    return entries, fuzzy


def test_indonesian_catalogue_is_complete_and_compiled():
    po_path = LOCALE / "id" / "LC_MESSAGES" / "django.po"
    entries, fuzzy = parse_po(po_path)
    assert len(entries) > 50
    assert not fuzzy, f"fuzzy entries left: {fuzzy[:5]}"
    untranslated = [msgid for (_ctx, msgid), text in entries.items() if not text]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    with (po_path.with_suffix(".mo")).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (context, msgid), text in entries.items():
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == text, f"django.mo is stale for {msgid!r}: recompile the catalogue"
