"""REST serializers for the books API: the chart with balances, journal entries and their lines,
closed months and their audit trail, savings movements, and the request bodies.

Serializers only shape data and check the types of what comes in (an amount is a whole number, a
date is a date). Whether an entry balances, a month is open, a sub-account may go under a parent
or a withdrawal is allowed is judged by finance.services alone, so the portal and the API refuse
the same things with the same words.
"""

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cooperatives.enums import BusinessUnitCode
from workflows.serializers import PersonSerializer

from .enums import (
    AccountControl,
    AccountType,
    CashFlowClass,
    EntrySource,
    PeriodAction,
    SavingsSource,
    SavingsType,
)
from .models import (
    Account,
    ClosedPeriod,
    JournalEntry,
    JournalLine,
    PeriodEvent,
    SavingsTransaction,
)

MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
CODE_MAX_LENGTH = 20  # as Account.code
REASON_MAX_LENGTH = 2000


def _one_of(values: list[str]) -> Any:
    return format_lazy("{} {}", _("One of:"), ", ".join(v for v in values if v) or "-")


# Types, sources and actions in answers are plain strings documented by their values: as
# ChoiceFields they would become enums named after the field ("type", "action"), which other
# apps already use.
def _coded(values: list[str], **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=_one_of(values), **kwargs)


@extend_schema_field({"type": "string", "pattern": MONTH_RE, "example": "2026-10"})
class MonthField(serializers.Field):
    """A month written YYYY-MM; inside, the first day of the month."""

    default_error_messages = {"invalid": _("Write the month as YYYY-MM, e.g. 2026-10.")}

    def to_internal_value(self, data: Any) -> datetime.date:
        if not isinstance(data, str) or not re.match(MONTH_RE, data.strip()):
            self.fail("invalid")
        year, month = data.strip().split("-")
        return datetime.date(int(year), int(month), 1)

    def to_representation(self, value: datetime.date) -> str:
        return value.strftime("%Y-%m")


# --- The chart -----------------------------------------------------------------------------------


class AccountsQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text=_("The balances at the end of this day; without it, today."),
    )


class AccountSerializer(serializers.ModelSerializer):
    """An account of the chart the cooperative posts to: a shared one or its own sub-account."""

    # Expects finance.api's rows: parent joined, `balance` and `total` set.

    type = _coded(AccountType.values)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True
    )
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, allow_null=True, default=None
    )
    cash_flow = _coded(CashFlowClass.values)
    control = serializers.CharField(
        read_only=True,
        help_text=format_lazy(
            "{} {}",
            _one_of(AccountControl.values),
            _("Empty for an account posted to directly; otherwise the member book feeding it."),
        ),
    )
    is_shared = serializers.BooleanField(
        read_only=True,
        help_text=_("An account of the shared chart (only the province changes it)."),
    )
    balance = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "The account's own balance on its normal side (Rp), at the end of as_of: for assets, "
            "liabilities and equity since the first entry; for revenue and expenses since "
            "1 January of as_of's year (they restart every year). Negative when it sits on the "
            "other side. As posted: 3-301 SHU belum dibagi does not include the SHU of earlier "
            "years here (the neraca adds it)."
        ),
    )
    total = serializers.IntegerField(
        read_only=True,
        help_text=_("The balance with the cooperative's sub-accounts under it added (Rp)."),
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "type",
            "type_label",
            "parent",
            "parent_code",
            "business_unit",
            "is_cash",
            "cash_flow",
            "control",
            "is_active",
            "is_shared",
            "balance",
            "total",
        ]
        read_only_fields = fields


class AccountCreateSerializer(serializers.Serializer):
    # The stubs type Field.parent (the enclosing serializer); DRF pops declared fields off the
    # class, so a field may be called "parent" (and "source").
    parent = serializers.CharField(  # type: ignore[assignment]
        max_length=CODE_MAX_LENGTH,
        help_text=_("Code of the shared account the sub-account goes under, e.g. 1-102."),
    )
    name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required: e.g. “Bank BRI Unit Tenggarong”."),
    )
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    business_unit = serializers.SlugField(
        max_length=40,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The business unit the sub-account belongs to; without it, the parent's."),
    )


# --- The journal ---------------------------------------------------------------------------------


class JournalFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=_("Entries dated on or after."))
    date_to = serializers.DateField(required=False, help_text=_("Entries dated on or before."))
    account = serializers.CharField(
        required=False,
        max_length=CODE_MAX_LENGTH,
        help_text=_("Only entries with a line on this account code or its sub-accounts."),
    )
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=EntrySource.choices, required=False, help_text=_("Only entries from this source.")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": [_("The end date is before the start date.")]}
            )
        return data


class JournalLineSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.code", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    member = serializers.IntegerField(
        source="member_id",
        read_only=True,
        allow_null=True,
        help_text=_("The member the line concerns; null when none."),
    )

    class Meta:
        model = JournalLine
        fields = ["account", "account_name", "debit", "credit", "business_unit", "member", "memo"]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    """A posted entry with its lines. Entries never change: a mistake is corrected by a reversal
    (an entry with `reverses` set) and a new entry."""

    # Expects finance.api.journal_entries' rows: lines (with accounts) prefetched, posted_by and
    # reversed_by joined.

    reference = serializers.CharField(read_only=True, help_text=_("JU-000123: the entry's number."))
    source = _coded(EntrySource.values)  # type: ignore[assignment]
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    source_key = serializers.CharField(
        read_only=True,
        help_text=_(
            "What the entry was posted from, e.g. savings:12, cashbook:40, repayment:9; empty "
            "for an entry written by hand."
        ),
    )
    reverses = serializers.IntegerField(
        source="reverses_id",
        read_only=True,
        allow_null=True,
        help_text=_("The entry this one reverses; null for an ordinary entry."),
    )
    reversed_by = serializers.SerializerMethodField(
        help_text=_("The entry that reversed this one; null while it stands.")
    )
    posted_by = PersonSerializer(
        read_only=True, allow_null=True, help_text=_("null when posted by the system.")
    )
    total = serializers.SerializerMethodField(help_text=_("The debits (= the credits) in Rp."))
    lines = JournalLineSerializer(many=True, read_only=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "number",
            "reference",
            "date",
            "description",
            "source",
            "source_label",
            "source_key",
            "reverses",
            "reversed_by",
            "posted_by",
            "posted_at",
            "total",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, entry: JournalEntry) -> int | None:
        # A missing reverse one-to-one raises an AttributeError subclass.
        counter = getattr(entry, "reversed_by", None)
        return counter.pk if counter is not None else None

    def get_total(self, entry: JournalEntry) -> int:
        return sum(line.debit for line in entry.lines.all())


class LineInputSerializer(serializers.Serializer):
    # The amounts' rules (one side only, above 0, debits = credits) are the service's.
    account = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        help_text=_("Account code of the cooperative's chart, e.g. 1-101 or 1-102.01."),
    )
    debit = serializers.IntegerField(required=False, default=0, help_text=_("Whole Rupiah."))
    credit = serializers.IntegerField(required=False, default=0, help_text=_("Whole Rupiah."))
    member = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Member id, when the line concerns a member of the cooperative."),
    )
    memo = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    business_unit = serializers.SlugField(
        required=False,
        allow_null=True,
        default=None,
        max_length=40,
        help_text=_("The business unit, when not the account's own."),
    )


class EntryCreateSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("Not in the future, in a month that is open."))
    description = serializers.CharField(max_length=255)
    lines = LineInputSerializer(
        many=True,
        allow_empty=True,
        help_text=_("At least one debit and one credit; the debits must equal the credits."),
    )


class EntryReverseSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text=_("The reversal's date, in an open month; without it, today."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=_("Why the entry is reversed; added to the reversal's description."),
    )


# --- Periods -------------------------------------------------------------------------------------


class ClosedPeriodSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    closed_by = PersonSerializer(read_only=True)

    class Meta:
        model = ClosedPeriod
        fields = ["month", "closed_by", "closed_at"]
        read_only_fields = fields


class PeriodEventSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    action = _coded(PeriodAction.values)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    by = PersonSerializer(read_only=True)

    class Meta:
        model = PeriodEvent
        fields = ["id", "month", "action", "action_label", "by", "reason", "at"]
        read_only_fields = fields


class PeriodsSerializer(serializers.Serializer):
    may_close = serializers.BooleanField(
        read_only=True, help_text=_("Whether you may close a month (the pengawas or an officer).")
    )
    may_reopen = serializers.BooleanField(
        read_only=True,
        help_text=_("Whether you may reopen a closed month (a regency or province officer)."),
    )
    closed = ClosedPeriodSerializer(
        many=True, read_only=True, help_text=_("The closed months, latest first.")
    )
    events = PeriodEventSerializer(
        many=True, read_only=True, help_text=_("Every close and reopen, latest first.")
    )


class PeriodCloseSerializer(serializers.Serializer):
    month = MonthField(help_text=_("The month to close (it must have ended), as YYYY-MM."))


class PeriodReopenSerializer(serializers.Serializer):
    month = MonthField(help_text=_("The closed month to reopen, as YYYY-MM."))
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required: why the month is reopened (kept in the audit trail)."),
    )


# --- Savings -------------------------------------------------------------------------------------


class SavingsFilterSerializer(serializers.Serializer):
    member = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only this member's movements.")
    )
    type = serializers.ChoiceField(
        choices=SavingsType.choices, required=False, help_text=_("Only this kind of savings.")
    )
    date_from = serializers.DateField(required=False, help_text=_("Movements on or after."))
    date_to = serializers.DateField(required=False, help_text=_("Movements on or before."))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"date_to": [_("The end date is before the start date.")]}
            )
        return data


class SavingsMovementSerializer(serializers.ModelSerializer):
    """One line of a member's savings book: a deposit or a withdrawal of one kind of savings."""

    member_name = serializers.CharField(source="member.name", read_only=True)
    savings_type = _coded(SavingsType.values)
    savings_type_label = serializers.CharField(source="get_savings_type_display", read_only=True)
    source = _coded(SavingsSource.values)  # type: ignore[assignment]
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    journal_entry = serializers.IntegerField(
        source="journal_entry_id",
        read_only=True,
        allow_null=True,
        help_text=_("The journal entry that put the movement into the books; null until posted."),
    )
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    import_run = serializers.IntegerField(
        source="import_run_id",
        read_only=True,
        allow_null=True,
        help_text=_("The spreadsheet import it came from; null when typed in."),
    )

    class Meta:
        model = SavingsTransaction
        fields = [
            "id",
            "member",
            "member_name",
            "date",
            "savings_type",
            "savings_type_label",
            "deposit",
            "withdrawal",
            "receipt_no",
            "description",
            "source",
            "source_label",
            "journal_entry",
            "recorded_by",
            "import_run",
            "created_at",
        ]
        read_only_fields = fields


# --- SHU -----------------------------------------------------------------------------------------


class ShuPolicyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    from_year = serializers.IntegerField(
        read_only=True, help_text=_("The allocation in force: set from this year on.")
    )


class ShuPartSerializer(serializers.Serializer):
    key = serializers.CharField(
        read_only=True,
        help_text=_one_of(
            [
                "reserve",
                "member_capital",
                "member_business",
                "management",
                "employees",
                "education",
                "social",
                "regional_development",
                "other",
            ]
        ),
    )
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    percent = serializers.CharField(
        read_only=True, help_text=_("Percentage of the SHU with two decimals, e.g. 25.00.")
    )
    amount = serializers.IntegerField(read_only=True, help_text=_("Whole Rupiah."))
    account = serializers.CharField(
        read_only=True,
        help_text=_("Where the distribution credits it: 3-201 cadangan or 2-104 dana SHU."),
    )


class ShuMemberShareSerializer(serializers.Serializer):
    member = serializers.IntegerField(read_only=True, help_text=_("Member id."))
    nik = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    savings = serializers.IntegerField(
        read_only=True,
        help_text=_("Simpanan pokok and wajib at the end of the year (Rp): the JMA base."),
    )
    transactions = serializers.IntegerField(
        read_only=True,
        help_text=_("Revenue lines naming the member in the year (Rp): the JUA base."),
    )
    jma = serializers.IntegerField(read_only=True, help_text=_("Jasa modal anggota (Rp)."))
    jua = serializers.IntegerField(read_only=True, help_text=_("Jasa usaha anggota (Rp)."))
    total = serializers.IntegerField(read_only=True, help_text=_("JMA + JUA (Rp)."))


class ShuDistributionSerializer(serializers.Serializer):
    entry = serializers.IntegerField(read_only=True, help_text=_("Journal entry id."))
    reference = serializers.CharField(read_only=True)
    date = serializers.DateField(read_only=True)
    amount = serializers.IntegerField(
        read_only=True, help_text=_("What the distribution took from 3-301 SHU belum dibagi.")
    )


class ShuMeetingSerializer(serializers.Serializer):
    held_on = serializers.DateField(read_only=True)


class ShuSerializer(serializers.Serializer):
    """finance.shu.ShuResult.as_dict(): the year's SHU, its allocation and each member's share."""

    cooperative = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    start = serializers.DateField(read_only=True, help_text=_("1 January of the year."))
    end = serializers.DateField(
        read_only=True, help_text=_("31 December, or today for the running year.")
    )
    provisional = serializers.BooleanField(
        read_only=True, help_text=_("The year is still running: the figures are to date.")
    )
    revenue = serializers.IntegerField(read_only=True)
    expenses = serializers.IntegerField(read_only=True)
    surplus = serializers.IntegerField(
        read_only=True, help_text=_("Revenue − expenses (Rp); negative for a loss.")
    )
    policy = ShuPolicyRefSerializer(
        read_only=True, allow_null=True, help_text=_("null when no allocation is set.")
    )
    parts = ShuPartSerializer(many=True, read_only=True)
    jma_pool = serializers.IntegerField(read_only=True)
    jua_pool = serializers.IntegerField(read_only=True)
    savings_total = serializers.IntegerField(read_only=True)
    transactions_total = serializers.IntegerField(read_only=True)
    members = ShuMemberShareSerializer(many=True, read_only=True)
    members_total = serializers.IntegerField(read_only=True)
    messages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("What the figures need to be read with (provisional, no allocation, loss)."),
    )
    distribution = ShuDistributionSerializer(
        read_only=True, allow_null=True, help_text=_("null until the allocation is posted.")
    )
    rat = ShuMeetingSerializer(
        read_only=True, allow_null=True, help_text=_("The RAT that approved the year; null before.")
    )


# --- Statements ----------------------------------------------------------------------------------


class StatementPeriodSerializer(serializers.Serializer):
    """A period of the books. Without dates: this year to today; with one date the other is
    taken within the same year."""

    start = serializers.DateField(
        required=False, help_text=_("The first day; without it, 1 January of the end's year.")
    )
    end = serializers.DateField(
        required=False,
        help_text=_(
            "The last day; without it, today (31 December for a start in an earlier year)."
        ),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # Whether the period makes sense (not ending before it starts, within one year where a
        # statement needs it) is the statement's to say, in the portal's words.
        today = timezone.localdate()
        start, end = data.get("start"), data.get("end")
        if end is None:
            end = (
                today
                if start is None or start.year >= today.year
                else start.replace(month=12, day=31)
            )
        if start is None:
            start = end.replace(month=1, day=1)
        return {**data, "start": start, "end": end}


class StatementUnitPeriodSerializer(StatementPeriodSerializer):
    business_unit = serializers.SlugField(
        required=False,
        max_length=40,
        help_text=format_lazy(
            "{} {}",
            _("Only the lines posted for this business unit."),
            _one_of(BusinessUnitCode.values),
        ),
    )


class StatementDateSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text=_("The balance sheet at the end of this day; without it, today.")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "as_of": data.get("as_of") or timezone.localdate()}


class StatementColumnSerializer(serializers.Serializer):
    key = serializers.CharField(
        read_only=True, help_text=_("The key of the column's figure in each row's amounts.")
    )
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class StatementRowSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True, help_text=_("The account's code; empty for a computed line or a total.")
    )
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    level = serializers.IntegerField(
        read_only=True, help_text=_("0 for an account, 1 for a sub-account shown under it.")
    )
    kind = serializers.CharField(
        read_only=True,
        help_text=_(
            "account: a shared account, its sub-accounts included; sub: a sub-account, already "
            "counted in the account above it; line: a computed line such as SHU tahun berjalan; "
            "total."
        ),
    )
    amounts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        read_only=True,
        help_text=_(
            "The row's figures in Rp by column key (see columns); null where the row has no figure."
        ),
    )


class StatementSectionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    rows = StatementRowSerializer(many=True, read_only=True)
    total = StatementRowSerializer(read_only=True, allow_null=True)


class StatementPartSerializer(serializers.Serializer):
    key = serializers.CharField(
        read_only=True,
        help_text=_("assets, liabilities, equity in the neraca; a business unit in the PHU."),
    )
    title = serializers.CharField(read_only=True)
    sections = StatementSectionSerializer(many=True, read_only=True)
    total = StatementRowSerializer(read_only=True, allow_null=True)


class StatementCooperativeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class StatementSerializer(serializers.Serializer):
    """finance.statements.Statement.as_dict(): a statement as the portal shows and prints it —
    parts of sections of rows, each row's figures by column — with its totals."""

    kind = serializers.CharField(
        read_only=True,
        help_text=_one_of(["neraca-saldo", "neraca", "phu", "arus-kas", "perubahan-ekuitas"]),
    )
    title = serializers.CharField(read_only=True)
    cooperative = StatementCooperativeSerializer(read_only=True)
    start = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("null for the neraca (a balance on a day).")
    )
    end = serializers.DateField(read_only=True, help_text=_("The last day; the neraca's date."))
    period_label = serializers.CharField(read_only=True)
    business_unit = serializers.CharField(read_only=True, allow_null=True)
    business_unit_label = serializers.CharField(read_only=True, allow_null=True)
    columns = StatementColumnSerializer(many=True, read_only=True)
    parts = StatementPartSerializer(many=True, read_only=True)
    summary = StatementRowSerializer(
        many=True, read_only=True, help_text=_("The lines below the parts (grand totals).")
    )
    totals = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_(
            "The statement's totals in Rp by name: trial balance opening_debit, opening_credit, "
            "debit, credit, closing_debit, closing_credit; neraca assets, liabilities, equity, "
            "liabilities_and_equity, shu_current_year and the same with previous_ (end of the "
            "year before); PHU revenue, expenses, shu; arus kas opening_cash, closing_cash, "
            "net_change, operating, investing, financing, receipts, payments; perubahan "
            "ekuitas opening, increases, decreases, closing, shu."
        ),
    )
    balanced = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Whether the statement's check holds (debits = credits, assets = liabilities + "
            "equity, the cash moved = the change in cash…); null where there is none (PHU)."
        ),
    )
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)


# --- A member's savings --------------------------------------------------------------------------


class SavingsCreateSerializer(serializers.Serializer):
    # Which movements are allowed (one of deposit or withdrawal, pokok and wajib locked while a
    # member, the balance, pokok once, open months) is the savings service's to say.
    member = serializers.IntegerField(help_text=_("Member id, a member of this cooperative."))
    savings_type = serializers.ChoiceField(choices=SavingsType.choices)
    date = serializers.DateField(
        help_text=_("Not in the future, not before the member joined, in an open month.")
    )
    deposit = serializers.IntegerField(required=False, default=0, help_text=_("Whole Rupiah."))
    withdrawal = serializers.IntegerField(
        required=False,
        default=0,
        help_text=_(
            "Whole Rupiah. Simpanan pokok and wajib are paid back only when the membership ends."
        ),
    )
    receipt_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255
    )


class MemberSavingsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text=_("The passbook from this day; without it, from the first.")
    )
    end = serializers.DateField(
        required=False,
        help_text=_("The passbook and the balances to this day; without it, everything."),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"end": [_("The end date is before the start date.")]}
            )
        return data


class SavingsBalancesSerializer(serializers.Serializer):
    pokok = serializers.IntegerField(read_only=True, help_text=_("Simpanan pokok (Rp)."))
    wajib = serializers.IntegerField(read_only=True, help_text=_("Simpanan wajib (Rp)."))
    sukarela = serializers.IntegerField(read_only=True, help_text=_("Simpanan sukarela (Rp)."))
    total = serializers.IntegerField(read_only=True)


class PassbookRowSerializer(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    savings_type = _coded(SavingsType.values)
    savings_type_label = serializers.CharField(read_only=True)
    receipt_no = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    deposit = serializers.IntegerField(read_only=True)
    withdrawal = serializers.IntegerField(read_only=True)
    balance = serializers.IntegerField(
        read_only=True, help_text=_("The balance of this kind of savings after the line (Rp).")
    )
    balances = SavingsBalancesSerializer(
        read_only=True, help_text=_("Every kind of savings after the line.")
    )
    source = _coded(SavingsSource.values)  # type: ignore[assignment]
    journal_entry = serializers.IntegerField(read_only=True, allow_null=True)


class MemberSavingsSerializer(serializers.Serializer):
    """A member's savings: the balances from finance.savings.member_savings and the passbook
    (buku simpanan) from finance.savings.passbook."""

    member = serializers.IntegerField(read_only=True, help_text=_("Member id."))
    name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    start = serializers.DateField(read_only=True, allow_null=True)
    end = serializers.DateField(read_only=True, allow_null=True)
    balances = SavingsBalancesSerializer(
        read_only=True, help_text=_("At the end of `end` (everything recorded without it).")
    )
    opening = SavingsBalancesSerializer(
        read_only=True, help_text=_("Before `start` (zeros without it).")
    )
    rows = PassbookRowSerializer(many=True, read_only=True, help_text=_("Oldest first."))
    deposits = serializers.IntegerField(read_only=True, help_text=_("Deposited in the rows (Rp)."))
    withdrawals = serializers.IntegerField(
        read_only=True, help_text=_("Withdrawn in the rows (Rp).")
    )
