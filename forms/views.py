"""Portal pages for filling forms: start, one page per step, review and submit, then the read-only
submission, its files and the lists. Thin: the services write, `cooperatives.scoping` decides what
a user may see (outside the scope answers 404), StepForm validates."""

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.enums import RegionLevel, Role
from cooperatives.models import Cooperative, Member, Region
from cooperatives.scoping import (
    get_in_scope_or_404,
    role_scope,
    scope_queryset,
    visible_cooperatives,
)
from cooperatives.selectors import user_is_officer
from website.templatetags.kopdes import rupiah

from .enums import EDITABLE_STATUSES, ConditionOperator, FieldType, SubmissionStatus
from .filling import StepForm, django_field, explanation_name
from .models import KopdesFormPage, Submission, SubmissionFile
from .purpose_checks import figure_display, group_figures, prefill_differences, prefill_for
from .schema import Condition, FieldSpec, FormSchema, pick
from .services import (
    StaleSubmissionError,
    SubmissionError,
    book_values,
    prefill_lookup,
    schema_for_revision,
    submission_prefill,
    submission_problems,
    submission_save_step,
    submission_start,
    submission_submit,
    typed_answers,
)

PAGE_SIZE = 25

# How the browser reads a controlling field's answer to mirror a same-step condition (see
# static/forms/steps.js); fields missing here are not mirrored and stay shown.
MIRROR_KINDS: dict[str, str] = {
    **dict.fromkeys(
        (FieldType.INTEGER, FieldType.DECIMAL, FieldType.RUPIAH, FieldType.PERCENTAGE),
        "number",
    ),
    FieldType.MEMBER: "number",
    FieldType.YES_NO: "bool",
    FieldType.MULTIPLE_CHOICE: "list",
    **dict.fromkeys(
        (
            FieldType.SHORT_TEXT,
            FieldType.LONG_TEXT,
            FieldType.DATE,
            FieldType.MONTH,
            FieldType.SINGLE_CHOICE,
            FieldType.EMAIL,
            FieldType.VILLAGE,
        ),
        "text",
    ),
}
# The server normalizes these answers (+62…, digits only): the browser may only ask "filled?".
MIRROR_PRESENCE_ONLY = frozenset({FieldType.PHONE, FieldType.NIK})


# --- helpers ---------------------------------------------------------------------------------


def fillable_cooperatives(*, user: Any, form_page: KopdesFormPage) -> list[Cooperative]:
    """The visible cooperatives the user may fill `form_page` for, by name: the same answer as
    `may_fill` per cooperative, in one query."""
    if user.is_superuser:
        return list(visible_cooperatives(user).order_by("name"))
    condition = Q(pk__in=[])
    for role in set(form_page.audience or [Role.OPERATOR]):
        scope = role_scope(user, role)
        if scope.everything:
            return list(Cooperative.objects.order_by("name"))
        if not scope.nothing:
            condition |= scope.cooperative_filter()
    return list(Cooperative.objects.filter(condition).order_by("name"))


def _submissions() -> Any:
    return Submission.objects.select_related("form_page", "cooperative", "author")


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """A submission in the user's scope; other people's drafts are private (404)."""
    submission = get_in_scope_or_404(_submissions(), request.user, pk=pk)
    if submission.status == SubmissionStatus.DRAFT and submission.author_id != request.user.pk:
        raise Http404
    return submission


def _own_submission(request: HttpRequest, pk: int) -> Submission:
    """A submission the user may edit: in scope and their own (anyone else gets 404)."""
    submission = get_in_scope_or_404(_submissions(), request.user, pk=pk)
    if submission.author_id != request.user.pk:
        raise Http404
    return submission


def _expected_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # refused as stale: a form without its version is not trusted


def _step_url(submission: Submission, step: int) -> str:
    return reverse("submission_step", kwargs={"pk": submission.pk, "step": step})


def _resume_url(submission: Submission) -> str:
    schema = schema_for_revision(submission.revision_id)
    if submission.current_step >= len(schema.steps):
        return reverse("submission_review", kwargs={"pk": submission.pk})
    return _step_url(submission, submission.current_step)


@dataclass(frozen=True)
class _Named:
    """The members and villages a page of answers names, each kind read in one query."""

    members: dict[int, Member]
    villages: dict[str, Region]


def _named_in(schema: FormSchema, answers: dict[str, Any], *, user: Any) -> _Named:
    member_ids: set[int] = set()
    village_codes: set[str] = set()
    for spec in schema.fields:
        if spec.type == FieldType.GROUP:
            pairs = [
                (c, line.get(c.code)) for line in answers.get(spec.code) or [] for c in spec.columns
            ]
        else:
            pairs = [(spec, answers.get(spec.code))]
        for column, value in pairs:
            if value is None or value == "":
                continue
            if column.type == FieldType.MEMBER:
                member_ids.add(value)
            elif column.type == FieldType.VILLAGE:
                village_codes.add(value)
    members = scope_queryset(Member.objects.filter(pk__in=member_ids), user) if member_ids else []
    villages = (
        Region.objects.filter(code__in=village_codes, level=RegionLevel.VILLAGE)
        if village_codes
        else []
    )
    return _Named({m.pk: m for m in members}, {r.code: r for r in villages})


def _display(spec: FieldSpec, value: Any, *, user: Any, named: _Named | None = None) -> str:
    """An answer as text for people (never the stored code). Pass `named` (from `_named_in`)
    when showing many answers, so that members and villages are not read one by one."""
    if value is None or value == "" or value == []:
        return "–"
    kind = spec.type
    if kind == FieldType.CALCULATED:
        kind = spec.options.get("result_type") or FieldType.DECIMAL
    if kind == FieldType.YES_NO:
        return _("Yes") if value else _("No")
    if kind == FieldType.SINGLE_CHOICE:
        return dict(spec.choice_list()).get(value, str(value))
    if kind == FieldType.MULTIPLE_CHOICE:
        labels = dict(spec.choice_list())
        return ", ".join(labels.get(v, str(v)) for v in value)
    if kind == FieldType.RUPIAH:
        return rupiah(value) or str(value)
    if kind in {FieldType.DECIMAL, FieldType.INTEGER}:
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if kind == FieldType.PERCENTAGE:
        return f"{formats.number_format(value, use_l10n=True)} %"
    if kind == FieldType.DATE and hasattr(value, "isoformat"):
        return formats.date_format(value)
    if kind == FieldType.MEMBER:
        if named is not None:
            member = named.members.get(value)
        else:
            member = scope_queryset(Member.objects.filter(pk=value), user).first()
        return f"{member.name} ({member.nik})" if member else "–"
    if kind == FieldType.VILLAGE:
        if named is not None:
            region = named.villages.get(value)
        else:
            region = Region.objects.filter(code=value, level=RegionLevel.VILLAGE).first()
        return str(region) if region else str(value)
    return str(value)


def answer_sections(submission: Submission, *, user: Any) -> list[dict[str, Any]]:
    """Every visible answer of the submission by step, labelled from its pinned form version."""
    schema = schema_for_revision(submission.revision_id)
    answers = schema.calculate(typed_answers(submission))
    files = {f.field_code: f for f in submission.files.all()}
    named = _named_in(schema, answers, user=user)
    corrections = _corrections(submission, schema, answers)
    sections = []
    for step in schema.steps:
        rows: list[dict[str, Any]] = []
        for spec in step.fields:
            if spec.type in {FieldType.STEP, FieldType.INFO} or not schema.visible(spec, answers):
                continue
            row: dict[str, Any] = {"code": spec.code, "label": spec.label, "kind": spec.type}
            if spec.code in corrections:
                row["correction"] = corrections[spec.code]
            if spec.type == FieldType.GROUP:
                row["columns"] = [c.label for c in spec.columns]
                row["rows"] = [
                    [_display(c, line.get(c.code), user=user, named=named) for c in spec.columns]
                    for line in answers.get(spec.code) or []
                ]
            elif spec.type == FieldType.FILE:
                row["file"] = files.get(spec.code)
            else:
                row["value"] = _display(spec, answers.get(spec.code), user=user, named=named)
            rows.append(row)
        sections.append({"index": step.index, "title": step.title, "rows": rows})
    return sections


def _corrections(
    submission: Submission, schema: FormSchema, answers: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """For each answer that differs from its figure from the books: what the books show, what
    was answered (figure by figure for a table) and the reason given."""
    books = book_values(submission)
    if not books:
        return {}
    hook = prefill_for(submission.form_page.purpose)
    reasons = submission.explanations or {}
    result: dict[str, dict[str, Any]] = {}
    for code, book in books.items():
        spec = schema.by_code.get(code)
        if spec is None:
            continue
        row_key = hook.row_key(code) if hook is not None else None
        differences = prefill_differences(spec, answers.get(code), book, row_key)
        if differences:
            result[code] = {
                "differences": [
                    {"what": what, "book": was, "answer": now} for what, was, now in differences
                ],
                "explanation": reasons.get(code, ""),
            }
    return result


class PrefillKeyForm(forms.Form):
    """The purpose's key (the month) chosen on its own, to fill the figures in for it before
    the rest of the step is answered."""

    prefix = "prefill"

    def __init__(self, *args: Any, spec: FieldSpec, cooperative: Cooperative, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = django_field(spec, cooperative=cooperative)
        if field is not None:
            field.required = True
            field.help_text = ""  # the step's own field below carries it
            self.fields["key"] = field


def _prefill_key_form(submission: Submission, data: Any = None) -> PrefillKeyForm | None:
    hook = prefill_for(submission.form_page.purpose)
    spec = schema_for_revision(submission.revision_id).by_code.get(hook.key) if hook else None
    if hook is None or spec is None:
        return None
    form = PrefillKeyForm(
        data,
        spec=spec,
        cooperative=submission.cooperative,
        initial={"key": typed_answers(submission).get(hook.key)},
    )
    return form if "key" in form.fields else None


def _prefill_panel(submission: Submission) -> dict[str, Any] | None:
    """What the step holding the purpose's key says of the figures from the books: for what
    they were filled in, the notes of what the books could not tell, and a way to choose
    another month (or fill in again after more was posted)."""
    key_form = _prefill_key_form(submission)
    if key_form is None:
        return None
    found = prefill_lookup(submission) if submission.prefilled is not None else None
    return {
        "label": found.label if found else "",
        "filled": bool(submission.prefilled),
        "notes": found.notes if found else [],
        "form": key_form,
    }


# --- start -----------------------------------------------------------------------------------


@login_required
def form_start(request: HttpRequest, *, form_page: KopdesFormPage) -> HttpResponse:
    """The form's own page (served by KopdesFormPage): intro, steps, own drafts, a Start button."""
    user = request.user
    cooperatives = fillable_cooperatives(user=user, form_page=form_page)
    status = 200
    if request.method == "POST":
        key = (request.POST.get("idempotency_key") or "").strip()[:64]
        chosen = request.POST.get("cooperative") or (
            str(cooperatives[0].pk) if len(cooperatives) == 1 else ""
        )
        cooperative = next((c for c in cooperatives if str(c.pk) == chosen), None)
        if not key or cooperative is None:
            if not cooperatives:
                return render(request, "403.html", status=403)
            messages.error(request, _("Choose the cooperative to fill the form for."))
            status = 400
        else:
            try:
                submission = submission_start(
                    form_page=form_page,
                    cooperative=cooperative,
                    author=user,
                    idempotency_key=key,
                    prefill=True,
                )
            except PermissionDenied:
                return render(request, "403.html", status=403)
            except SubmissionError as error:
                for message in error.messages:
                    messages.error(request, message)
                status = 400
            else:
                return redirect(_resume_url(submission))
    schema = schema_for_revision(form_page.live_revision_id) if form_page.live_revision_id else None
    drafts = scope_queryset(
        Submission.objects.filter(
            form_page=form_page, author_id=user.pk, status__in=EDITABLE_STATUSES
        ),
        user,
    ).select_related("cooperative")
    by_cooperative: dict[int, list[dict[str, Any]]] = {}
    for draft in drafts:
        by_cooperative.setdefault(draft.cooperative_id, []).append(
            {"submission": draft, "url": _resume_url(draft)}
        )
    return render(
        request,
        "forms/form_start.html",
        {
            "page": form_page,
            "intro": pick(form_page.intro, form_page.intro_en),
            "steps": schema.steps if schema else (),
            "cooperatives": [
                {"cooperative": c, "drafts": by_cooperative.get(c.pk, [])} for c in cooperatives
            ],
            "idempotency_key": uuid.uuid4().hex,
        },
        status=status,
    )


# --- one step --------------------------------------------------------------------------------


def _step_form(
    submission: Submission, schema: FormSchema, index: int, data: Any = None, files: Any = None
) -> StepForm:
    return StepForm(
        data,
        files,
        schema=schema,
        step=schema.steps[index],
        cooperative=submission.cooperative,
        answers=typed_answers(submission),
        existing_files=frozenset(submission.files.values_list("field_code", flat=True)),
        purpose=submission.form_page.purpose,
        book_values=book_values(submission),
        explanations=submission.explanations,
    )


def _with_extra_row(post: QueryDict, group: str, max_rows: int) -> QueryDict | None:
    """The posted data with one more empty row in `group` (None when it is full)."""
    data = post.copy()
    key = f"{group}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    if total >= max_rows:
        return None
    data[key] = str(total + 1)
    return data


def _silence(form: StepForm) -> None:
    """Show posted values without judging them yet (after "add row", nothing was sent)."""
    # Django's forms compute errors lazily into these attributes; preset they stay empty.
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    form.cleaned_data = {}
    for formset in form.formsets.values():
        formset._errors = []  # type: ignore[attr-defined]
        formset._non_form_errors = formset.error_class()  # type: ignore[attr-defined]
        for row in formset.forms:
            row._errors = ErrorDict()
            row.cleaned_data = {}


def _error_summary(form: StepForm) -> list[tuple[str, str]]:
    """(anchor, message) for each error of the step, in page order."""
    summary = [("", str(message)) for message in form.non_field_errors()]
    for code in form.specs:  # the step's fields and tables, as the page shows them
        if code in form.fields:
            for message in form.errors.get(code, []):
                bound = form[code]
                anchor = bound.id_for_label or f"{bound.auto_id}_0"
                summary.append((anchor, f"{form.fields[code].label}: {message}"))
        reason = explanation_name(code)
        if reason in form.fields:
            for message in form.errors.get(reason, []):
                summary.append((form[reason].id_for_label, str(message)))
        if code not in form.formsets:
            continue
        formset = form.formsets[code]
        label = form.specs[code].label
        for message in formset.non_form_errors():
            summary.append((f"group-{code}", f"{label}: {message}"))
        for number, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                column = row.fields.get(name)
                anchor = row[name].auto_id if column else f"group-{code}"
                for message in errors:
                    summary.append(
                        (
                            anchor,
                            _("%(group)s, row %(n)s, %(column)s: %(message)s")
                            % {
                                "group": label,
                                "n": number,
                                "column": column.label if column else "",
                                "message": message,
                            },
                        )
                    )
    return summary


def _mirror(condition: Condition, controller: FieldSpec) -> dict[str, str] | None:
    """A same-step condition as the browser may mirror it (None: shown, the server decides)."""
    kind = MIRROR_KINDS.get(controller.type)
    presence = condition.operator in {ConditionOperator.FILLED, ConditionOperator.EMPTY}
    if kind is None and presence and controller.type in MIRROR_PRESENCE_ONLY:
        kind = "text"
    if kind is None:
        return None
    return {
        "field": condition.field,
        "op": condition.operator,
        "value": condition.value,
        "kind": kind,
    }


def _step_items(
    submission: Submission, schema: FormSchema, form: StepForm, user: Any
) -> list[dict[str, Any]]:
    """What the step shows, in form order: fields, groups, info text and calculated values."""
    step = form.step
    answers = typed_answers(submission)
    calculated = schema.calculate(answers)
    files = {f.field_code: f for f in submission.files.all()}
    books = form.book_values
    hook = prefill_for(submission.form_page.purpose)
    items: list[dict[str, Any]] = []
    for spec in step.fields:
        condition = spec.condition
        controller = schema.by_code.get(condition.field) if condition else None
        same_step = controller is not None and controller.step == step.index
        if condition and not same_step and not schema.visible(spec, calculated):
            continue  # hidden by an answer of an earlier step
        item: dict[str, Any] = {"spec": spec, "kind": spec.type}
        if same_step and controller is not None and spec.type != FieldType.INFO:
            item["hint"] = _("Only needed for some answers to “%(label)s”.") % {
                "label": controller.label
            }
        if same_step and condition is not None and controller is not None:
            item["when"] = _mirror(condition, controller)
        if spec.type == FieldType.INFO:
            item["text"] = pick(spec.options.get("text") or "", spec.options.get("text_en") or "")
        elif spec.type == FieldType.CALCULATED:
            item["value"] = _display(spec, calculated.get(spec.code), user=user)
        elif spec.type == FieldType.GROUP:
            formset = form.formsets.get(spec.code)
            if formset is None:
                continue
            item["formset"] = formset
            item["columns"] = spec.columns
            item["can_add"] = formset.total_form_count() < formset.max_num
            row_key = hook.row_key(spec.code) if hook is not None else None
            if spec.code in books and row_key:
                item["books"] = {"rows": group_figures(spec, books[spec.code], row_key)}
        else:
            if spec.code not in form.fields:
                continue
            item["field"] = form[spec.code]
            if spec.type == FieldType.FILE:
                item["file"] = files.get(spec.code)
            if spec.code in books:
                item["book"] = figure_display(spec, books[spec.code])
        reason = explanation_name(spec.code)
        if reason in form.fields:
            item["explanation"] = form[reason]
            item["explanation_open"] = bool(form[reason].value() or form.errors.get(reason))
        items.append(item)
    return items


def _render_step(
    request: HttpRequest,
    submission: Submission,
    schema: FormSchema,
    form: StepForm,
    *,
    status: int = 200,
    show_errors: bool = True,
) -> HttpResponse:
    index = form.step.index
    hook = prefill_for(submission.form_page.purpose)
    holds_key = hook is not None and hook.key in form.specs
    return render(
        request,
        "forms/submission_step.html",
        {
            "submission": submission,
            "schema": schema,
            "step": form.step,
            "number": index + 1,
            "total": len(schema.steps),
            "form": form,
            "items": _step_items(submission, schema, form, request.user),
            "errors": _error_summary(form) if show_errors and form.is_bound else [],
            "prefill": _prefill_panel(submission) if holds_key else None,
        },
        status=status,
    )


@login_required
def submission_step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    submission = _own_submission(request, pk)
    if submission.status not in EDITABLE_STATUSES:
        return redirect("submission_detail", pk=submission.pk)
    schema = schema_for_revision(submission.revision_id)
    if step >= len(schema.steps):
        raise Http404
    if request.method != "POST":
        return _render_step(request, submission, schema, _step_form(submission, schema, step))

    if request.POST.get("action") == "prefill":
        key_form = _prefill_key_form(submission, request.POST)
        if key_form is None:
            raise Http404
        if not key_form.is_valid():
            for message in key_form.errors.get("key", []):
                messages.error(request, str(message))
            return redirect(_step_url(submission, step))
        try:
            submission = submission_prefill(
                submission=submission,
                by=request.user,
                expected_version=_expected_version(request),
                key=key_form.cleaned_data["key"],
            )
        except SubmissionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The figures from the books were filled in.")
                if submission.prefilled
                else _("The books have no figures for this: nothing was filled in."),
            )
        return redirect(_step_url(submission, step))

    group = request.POST.get("add_row")
    if group:
        spec = schema.by_code.get(group)
        if spec is None or spec.type != FieldType.GROUP or spec.step != step:
            raise Http404
        data = _with_extra_row(request.POST, group, int(spec.options.get("max_rows") or 20))
        if data is None:
            messages.warning(request, _("This table has as many rows as it may have."))
            data = request.POST
        form = _step_form(submission, schema, step, data, request.FILES)
        _silence(form)
        return _render_step(request, submission, schema, form, show_errors=False)

    form = _step_form(submission, schema, step, request.POST, request.FILES)
    if not form.is_valid():
        return _render_step(request, submission, schema, form)
    hook = prefill_for(submission.form_page.purpose)
    key_before = submission.data.get(hook.key) if hook is not None else None
    try:
        submission = submission_save_step(
            submission=submission,
            by=request.user,
            step=step,
            answers=form.step_answers(),
            files=form.uploaded_files(),
            expected_version=_expected_version(request),
            explanations=form.step_explanations(),
            prefill=True,
        )
    except StaleSubmissionError as error:
        # Show what is stored now (saved from another tab or device), never merge silently.
        messages.error(request, " ".join(error.messages))
        submission.refresh_from_db()
        fresh = _step_form(submission, schema, step)
        return _render_step(request, submission, schema, fresh, status=409)
    except SubmissionError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("submission_detail", pk=submission.pk)
    except ValidationError as error:  # a file too large, found while storing it
        for code, errors in error.message_dict.items():
            for message in errors:
                form.add_error(code if code in form.fields else None, message)
        return _render_step(request, submission, schema, form)
    if hook is not None and submission.data.get(hook.key) != key_before:
        # The figures are now those of another month: show them on this step before going on.
        messages.info(
            request,
            _("The figures from the books were filled in for the answer you chose. Check them.")
            if submission.prefilled
            else _("The books have no figures for the answer you chose: nothing was filled in."),
        )
        return redirect(_step_url(submission, step))
    if request.POST.get("action") == "back":
        return redirect(_step_url(submission, max(step - 1, 0)))
    if step + 1 < len(schema.steps):
        return redirect(_step_url(submission, step + 1))
    return redirect("submission_review", pk=submission.pk)


# --- review, submit, read ----------------------------------------------------------------------


def _problems(submission: Submission, schema: FormSchema) -> list[dict[str, Any]]:
    result = []
    for code, message in submission_problems(submission):
        spec = schema.by_code.get(code) if code else None
        url = _step_url(submission, spec.step) if spec else ""
        result.append({"message": message, "url": url})
    return result


@login_required
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _own_submission(request, pk)
    if submission.status not in EDITABLE_STATUSES:
        return redirect("submission_detail", pk=submission.pk)
    schema = schema_for_revision(submission.revision_id)
    status = 200
    send_errors: list[str] = []
    if request.method == "POST":
        try:
            sent = submission_submit(
                submission=submission, by=request.user, expected_version=_expected_version(request)
            )
        except StaleSubmissionError as error:
            send_errors, status = error.messages, 409
            submission.refresh_from_db()
        except SubmissionError as error:
            send_errors, status = error.messages, 400
        else:
            messages.success(
                request,
                _("The form was sent. Its reference number is %(reference)s.")
                % {"reference": sent.reference},
            )
            return redirect("submission_detail", pk=sent.pk)
    return render(
        request,
        "forms/submission_review.html",
        {
            "submission": submission,
            "sections": answer_sections(submission, user=request.user),
            "problems": _problems(submission, schema),
            "send_errors": send_errors,
            "editable": True,
        },
        status=status,
    )


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from workflows.views import submission_review_context

    submission = _visible_submission(request, pk)
    editable = submission.author_id == request.user.pk and submission.status in EDITABLE_STATUSES
    return render(
        request,
        "forms/submission_detail.html",
        {
            "submission": submission,
            "sections": answer_sections(submission, user=request.user),
            "editable": editable,
            "resume_url": _resume_url(submission) if editable else "",
            **submission_review_context(submission, request.user),
        },
    )


@login_required
def submission_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    submission = _visible_submission(request, pk)
    stored = get_object_or_404(SubmissionFile.objects.filter(submission=submission), pk=file_pk)
    return attachment_response(stored)


def attachment_response(stored: SubmissionFile) -> FileResponse:
    """An uploaded file as a download (portal and API alike); 404 when its bytes are gone."""
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name)
    # Never let a browser render an upload as a page of this site.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- lists -------------------------------------------------------------------------------------


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    officer = user_is_officer(user=user)
    entries = []
    for page in KopdesFormPage.objects.live().order_by("title"):
        fillable = fillable_cooperatives(user=user, form_page=page)
        if fillable or officer:
            entries.append({"page": page, "may_fill": bool(fillable)})
    return render(request, "forms/form_list.html", {"entries": entries, "officer": officer})


class SubmissionFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Reference number"), required=False, max_length=30)
    cooperative = forms.CharField(
        label=gettext_lazy("Cooperative name"), required=False, max_length=100
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *SubmissionStatus.choices],
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("e.g. 2026-11 or 2026"),
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: (data.get(name) or "").strip()
            for name in ("q", "cooperative", "status", "period")
        }

    def apply(self, submissions: QuerySet[Submission]) -> QuerySet[Submission]:
        """`submissions` narrowed by the filters (the list page and its .xlsx alike)."""
        filters = self.filters()
        if filters["q"]:
            submissions = submissions.filter(reference__icontains=filters["q"])
        if filters["cooperative"]:
            submissions = submissions.filter(cooperative__name__icontains=filters["cooperative"])
        if filters["status"]:
            submissions = submissions.filter(status=filters["status"])
        if filters["period"]:
            submissions = submissions.filter(period__startswith=filters["period"])
        return submissions


@login_required
def submission_list(request: HttpRequest, form_pk: int) -> HttpResponse:
    user = request.user
    form_page = get_object_or_404(KopdesFormPage, pk=form_pk)
    submissions = (
        scope_queryset(Submission.objects.filter(form_page_id=form_page.pk), user)
        .exclude(Q(status=SubmissionStatus.DRAFT) & ~Q(author=user))
        .select_related("cooperative", "author")
        .order_by("-updated_at", "-id")
    )
    filter_form = SubmissionFilterForm(request.GET)
    filters = filter_form.filters()
    submissions = filter_form.apply(submissions)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "forms/submission_list.html",
        {
            "form_page": form_page,
            "form": filter_form,
            "page_obj": page,
            "filtered": any(filters.values()),
        },
    )
