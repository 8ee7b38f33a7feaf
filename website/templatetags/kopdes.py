"""Template helpers of the portal: Rupiah, bar widths without inline styles, the active nav item."""

import datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# The URL names that belong to each item of the main navigation.
NAV_SECTIONS: dict[str, frozenset[str]] = {
    "home": frozenset({"home"}),
    "cooperatives": frozenset(
        {
            "cooperative_list",
            "cooperative_detail",
            "member_list",
            "member_detail",
            "import_start",
            "import_run_detail",
        }
    ),
    "forms": frozenset(
        {
            "form_list",
            "submission_list",
            "submission_detail",
            "submission_step",
            "submission_review",
        }
    ),
    # An action that comes back with errors shows the card under its own URL name.
    "loans": frozenset(
        {
            "loan_portfolio",
            "loan_detail",
            "loan_payout_record",
            "loan_payout_confirm",
            "loan_payout_reject",
            "loan_repayment_record",
            "loan_repayment_reverse",
            "loan_write_off",
            "loan_reschedule",
        }
    ),
    "tasks": frozenset({"inbox", "task_detail", "workflow_report"}),
    "notifications": frozenset({"notification_list"}),
    "account": frozenset({"password_change", "password_change_done"}),
}
# The page a nav item itself opens; on it the item is "page", elsewhere in its section "true".
NAV_PAGES = {
    "home": "home",
    "cooperatives": "cooperative_list",
    "forms": "form_list",
    "loans": "loan_portfolio",
    "tasks": "inbox",
    "notifications": "notification_list",
    "account": "password_change",
}
BAR_STEP = 2


def _group_thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@register.filter
def rupiah(value: Any) -> str:
    """Whole Rupiah as people write them: 1234567 → "Rp 1.234.567", -1234 → "-Rp 1.234".

    Rupiah keep the dot as thousands separator in every interface language. Empty for None or
    text that is not a number.
    """
    if value is None or value == "":
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {_group_thousands(abs(amount))}"


@register.filter
def percent_of(count: Any, total: Any) -> int:
    """`count` as a whole percentage of `total` (0 when the total is 0)."""
    try:
        count, total = int(count), int(total)
    except (TypeError, ValueError):
        return 0
    if total <= 0 or count <= 0:
        return 0
    return round(count * 100 / total)


@register.filter
def bar_class(count: Any, total: Any) -> str:
    """The CSS class giving a bar the width of `count` out of `total`, in steps of 2 %.

    The CSP forbids style="" attributes, so kopdes.css carries one class per step (w0 … w100);
    a non-zero count is never drawn as an empty bar.
    """
    try:
        count, total = int(count), int(total)
    except (TypeError, ValueError):
        return "w0"
    if total <= 0 or count <= 0:
        return "w0"
    # Round half up to the nearest step (round() would send 25 % to 24 %).
    step = int(count * 100 / total / BAR_STEP + 0.5) * BAR_STEP
    return f"w{min(max(step, BAR_STEP), 100)}"


@register.filter
def minutes(value: Any, default: int = 30) -> int:
    """Whole minutes of a timedelta (django-axes gives the cool-off time as one)."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds() // 60)
    return default


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, section: str) -> SafeString | str:
    """` aria-current="page"` on the nav item of the page being shown (`"true"` on the item
    whose section the page belongs to)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None)
    if not name or name not in NAV_SECTIONS.get(section, ()):
        return ""
    value = "page" if NAV_PAGES.get(section) == name else "true"
    return format_html(' aria-current="{}"', value)
