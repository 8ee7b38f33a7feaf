"""The statements in the portal, under /koperasi/<pk>/buku/laporan/: a page to choose the
statement, period and business unit, each statement as a printable page, and its .xlsx.

Anyone whose scope covers the cooperative reads them (outside it: 404, through
`books_cooperative`). A period or unit the statement cannot be drawn up for answers 400 with
the reason beside the form; finance.statements does the sums."""

import calendar
import datetime
import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from cooperatives.models import Cooperative
from forms.fields import DateInput

from ..access import books_cooperative
from ..statement_exports import statement_sheet, workbook_response
from ..statements import KINDS, Statement, StatementError, statement_build, unit_names

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
MIN_YEAR, MAX_YEAR = 2000, 2100
MONTH = re.compile(r"(\d{4})-(\d{2})")


class MonthInput(forms.TextInput):
    input_type = "month"


class PeriodForm(forms.Form):
    """The period of a statement, read from the query string: a month, a quarter, a year or two
    dates, and the business unit. With nothing chosen: this year so far."""

    PERIODS = (
        ("month", gettext_lazy("Month")),
        ("quarter", gettext_lazy("Quarter")),
        ("year", gettext_lazy("Year")),
        ("range", gettext_lazy("From – to")),
    )

    kind = forms.ChoiceField(label=gettext_lazy("Statement"), required=False)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS, required=False)
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        max_length=7,
        widget=MonthInput,
        help_text=gettext_lazy("For example 2025-03."),
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "–"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=DateInput(), input_formats=DATE_FORMATS
    )
    end = forms.DateField(
        label=pgettext_lazy("the last day of a period", "To"),
        required=False,
        widget=DateInput(),
        input_formats=DATE_FORMATS,
    )
    unit = forms.ChoiceField(label=gettext_lazy("Business unit"), required=False)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.period_start: datetime.date | None = None
        self.period_end: datetime.date | None = None
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(slug, str(k.title)) for slug, k in KINDS.items()]
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("All units")), *unit_names().items()]
        self.fields["year"].widget.attrs.update({"inputmode": "numeric"})

    def clean_month(self) -> tuple[int, int] | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        match = MONTH.fullmatch(text)
        if not match or not (1 <= int(match[2]) <= 12) or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
            raise forms.ValidationError(
                _("Give the month as year-month, for example 2025-03."), code="month"
            )
        return int(match[1]), int(match[2])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        period = cleaned.get("period") or ("range" if self.data.get("start") else "year")
        if self.errors:
            return cleaned
        year = cleaned.get("year")
        start = end = None
        if period == "month":
            if not cleaned.get("month"):
                self.add_error("month", _("Choose the month."))
                return cleaned
            month_year, month = cleaned["month"]
            start = datetime.date(month_year, month, 1)
            end = datetime.date(month_year, month, calendar.monthrange(month_year, month)[1])
        elif period == "quarter":
            quarter = cleaned.get("quarter")
            if not quarter or not year:
                self.add_error("quarter", _("Choose the quarter and the year."))
                return cleaned
            start = datetime.date(year, 3 * quarter - 2, 1)
            last = 3 * quarter
            end = datetime.date(year, last, calendar.monthrange(year, last)[1])
        elif period == "year":
            year = year or self.today.year
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        else:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("end" if start else "start", _("Give both dates."))
                return cleaned
            if end < start:
                self.add_error("end", _("The end date comes before the start date."))
                return cleaned
        if period != "range" and start <= self.today < end:
            end = self.today  # this month, quarter or year so far
        cleaned["period"] = period
        self.period_start, self.period_end = start, end
        return cleaned


def _statement_url(cooperative: Cooperative, kind: str, query: Any, *, xlsx: bool = False) -> str:
    url = reverse(
        "finance:statement_xlsx" if xlsx else "finance:statement",
        kwargs={"pk": cooperative.pk, "kind": kind},
    )
    query = query.copy()
    for name in ("kind", "format"):
        query.pop(name, None)
    return f"{url}?{query.urlencode()}" if query else url


@login_required
@require_GET
def statement_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a statement and its period; with a statement chosen, go to it."""
    cooperative = books_cooperative(request.user, pk)
    form = PeriodForm(request.GET or None, today=timezone.localdate())
    if request.GET and form.is_valid():
        kind = form.cleaned_data.get("kind")
        if kind:
            return redirect(_statement_url(cooperative, kind, request.GET))
    return render(
        request,
        "finance/statements_list.html",
        {
            "cooperative": cooperative,
            "form": form,
            "kinds": [
                (kind, _statement_url(cooperative, kind.slug, request.GET))
                for kind in KINDS.values()
            ],
        },
        status=400 if form.errors else 200,
    )


def _statement_or_error(
    request: HttpRequest, cooperative: Cooperative, kind: str
) -> tuple[PeriodForm, Statement | None]:
    data = request.GET.copy()
    data.pop("kind", None)
    if kind in KINDS:
        data["kind"] = kind
    form = PeriodForm(data, today=timezone.localdate())
    if kind not in KINDS:
        form.is_valid()
        form.add_error(None, _("There is no statement “%(kind)s”.") % {"kind": kind})
        return form, None
    if not form.is_valid():
        return form, None
    assert form.period_start is not None and form.period_end is not None
    try:
        statement = statement_build(
            cooperative,
            kind=kind,
            start=form.period_start,
            end=form.period_end,
            business_unit=form.cleaned_data.get("unit") or None,
        )
    except StatementError as error:
        form.add_error(None, error.messages)
        return form, None
    return form, statement


def _filename(statement: Statement) -> str:
    start = f"{statement.start:%Y-%m-%d}_" if statement.start else ""
    unit = f"-{statement.business_unit}" if statement.business_unit else ""
    return f"{statement.kind}{unit}-{statement.cooperative_id}-{start}{statement.end:%Y-%m-%d}.xlsx"


def _xlsx(statement: Statement) -> HttpResponse:
    return workbook_response([statement_sheet(statement)], _filename(statement))


@login_required
@require_GET
def statement_detail(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One statement as a page to read and print (`?format=xlsx`: the workbook)."""
    cooperative = books_cooperative(request.user, pk)
    output = request.GET.get("format", "html")
    form, statement = _statement_or_error(request, cooperative, kind)
    if output not in ("html", "xlsx"):
        form.add_error(None, _("The statement comes as a page or as .xlsx, nothing else."))
        statement = None
    if statement is not None and output == "xlsx":
        return _xlsx(statement)
    return render(
        request,
        "finance/statements_detail.html",
        {
            "cooperative": cooperative,
            "form": form,
            "kind": KINDS.get(kind),
            "statement": statement,
            "xlsx_url": _statement_url(cooperative, kind, request.GET, xlsx=True)
            if statement
            else "",
        },
        status=200 if statement is not None else 400,
    )


@login_required
@require_GET
def statement_xlsx(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One statement as .xlsx; a period it cannot be drawn up for answers the page with 400."""
    cooperative = books_cooperative(request.user, pk)
    form, statement = _statement_or_error(request, cooperative, kind)
    if statement is not None:
        return _xlsx(statement)
    return render(
        request,
        "finance/statements_detail.html",
        {"cooperative": cooperative, "form": form, "kind": KINDS.get(kind), "statement": None},
        status=400,
    )
