"""Forms: filling a 30-field, 3-step KopdesFormPage against Wagtail's own FormPage carrying the
same 30 fields, in the same run.

Budget (acceptance): per request, ours costs at most 1.5x the anchor's server time, and our
query count does not grow with the number of fields (forms of 15, 30 and 60 fields).

Both sides are served in-process through Django's test client to the same signed-in operator,
in the same page shell (`base.html`), from the same SQLite file. Ours shows one step (10 fields)
per page and saves each step into a draft; Wagtail's shows all 30 fields on one page and stores
one FormSubmission per POST. Wagtail has no Rupiah, month, NIK, phone, member or village field:
those are its number, single-line and drop-down fields, with the same choices.
"""

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from wagtail.contrib.forms.models import FormSubmission

from benchmarks.anchor.models import AnchorFormField, AnchorFormPage
from benchmarks.harness import (
    BenchmarkError,
    Check,
    Comparison,
    Report,
    compare,
    queries_of,
    timed,
)
from cooperatives.enums import CooperativeStatus, MemberStatus, RegionLevel, Role
from cooperatives.models import Cooperative, Member, Region
from cooperatives.services import regions_load, role_grant_create
from forms.enums import PeriodRule
from forms.filling import StepForm
from forms.models import KopdesFormPage, Submission
from forms.services import schema_for_revision, submission_save_step, submission_start
from tests.factories import CooperativeFactory, MemberFactory, UserFactory
from tests.forms.builders import field, publish_form, step
from website.models import HomePage

BUDGET = 1.5
FIELDS = 30
SIZES = (15, 30, 60)
MEMBERS = 50
HOME_VILLAGE = "64.02.16.2002"  # Bukit Raya, Tenggarong Seberang: 18 villages in its district

BUSINESSES = [
    ("sembako", "Gerai sembako"),
    ("apotek", "Apotek desa"),
    ("klinik", "Klinik desa"),
    ("gudang", "Pergudangan"),
    ("simpan_pinjam", "Simpan pinjam"),
]
PLACES = [("milik", "Milik sendiri"), ("sewa", "Sewa"), ("pinjam", "Pinjam pakai")]
YES_NO_LABELS = ["Ya", "Tidak"]


@dataclass(frozen=True)
class Kind:
    """A kind of question: our block and the nearest Wagtail field type."""

    name: str
    block: str
    wagtail: str
    label: str


# The steps of the 30-field form. The 15-field form asks the first five of each step and the
# 60-field form each step twice: the same kinds in the same proportions at every size (a member
# and a village field among the first five), so a query per field shows as a growing count.
STEPS: tuple[tuple[str, tuple[Kind, ...]], ...] = (
    (
        "Identitas kegiatan",
        (
            Kind("short_text", "short_text", "singleline", "Nama kegiatan"),
            Kind("member", "member", "dropdown", "Anggota penanggung jawab"),
            Kind("date", "date", "date", "Tanggal kegiatan"),
            Kind("dropdown", "single_choice", "dropdown", "Jenis usaha"),
            Kind("email", "email", "email", "E-mail bendahara"),
            Kind("phone", "phone", "singleline", "Nomor telepon ketua"),
            Kind("nik", "nik", "singleline", "NIK ketua"),
            Kind("yes_no", "yes_no", "radio", "Sudah punya kios"),
            Kind("long_text", "long_text", "multiline", "Catatan kegiatan"),
            Kind("integer", "integer", "number", "Jumlah anggota hadir"),
        ),
    ),
    (
        "Tempat usaha",
        (
            Kind("village", "village", "dropdown", "Desa lokasi usaha"),
            Kind("radio", "single_choice", "radio", "Status tempat usaha"),
            Kind("decimal", "decimal", "number", "Luas lahan (ha)"),
            Kind("integer", "integer", "number", "Jumlah kios"),
            Kind("multiple_choice", "multiple_choice", "checkboxes", "Unit usaha di lokasi"),
            Kind("short_text", "short_text", "singleline", "Alamat tempat usaha"),
            Kind("yes_no", "yes_no", "radio", "Sudah ada listrik"),
            Kind("date", "date", "date", "Tanggal mulai memakai"),
            Kind("long_text", "long_text", "multiline", "Keterangan tempat"),
            Kind("email", "email", "email", "E-mail pengelola tempat"),
        ),
    ),
    (
        "Keuangan",
        (
            Kind("month", "month", "singleline", "Periode laporan"),
            Kind("rupiah", "rupiah", "number", "Simpanan pokok"),
            Kind("percentage", "percentage", "number", "Bagian SHU untuk anggota"),
            Kind("member", "member", "dropdown", "Bendahara"),
            Kind("rupiah", "rupiah", "number", "Simpanan wajib"),
            Kind("yes_no", "yes_no", "radio", "Sudah ada laporan keuangan"),
            Kind("integer", "integer", "number", "Jumlah anggota pembayar"),
            Kind("decimal", "decimal", "number", "Rasio likuiditas"),
            Kind("dropdown", "single_choice", "dropdown", "Usaha terbesar"),
            Kind("long_text", "long_text", "multiline", "Catatan keuangan"),
        ),
    ),
)


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: Kind
    step: int


def questions(size: int) -> list[Question]:
    """The `size` questions of the form, step by step, each with a unique code and label."""
    per_step = size // len(STEPS)
    result: list[Question] = []
    for step_index, (_title, kinds) in enumerate(STEPS):
        for position in range(per_step):
            kind = kinds[position % len(kinds)]
            copy = position // len(kinds)
            label = kind.label if copy == 0 else f"{kind.label} ({copy + 1})"
            code = f"{kind.name}_{len(result) + 1}"
            result.append(Question(code, label, kind, step_index))
    return result


@dataclass(frozen=True)
class World:
    cooperative: Cooperative
    operator: AbstractBaseUser
    members: list[Member]
    villages: list[Region]

    def member_label(self, member: Member) -> str:
        return f"{member.name} ({member.nik})"

    def village_label(self, village: Region) -> str:
        return f"{village} ({village.code})"


def build_world() -> World:
    """One active cooperative, its operator and 50 members, over the real region tree."""
    regions_load()
    home = Region.objects.get(code=HOME_VILLAGE)
    cooperative = CooperativeFactory(
        name="Koperasi Desa Merah Putih Bukit Raya",
        home_village=home,
        status=CooperativeStatus.ACTIVE,
    )
    operator = UserFactory(username="operator")
    role_grant_create(user=operator, role=Role.OPERATOR, cooperative=cooperative)
    for number in range(1, MEMBERS + 1):
        MemberFactory(cooperative=cooperative, name=f"Anggota {number:02d}")
    members = list(
        Member.objects.filter(cooperative=cooperative, status=MemberStatus.ACTIVE).order_by("name")
    )
    villages = list(
        Region.objects.filter(level=RegionLevel.VILLAGE, district_code=home.district_code).order_by(
            "name"
        )
    )
    return World(cooperative, operator, members, villages)


# --- the same questions on both sides ------------------------------------------------------------


def _choice_blocks(choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "label": label, "label_en": ""} for code, label in choices]


def our_block(question: Question) -> dict[str, Any]:
    options: dict[str, Any] = {
        "dropdown": {"choices": _choice_blocks(BUSINESSES), "widget": "dropdown"},
        "radio": {"choices": _choice_blocks(PLACES), "widget": "radio"},
        "multiple_choice": {"choices": _choice_blocks(BUSINESSES)},
    }.get(question.kind.name, {})
    return field(question.kind.block, question.code, question.label, **options)


def anchor_field(question: Question, world: World, sort_order: int) -> AnchorFormField:
    choices = {
        "dropdown": [label for _code, label in BUSINESSES],
        "multiple_choice": [label for _code, label in BUSINESSES],
        "radio": [label for _code, label in PLACES],
        "yes_no": YES_NO_LABELS,
        "member": [world.member_label(m) for m in world.members],
        "village": [world.village_label(v) for v in world.villages],
    }.get(question.kind.name, [])
    return AnchorFormField(
        sort_order=sort_order,
        clean_name=question.code,
        label=question.label,
        field_type=question.kind.wagtail,
        required=True,
        choices="\n".join(choices),
    )


def our_answer(question: Question, world: World) -> str | list[str]:
    """What an operator types into our field (Indonesian number formats)."""
    return {
        "short_text": "Kios sembako di balai desa",
        "integer": "12",
        "date": "2025-08-17",
        "dropdown": "sembako",
        "email": "bendahara@kopdes.example",
        "yes_no": "yes",
        "long_text": "Rapat anggota menyetujui pembukaan kios sembako di balai desa.",
        "rupiah": "1.500.000",
        "multiple_choice": ["sembako", "apotek"],
        "member": str(world.members[0].pk),
        "phone": "081234567890",
        "decimal": "2,5",
        "month": "2025-11",
        "radio": "sewa",
        "nik": world.members[1].nik,
        "percentage": "12,5",
        "village": world.villages[0].code,
    }[question.kind.name]


def anchor_answer(question: Question, world: World) -> str | list[str]:
    """The same answer in Wagtail's field (its choices are their labels)."""
    return {
        "rupiah": "1500000",
        "decimal": "2.5",
        "percentage": "12.5",
        "dropdown": BUSINESSES[0][1],
        "multiple_choice": [BUSINESSES[0][1], BUSINESSES[1][1]],
        "yes_no": YES_NO_LABELS[0],
        "radio": PLACES[1][1],
        "member": world.member_label(world.members[0]),
        "village": world.village_label(world.villages[0]),
    }.get(question.kind.name) or our_answer(question, world)


_serial = itertools.count(1)  # a second form of the same size needs another slug


# --- our form ------------------------------------------------------------------------------------


class OurForm:
    """A published KopdesFormPage of `size` questions in three steps, and a draft of it."""

    def __init__(self, *, world: World, client: Client, size: int) -> None:
        self.world, self.client = world, client
        asked = questions(size)
        blocks: list[dict[str, Any]] = []
        for step_index, (title, _kinds) in enumerate(STEPS):
            blocks.append(step(title))
            blocks.extend(our_block(q) for q in asked if q.step == step_index)
        self.page: KopdesFormPage = publish_form(
            f"Uji kinerja {size} pertanyaan",
            blocks,
            slug=f"uji-kinerja-{size}-{next(_serial)}",
            audience=[Role.OPERATOR],
            period_rule=PeriodRule.UNLIMITED,
        )
        self.posted = [
            {q.code: our_answer(q, world) for q in asked if q.step == step_index}
            for step_index in range(len(STEPS))
        ]
        self.typed = self._typed_answers()
        self.draft = self.complete_draft()
        self.version = self.draft.version

    def _typed_answers(self) -> list[dict[str, Any]]:
        """Each step's answers as its step form cleans them, for drafts made without HTTP."""
        if self.page.live_revision_id is None:
            raise BenchmarkError("the benchmark form was not published")
        schema = schema_for_revision(self.page.live_revision_id)
        typed = []
        for step_index, posted in enumerate(self.posted):
            data = MultiValueDict(
                {
                    code: value if isinstance(value, list) else [value]
                    for code, value in posted.items()
                }
            )
            form = StepForm(
                data,
                schema=schema,
                step=schema.steps[step_index],
                cooperative=self.world.cooperative,
                answers={},
            )
            if not form.is_valid():
                raise BenchmarkError(f"step {step_index + 1} does not validate: {form.errors}")
            typed.append(form.step_answers())
        return typed

    def complete_draft(self) -> Submission:
        """A new draft with every step answered, through the services (untimed setup)."""
        draft = submission_start(
            form_page=self.page,
            cooperative=self.world.cooperative,
            author=self.world.operator,
            idempotency_key=uuid.uuid4().hex,
        )
        for step_index, answers in enumerate(self.typed):
            draft = submission_save_step(
                submission=draft, by=self.world.operator, step=step_index, answers=answers
            )
        return draft

    def step_url(self, step_index: int) -> str:
        return reverse("submission_step", kwargs={"pk": self.draft.pk, "step": step_index})

    def get_step(self, step_index: int) -> HttpResponse:
        return self.client.get(self.step_url(step_index))

    def post_step(self, step_index: int) -> HttpResponse:
        data = {**self.posted[step_index], "version": str(self.version), "action": "next"}
        response = self.client.post(self.step_url(step_index), data)
        if response.status_code == 302:
            self.version += 1  # what the next page would carry after this save
        return response

    def get_review(self) -> HttpResponse:
        return self.client.get(reverse("submission_review", kwargs={"pk": self.draft.pk}))

    def post_submit(self, draft: Submission) -> HttpResponse:
        url = reverse("submission_review", kwargs={"pk": draft.pk})
        response = self.client.post(url, {"version": str(draft.version)})
        # The "sent" message waits in a cookie for the next page; unread, a long run would pile
        # hundreds of them into the cookie and then the session, and time that instead.
        self.client.cookies.pop("messages", None)
        return response


# --- Wagtail's form page -------------------------------------------------------------------------


class AnchorForm:
    """Wagtail's FormPage with the same questions, published under the home page."""

    def __init__(self, *, world: World, client: Client, size: int) -> None:
        self.client = client
        asked = questions(size)
        page = AnchorFormPage(
            title=f"Wagtail FormPage {size} pertanyaan",
            slug=f"wagtail-formpage-{size}-{next(_serial)}",
            form_fields=[anchor_field(q, world, order) for order, q in enumerate(asked)],
        )
        HomePage.objects.get().add_child(instance=page)
        page.save_revision().publish()
        self.url = page.url
        self.posted = {q.code: anchor_answer(q, world) for q in asked}

    def get(self) -> HttpResponse:
        return self.client.get(self.url)

    def post(self) -> HttpResponse:
        return self.client.post(self.url, self.posted)

    def check_post_is_stored(self) -> None:
        """Wagtail answers an invalid POST with 200 too: make sure ours is a real submission."""
        before = FormSubmission.objects.count()
        self.post()
        if FormSubmission.objects.count() != before + 1:
            raise BenchmarkError(f"Wagtail's form refused the benchmark's answers at {self.url}")


def _signed_in(world: World) -> Client:
    client = Client()
    client.force_login(world.operator)
    return client


# --- the benchmark ---------------------------------------------------------------------------------


def _timings(world: World, *, iterations: int, warmup: int) -> list[Comparison]:
    # Two clients, two sessions: a message left for one side is never rendered by the other.
    ours = OurForm(world=world, client=_signed_in(world), size=FIELDS)
    anchor = AnchorForm(world=world, client=_signed_in(world), size=FIELDS)
    anchor.check_post_is_stored()
    shown = itertools.cycle(range(len(STEPS)))
    saved = itertools.cycle(range(len(STEPS)))

    def get_step() -> float:
        return timed(partial(ours.get_step, next(shown)), expect=200)

    def post_step() -> float:
        return timed(partial(ours.post_step, next(saved)), expect=302)

    def get_review() -> float:
        return timed(ours.get_review, expect=200)

    def post_submit() -> float:
        draft = ours.complete_draft()
        return timed(partial(ours.post_submit, draft), expect=302)

    def anchor_get() -> float:
        return timed(anchor.get, expect=200)

    def anchor_post() -> float:
        return timed(anchor.post, expect=200)

    per_step = FIELDS // len(STEPS)
    runs: list[tuple[str, Callable[[], float], Callable[[], float]]] = [
        (f"render: GET a step ({per_step} fields) | GET FormPage", get_step, anchor_get),
        (f"save: POST a step ({per_step} fields) | POST FormPage", post_step, anchor_post),
        (f"review: GET review ({FIELDS} answers) | GET FormPage", get_review, anchor_get),
        ("submit: POST submit | POST FormPage", post_submit, anchor_post),
    ]
    return [
        compare(path, mine, theirs, iterations=iterations, warmup=warmup, budget=BUDGET)
        for path, mine, theirs in runs
    ]


def _query_counts(world: World) -> tuple[list[str], list[list[str]], list[Check]]:
    """Queries per request of ours (steps 1/2/3 where there are steps) and of the anchor's, by
    form size."""
    ours_counts: dict[str, dict[int, tuple[int, ...]]] = {
        "GET step": {},
        "POST step": {},
        "GET review": {},
        "POST submit": {},
    }
    anchor_counts: dict[str, dict[int, tuple[int, ...]]] = {"GET": {}, "POST": {}}
    steps = range(len(STEPS))
    for size in SIZES:
        ours = OurForm(world=world, client=_signed_in(world), size=size)
        anchor = AnchorForm(world=world, client=_signed_in(world), size=size)
        anchor.check_post_is_stored()
        for step_index in steps:
            # A version's schema is compiled by its first request, once per process: not counted.
            timed(partial(ours.get_step, step_index), expect=200)
        ours_counts["GET step"][size] = tuple(
            queries_of(partial(ours.get_step, i), expect=200) for i in steps
        )
        ours_counts["POST step"][size] = tuple(
            queries_of(partial(ours.post_step, i), expect=302) for i in steps
        )
        ours_counts["GET review"][size] = (queries_of(ours.get_review, expect=200),)
        draft = ours.complete_draft()
        ours_counts["POST submit"][size] = (
            queries_of(partial(ours.post_submit, draft), expect=302),
        )
        anchor_counts["GET"][size] = (queries_of(anchor.get, expect=200),)
        anchor_counts["POST"][size] = (queries_of(anchor.post, expect=200),)

    def cell(counts: tuple[int, ...]) -> str:
        return "/".join(str(count) for count in counts)

    header = ["queries per request", *(f"{size} fields" for size in SIZES), "result"]
    rows: list[list[str]] = []
    checks: list[Check] = []
    for side, table in (("ours", ours_counts), ("anchor", anchor_counts)):
        for name, by_size in table.items():
            constant = len(set(by_size.values())) == 1
            rows.append(
                [
                    f"{side} {name}",
                    *(cell(by_size[s]) for s in SIZES),
                    "same" if constant else "GROWS",
                ]
            )
            if side == "ours":
                checks.append(
                    Check(
                        f"queries of our {name} do not grow with the number of fields",
                        constant,
                        ", ".join(f"{size} fields: {cell(by_size[size])}" for size in SIZES),
                    )
                )
    return header, rows, checks


def run(*, iterations: int, warmup: int) -> Report:
    world = build_world()
    report = Report(
        f"forms: a {FIELDS}-field, {len(STEPS)}-step form vs Wagtail's FormPage with the same "
        f"{FIELDS} fields (server ms per request, median of {iterations}, interleaved)"
    )
    report.comparisons = _timings(world, iterations=iterations, warmup=warmup)
    header, rows, checks = _query_counts(world)
    report.tables.append((header, rows))
    report.checks.extend(checks)
    by_name = {c.path.split(":")[0]: c for c in report.comparisons}
    steps = len(STEPS)
    whole_ours = steps * (by_name["render"].ours.median + by_name["save"].ours.median) + (
        by_name["review"].ours.median + by_name["submit"].ours.median
    )
    whole_anchor = by_name["render"].anchor.median + by_name["save"].anchor.median
    report.notes.append(
        f"For information, no budget: one whole filling is {2 * steps + 2} requests of ours "
        f"(each step shown and saved, then review and submit), {whole_ours:.1f} ms, against 2 of "
        f"Wagtail's, {whole_anchor:.1f} ms. Our query counts are per step 1/2/3."
    )
    return report
