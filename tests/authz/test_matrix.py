"""Every URL pattern the project serves × every role × own/other scope answers as the matrix says.

The matrix (tests/authz/matrix.yaml, with one more file per capability in tests/authz/matrix.d/)
is the reviewed statement of who may reach what. A new URL
pattern fails this test until someone writes down who may use it. To see what the code answers
now (for review, never to copy blindly): KOPDES_AUTHZ_RECORD=/tmp/observed.yaml pytest tests/authz
"""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from finance import chart
from finance.models import Account
from finance.services import Line, account_create_sub, journal_post
from forms.services import submission_save_step, submission_start, submission_submit
from imports.services import import_run_check, import_run_create
from loans.models import Loan, LoanProduct
from loans.services import loan_payout_confirm, loan_payout_record, repayment_record
from tests.authz.urlwalk import Route, build_url, resolves_to, walk
from tests.factories import MemberFactory, UserFactory
from tests.forms.builders import field, publish_form
from tests.imports.books import SITI, member_book
from tests.workflows.builders import approval_step, workflow
from website.models import HomePage

MATRIX_PATH = Path(__file__).with_name("matrix.yaml")
# More patterns, one file per capability: same columns and keys as matrix.yaml.
MATRIX_PARTS = Path(__file__).with_name("matrix.d")
ROLE_USERS = {
    "anonymous": None,
    "no_role": "ivan",
    "operator": "alice",
    "pengawas": "bob",
    "loan_officer": "henry",
    "district_officer": "dave",
    "regency_officer": "erin",
    "province_officer": "frank",
    "form_admin": "grace",
    "superuser": "root",
}
LOGIN_PATHS = ("/masuk/", "/admin/login/")


def load_matrix() -> dict[str, Any]:
    with MATRIX_PATH.open(encoding="utf-8") as handle:
        matrix = yaml.safe_load(handle)
    assert matrix["roles"] == list(ROLE_USERS), "matrix columns must be the roles, in order"
    for part_path in sorted(MATRIX_PARTS.glob("*.yaml")):
        with part_path.open(encoding="utf-8") as handle:
            part = yaml.safe_load(handle) or {}
        for key in ("patterns", "prefixes", "kwargs"):
            clash = set(part.get(key) or {}) & set(matrix.get(key) or {})
            assert not clash or key == "kwargs", f"{part_path.name} repeats {key}: {clash}"
            matrix.setdefault(key, {}).update(part.get(key) or {})
    return matrix


def rule_for(matrix: dict[str, Any], pattern: str) -> dict[str, Any] | None:
    if pattern in matrix["patterns"]:
        return matrix["patterns"][pattern]
    prefixes = [p for p in matrix.get("prefixes", {}) if pattern.startswith(p)]
    if prefixes:
        return matrix["prefixes"][max(prefixes, key=len)]
    return None


def outcome(response) -> str:
    """The status as the matrix writes it: a number, or `login` for a redirect to sign in."""
    if response.status_code == 302 and response.headers["Location"].split("?")[0].endswith(
        LOGIN_PATHS
    ):
        return "login"
    return str(response.status_code)


def matches(expected: str, actual: str) -> bool:
    if expected == "ok":  # the admin's own pages: anything but a refusal or a crash
        return actual not in {"login", "401", "403"} and not actual.startswith("5")
    return expected == actual


def sent_submission(form, cooperative, author):
    draft = submission_start(
        form_page=form, cooperative=cooperative, author=author, idempotency_key=f"m-{author.pk}"
    )
    upload = SimpleUploadedFile("notulen.pdf", b"%PDF-1.4 notulen", "application/pdf")
    submission_save_step(
        submission=draft, by=author, step=0, answers={"judul": "Rapat"}, files={"notulen": upload}
    )
    return submission_submit(submission=draft, by=author)


def checked_import(cooperative, uploader):
    run = import_run_create(
        cooperative=cooperative,
        kind="members",
        data=member_book([SITI]),
        file_name="anggota.xlsx",
        uploaded_by=uploader,
        queue=False,
    )
    return import_run_check(run_id=run.pk)


def paying_loan(cooperative, member, recorder, checker):
    """An active loan with one payment on it (the loans API routes take both)."""
    LoanProduct.objects.get_or_create(
        code="mikro",
        defaults={
            "name": "Pinjaman Mikro",
            "min_amount": 500_000,
            "max_amount": 20_000_000,
            "min_tenor_months": 3,
            "max_tenor_months": 24,
            "rate_percent": 1,
        },
    )
    loan = Loan.objects.create(
        cooperative=cooperative,
        member=member,
        product_code="mikro",
        principal=6_000_000,
        tenor_months=12,
        approved_at=timezone.now(),
    )
    loan_payout_record(loan=loan, by=recorder, disbursed_on=timezone.localdate())
    loan = loan_payout_confirm(loan=loan, by=checker)
    payment = repayment_record(loan=loan, by=recorder, amount=100_000, paid_on=timezone.localdate())
    return loan, payment


def posted_entry(cooperative, by):
    """A hand-written journal entry and a sub-account of the cooperative's own."""
    bank = Account.objects.get(code=chart.BANK, cooperative=None)
    account = account_create_sub(cooperative=cooperative, parent=bank, name="Bank BRI", by=by)
    entry = journal_post(
        cooperative=cooperative,
        date=timezone.localdate(),
        description="Setor kas ke bank",
        lines=[Line(account.code, debit=1_000_000), Line(chart.CASH, credit=1_000_000)],
        by=by,
    )
    return entry, account


@pytest.fixture
def scene(world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    own_member = MemberFactory(cooperative=world.coop_a)
    other_member = MemberFactory(cooperative=world.coop_c)
    users = {**world.users, "root": root}
    home_page = str(HomePage.objects.get().pk)
    flow = workflow("Verifikasi", approval_step("Verifikasi pengawas"))
    form = publish_form(
        "Notulen Rapat",
        [field("short_text", "judul", "Judul"), field("file", "notulen", "Notulen")],
        audience=["operator"],
        approval_workflow=flow,
    )
    own_sent = sent_submission(form, world.coop_a, world.alice)
    other_sent = sent_submission(form, world.coop_c, world.carol)
    own_import = checked_import(world.coop_a, world.alice)
    other_import = checked_import(world.coop_c, world.carol)
    own_loan, own_payment = paying_loan(world.coop_a, own_member, world.henry, world.bob)
    other_loan, other_payment = paying_loan(world.coop_c, other_member, world.henry, world.bob)
    own_entry, own_account = posted_entry(world.coop_a, world.alice)
    other_entry, other_account = posted_entry(world.coop_c, world.carol)
    # A financial year that has ended (the SHU pages refuse years outside 2000..this year).
    last_year = str(timezone.localdate().year - 1)
    objects = {
        "own": {
            "coop": str(world.coop_a.pk),
            "member": str(own_member.pk),
            "region": "64.02.16",
            "page": home_page,
            "submission": str(own_sent.pk),
            "file": str(own_sent.files.get().pk),
            "form": str(form.pk),
            "revision": str(form.live_revision_id),
            "task": str(own_sent.approval_task_states.get().pk),
            "import": str(own_import.pk),
            "import_kind": "members",
            "loan": str(own_loan.pk),
            "repayment": str(own_payment.pk),
            "entry": str(own_entry.pk),
            "account": str(own_account.pk),
            "year": last_year,
        },
        "other": {
            "coop": str(world.coop_c.pk),
            "member": str(other_member.pk),
            "region": "64.03.01",
            "page": "987654321",  # no such page
            "submission": str(other_sent.pk),
            "file": str(other_sent.files.get().pk),
            "form": str(form.pk),
            "revision": "987654321",  # no such version
            "task": str(other_sent.approval_task_states.get().pk),
            "import": str(other_import.pk),
            "import_kind": "savings",
            "loan": str(other_loan.pk),
            "repayment": str(other_payment.pk),
            "entry": str(other_entry.pk),
            "account": str(other_account.pk),
            "year": last_year,
        },
    }
    return users, objects


def kwarg_values(
    matrix: dict[str, Any],
    rule: dict[str, Any],
    route: Route,
    scope: str,
    objects: dict[str, dict[str, str]],
) -> dict[str, str]:
    names = {**matrix["kwargs"], **rule.get("kwargs", {})}
    return {
        name: objects[scope][names[name]]
        for name in route.kwarg_names
        if name in names and scope in objects
    }


def test_every_url_pattern_is_in_the_matrix_and_answers_as_written(scene, settings):
    settings.AXES_ENABLED = False  # the walk makes many requests; lockout has its own tests
    users, objects = scene
    matrix = load_matrix()
    clients: dict[str, Client] = {}
    sessions: dict[str, str] = {}
    for role, username in ROLE_USERS.items():
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(users[username])
            sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        clients[role] = client

    record = os.environ.get("KOPDES_AUTHZ_RECORD")
    observed: dict[str, Any] = {}
    missing, unresolvable, wrong = [], [], []
    routes = walk()
    for route in routes:
        rule = rule_for(matrix, route.pattern)
        if rule is None and not record:
            missing.append(route.pattern)
            continue
        rule = rule or {}
        scoped = any(
            name in {**matrix["kwargs"], **rule.get("kwargs", {})} for name in route.kwarg_names
        )
        scopes = ["own", "other"] if scoped else ["any"]
        methods = rule.get("methods") or [m for m in ("GET", "POST") if m in rule] or ["GET"]
        for method in methods:
            for scope in scopes:
                url = build_url(route, kwarg_values(matrix, rule, route, scope, objects))
                if not resolves_to(url, route):
                    unresolvable.append(f"{route.pattern} -> {url}")
                    continue
                cells = rule.get(method) or {}
                # A prefix rule's `any` row covers its patterns whatever their arguments.
                expected_row = cells.get(scope) or cells.get("any", "")
                expected = expected_row.split()
                actual = []
                for index, role in enumerate(ROLE_USERS):
                    client = clients[role]
                    # Wagtail's admin logout deletes the session cookie even when it refuses a
                    # GET with 405; put it back so that the walk goes on as the same user.
                    if role in sessions:
                        client.cookies[django_settings.SESSION_COOKIE_NAME] = sessions[role]
                    response = client.get(url) if method == "GET" else client.post(url, {})
                    actual.append(outcome(response))
                    if expected and not matches(expected[index], actual[-1]):
                        wrong.append(
                            f"{method} {url} ({route.pattern}) as {role} [{scope}]: "
                            f"expected {expected[index]}, got {actual[-1]}"
                        )
                observed.setdefault(route.pattern, {}).setdefault(method, {})[scope] = " ".join(
                    actual
                )
                if not expected and not record:
                    missing.append(f"{route.pattern} {method} {scope}")
    if record:
        with open(record, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"patterns": observed}, handle, allow_unicode=True, width=200)
    assert not missing, "URL patterns missing from tests/authz/matrix.yaml:\n" + "\n".join(missing)
    assert not unresolvable, "No concrete URL for:\n" + "\n".join(unresolvable)
    assert not wrong, f"{len(wrong)} answers differ from the matrix:\n" + "\n".join(wrong)
    assert len(routes) > 50
