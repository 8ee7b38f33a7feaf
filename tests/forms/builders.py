"""Build and publish forms the way an admin does in the Wagtail admin: blocks, then publish."""

import json
from typing import Any

from forms.demo import ensure_form_index
from forms.models import FormIndexPage, KopdesFormPage


def field(kind: str, code: str, label: str, **options: Any) -> dict[str, Any]:
    return {"type": kind, "value": {"code": code, "label": label, "required": True, **options}}


def step(title: str) -> dict[str, Any]:
    return {"type": "step", "value": {"title": title, "title_en": ""}}


def form_index() -> FormIndexPage:
    return ensure_form_index()


def publish_form(
    title: str,
    fields: list[dict[str, Any]],
    rules: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> KopdesFormPage:
    page = KopdesFormPage(
        title=title,
        slug=kwargs.pop("slug", title.lower().replace(" ", "-")),
        fields=json.dumps(fields),
        rules=json.dumps([{"type": "rule", "value": r} for r in rules or []]),
        **kwargs,
    )
    form_index().add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def republish(page: KopdesFormPage, fields: list[dict[str, Any]]) -> KopdesFormPage:
    page = KopdesFormPage.objects.get(pk=page.pk)
    page.fields = json.dumps(fields)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def group(code: str, label: str, columns: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """A repeating group (table) whose rows are `columns`."""
    return field("group", code, label, fields=columns, **options)


def calculated(
    code: str, label: str, expression: str, result_type: str = "rupiah"
) -> dict[str, Any]:
    return field(
        "calculated", code, label, required=False, expression=expression, result_type=result_type
    )
