"""What the book kinds (savings, cash book, loan ledger) share: finding members by NIK in the
uploader's cooperative only, telling identical rows without a number apart, and the way amounts,
dates and headings appear in their messages."""

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext as _

from cooperatives.models import Cooperative, Member

from ..reader import WorkbookError
from .base import Context, RowPlan


def rupiah(amount: int) -> str:
    """1500000 → "Rp 1.500.000", as a treasurer writes it."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def day(value: datetime.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else ""


_TITLES = frozenset(
    [
        "bapak",
        "bpk",
        "pak",
        "ibu",
        "bu",
        "sdr",
        "sdri",
        "saudara",
        "saudari",
        "h",
        "hj",
        "haji",
        "hajah",
        "hajjah",
        "ir",
        "dr",
        "drs",
        "dra",
    ]
)


def _name_words(name: str) -> list[str]:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return [word for word in re.findall(r"[a-z]+", ascii_name.lower()) if word not in _TITLES]


def names_match(written: str, registered: str) -> bool:
    """Whether a name written in a book may well be the registered one: the same words in
    another spacing or case, a title left out or added (Hj., Bapak), some names left out or
    shortened to an initial ("Siti A."), or a small typing slip ("Aminnah")."""
    given, known = _name_words(written), _name_words(registered)
    if not given or not known or "".join(given) == "".join(known):
        return True
    short, long = sorted((given, known), key=len)

    def covered(word: str) -> bool:
        return any(
            other == word
            or (len(word) == 1 and other.startswith(word))
            or (len(other) == 1 and word.startswith(other))
            for other in long
        )

    if all(covered(word) for word in short):
        return True
    return SequenceMatcher(None, " ".join(given), " ".join(known)).ratio() >= 0.8


class MemberLookup:
    """The members of one cooperative by NIK: the only people a row of its books may name.
    A NIK of another cooperative's member is unknown here, like any other NIK."""

    def __init__(self, cooperative: Cooperative) -> None:
        self.by_nik: dict[str, tuple[int, str]] = {}
        self.nik_of: dict[int, str] = {}
        for nik, member_id, name in Member.objects.filter(cooperative=cooperative).values_list(
            "nik", "id", "name"
        ):
            self.by_nik[nik] = (member_id, name)
            self.nik_of[member_id] = nik

    def resolve(
        self, ctx: Context, plan: RowPlan, values: dict[str, Any]
    ) -> tuple[int, str] | None:
        """(member id, registered name) for the row's NIK; a problem when nobody of this
        cooperative has it, a warning when the row's name is clearly someone else's."""
        nik = values.get("nik")
        if not nik:
            return None
        found = self.by_nik.get(nik)
        if found is None:
            ctx.problem(
                plan, "nik", "member_unknown", _("No member of this cooperative has this NIK.")
            )
            return None
        written = values.get("name")
        if written and not names_match(str(written), found[1]):
            ctx.warn(
                plan,
                "name",
                "name_mismatch",
                _("The member with this NIK is registered as %(name)s. Check the NIK.")
                % {"name": found[1]},
            )
        return found


class Occurrences:
    """Stored records without a number, by what a row says. The n-th identical row of a file
    is the n-th identical stored record (oldest first), so importing a file again finds every
    row, and two identical rows stay two records."""

    def __init__(self, stored: Iterable[tuple[Hashable, int]]) -> None:
        self.stored: dict[Hashable, list[int]] = {}
        for content, record_id in stored:
            self.stored.setdefault(content, []).append(record_id)
        self.seen: Counter[Hashable] = Counter()

    def match(self, content: Hashable) -> int | None:
        """The stored record this row is, or None for a new one."""
        position = self.seen[content]
        self.seen[content] += 1
        found = self.stored.get(content, ())
        return found[position] if position < len(found) else None


def check_length(ctx: Context, plan: RowPlan, key: str, text: str, limit: int) -> None:
    if len(text) > limit:
        ctx.problem(
            plan,
            key,
            "too_long",
            _("At most %(n)s characters (this one has %(count)s).")
            % {"n": limit, "count": len(text)},
        )


def heading(ctx: Context, key: str, default: str) -> str:
    return ctx.headings.get(key, default)


def missing_columns(names: Iterable[str]) -> WorkbookError:
    return WorkbookError(
        "missing_columns",
        _("The sheet has no column %(names)s. Use the template's headings in one row.")
        % {"names": ", ".join(f"“{name}”" for name in names)},
    )
