"""SHU: the allocation a cooperative's AD/ART sets, the RAT that approves a year, and the
posting of the year's allocation after it."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from website.templatetags.kopdes import rupiah

from .. import chart
from ..enums import EntrySource
from ..models import AnnualMeeting, JournalEntry, ShuPolicy
from ..shu import distributed_years, shu_compute, shu_distribution, year_window
from .journal import Line, journal_post

_POLICY_TEXT = frozenset({"other_label"})


class ShuError(ValidationError):
    """The SHU cannot be distributed as asked; nothing was posted."""


def _percent(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(
            _("“%(value)s” is not a percentage.") % {"value": value}, code="invalid_percent"
        ) from exc


@transaction.atomic
def shu_policy_set(
    *, cooperative: Cooperative, from_year: int, by: Any, **percentages: Any
) -> ShuPolicy:
    """Set the SHU allocation that applies from `from_year` on (until a later one): the
    percentages of `ShuPolicy.PARTS` (a part not given is 0) and `other_label`. Replaces the
    allocation set for the same year. Raises ValidationError when the parts do not make 100 %,
    an "other" part has no name, or the SHU of `from_year` or a later year was already
    distributed (its allocation is history)."""
    unknown = set(percentages) - set(ShuPolicy.PARTS) - _POLICY_TEXT
    if unknown:
        raise TypeError(f"unknown SHU parts: {sorted(unknown)}")
    done = [year for year in distributed_years(cooperative) if year >= from_year]
    if done:
        message = _(
            "The SHU of %(year)s was already distributed with the allocation then in force; a "
            "new allocation can apply from %(next)s on."
        ) % {"year": max(done), "next": max(done) + 1}
        raise ValidationError(
            {"from_year": ValidationError(message, code="shu_already_distributed")}
        )
    # Two keepers saving the same year at once: the second waits and then replaces the first.
    policy = (
        ShuPolicy.objects.select_for_update()
        .filter(cooperative=cooperative, from_year=from_year)
        .first()
    ) or ShuPolicy(cooperative=cooperative, from_year=from_year)
    for part in ShuPolicy.PARTS:
        setattr(policy, part, _percent(percentages.get(part)))
    policy.other_label = (percentages.get("other_label") or "").strip()
    policy.updated_by = by if getattr(by, "pk", None) else None
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def annual_meeting_record(
    *,
    cooperative: Cooperative,
    year: int,
    held_on: datetime.date,
    members_present: int,
    pengurus: int,
    pengawas: int,
    employees: int,
    by: Any,
    notes: str = "",
) -> AnnualMeeting:
    """Record (or correct) the RAT on the books of `year`: when it was held, how many members
    came, and the cooperative's pengurus, pengawas and employees then. Raises ValidationError
    for a date before the year ended or in the future, or a count below zero."""
    if held_on > timezone.localdate():
        message = _("Record the RAT once it has been held: the date is in the future.")
        raise ValidationError({"held_on": ValidationError(message, code="rat_in_future")})
    meeting = (
        AnnualMeeting.objects.select_for_update().filter(cooperative=cooperative, year=year).first()
    ) or AnnualMeeting(cooperative=cooperative, year=year)
    meeting.held_on = held_on
    meeting.members_present = members_present
    meeting.pengurus = pengurus
    meeting.pengawas = pengawas
    meeting.employees = employees
    meeting.notes = (notes or "").strip()
    meeting.recorded_by = by if getattr(by, "pk", None) else None
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def shu_distribute(*, cooperative: Cooperative, year: int, by: Any) -> JournalEntry:
    """Post the allocation of the SHU of `year`, as the RAT approved it: Dr 3-301 SHU belum
    dibagi the year's SHU; Cr 3-201 cadangan the reserve part; Cr 2-104 dana SHU belum dibayar
    the members' jasa modal and jasa usaha and each fund (one line per part). Dated the day of
    the RAT when it is recorded, otherwise 31 December of the year. Source EntrySource.SHU,
    source key "shu:<year>".

    Posting again returns the entry already posted (nothing is doubled). Raises ShuError for a
    year not ended yet, a year without an allocation, or a year without a surplus (a loss);
    the journal's own errors (a closed month) come through as JournalError."""
    earlier = shu_distribution(cooperative, year=year)
    if earlier is not None:
        return earlier
    try:
        _end, running = year_window(year)
    except ValidationError as exc:
        raise ShuError(exc.messages[0], code="year_not_ended") from exc
    if running:
        raise ShuError(
            _(
                "%(year)s has not ended yet: its SHU is shared after 31 December, once the RAT "
                "has approved the books."
            )
            % {"year": year},
            code="year_not_ended",
        )
    result = shu_compute(cooperative, year=year)
    if result.policy is None:
        raise ShuError(
            _(
                "No SHU allocation is set for %(year)s: set the percentages of the AD/ART "
                "first. Nothing was posted."
            )
            % {"year": year},
            code="no_policy",
        )
    if result.surplus <= 0:
        raise ShuError(
            _(
                "%(year)s closed with a loss of %(amount)s: there is no SHU to share. Nothing "
                "was posted."
            )
            % {"year": year, "amount": rupiah(-result.surplus)}
            if result.surplus
            else _("%(year)s has no surplus: there is no SHU to share. Nothing was posted.")
            % {"year": year},
            code="no_surplus",
        )
    lines = [
        Line(
            chart.RETAINED_SHU,
            debit=result.surplus,
            memo=_("SHU %(year)s") % {"year": year},
        )
    ]
    for part in result.parts:
        if part.amount:
            lines.append(
                Line(
                    part.account,
                    credit=part.amount,
                    memo=f"{part.label} ({part.percent.normalize():f} %)",
                )
            )
    date = result.meeting.held_on if result.meeting else datetime.date(year, 12, 31)
    # A distribution reversed before: the next one takes a key of its own.
    reversed_before = JournalEntry.objects.filter(
        cooperative=cooperative, source=EntrySource.SHU, source_key__startswith=f"shu:{year}"
    ).count()
    key = f"shu:{year}" if not reversed_before else f"shu:{year}:{reversed_before + 1}"
    return journal_post(
        cooperative=cooperative,
        date=date,
        description=_("Distribution of the SHU of %(year)s") % {"year": year},
        lines=lines,
        source=EntrySource.SHU,
        source_key=key,
        by=by,
    )
