import pytest
from django.core.exceptions import PermissionDenied

from forms.enums import PeriodRule, SubmissionStatus
from forms.models import Submission
from forms.services import (
    StaleSubmissionError,
    SubmissionError,
    schema_for_revision,
    submission_problems,
    submission_save_step,
    submission_start,
    submission_submit,
    typed_answers,
)
from tests.forms.builders import field, publish_form, republish

V1 = [
    field("short_text", "nama", "Nama kegiatan"),
    field("rupiah", "biaya", "Biaya"),
    field("long_text", "catatan", "Catatan", required=True),
]


@pytest.fixture
def form(world):
    return publish_form(
        "Laporan Kegiatan", V1, audience=["operator"], period_rule=PeriodRule.MONTHLY
    )


def start(form, world, key="k1", author=None):
    return submission_start(
        form_page=form, cooperative=world.coop_a, author=author or world.alice, idempotency_key=key
    )


def test_start_is_idempotent_per_key(form, world):
    first = start(form, world)
    again = start(form, world)
    assert first.pk == again.pk
    assert Submission.objects.count() == 1
    assert start(form, world, key="k2").pk != first.pk


def test_only_the_audience_in_scope_may_start(form, world):
    with pytest.raises(PermissionDenied):
        start(form, world, author=world.carol)  # operator of another cooperative
    with pytest.raises(PermissionDenied):
        start(form, world, author=world.bob)  # pengawas is not in the audience


def test_a_stale_save_is_refused_and_the_first_is_kept(form, world):
    draft = start(form, world)
    submission_save_step(
        submission=draft, by=world.alice, step=0, answers={"nama": "Pertama"}, expected_version=1
    )
    with pytest.raises(StaleSubmissionError):
        submission_save_step(
            submission=draft, by=world.alice, step=0, answers={"nama": "Kedua"}, expected_version=1
        )
    draft.refresh_from_db()
    assert draft.data["nama"] == "Pertama"


def test_submit_checks_required_answers_then_numbers_the_submission(form, world):
    draft = start(form, world)
    submission_save_step(
        submission=draft, by=world.alice, step=0, answers={"nama": "Posyandu", "biaya": 250000}
    )
    with pytest.raises(SubmissionError) as error:
        submission_submit(submission=draft, by=world.alice)
    assert "Catatan" in str(error.value)
    submission_save_step(submission=draft, by=world.alice, step=0, answers={"catatan": "Lancar"})
    sent = submission_submit(submission=draft, by=world.alice)
    assert sent.status == SubmissionStatus.SUBMITTED
    assert sent.reference.startswith("KOP-") and sent.reference.endswith("-000001")
    with pytest.raises(SubmissionError):
        submission_save_step(submission=sent, by=world.alice, step=0, answers={"nama": "x"})


def test_one_per_cooperative_per_month(form, world):
    for key in ("a", "b"):
        draft = start(form, world, key=key)
        submission_save_step(
            submission=draft,
            by=world.alice,
            step=0,
            answers={"nama": "x", "biaya": 1, "catatan": "y"},
        )
    submission_submit(submission=Submission.objects.get(idempotency_key="a"), by=world.alice)
    with pytest.raises(SubmissionError) as error:
        submission_submit(submission=Submission.objects.get(idempotency_key="b"), by=world.alice)
    assert error.value.code == "period_taken"


def test_only_the_author_may_edit(form, world):
    draft = start(form, world)
    with pytest.raises(PermissionDenied):
        submission_save_step(submission=draft, by=world.bob, step=0, answers={"nama": "x"})


def test_drafts_and_submissions_keep_their_form_version(world):
    """The admin renames a field, removes a required one and adds a new required one while a
    draft and a sent submission exist on the old version: both stay whole."""
    form = publish_form(
        "Kegiatan Bebas", V1, audience=["operator"], period_rule=PeriodRule.UNLIMITED
    )
    sent = start(form, world, key="sent")
    submission_save_step(
        submission=sent,
        by=world.alice,
        step=0,
        answers={"nama": "Posyandu", "biaya": 250000, "catatan": "ok"},
    )
    sent = submission_submit(submission=sent, by=world.alice)
    draft = start(form, world, key="draft")
    submission_save_step(
        submission=draft, by=world.alice, step=0, answers={"nama": "Gotong royong"}
    )

    republish(
        form,
        [
            field("short_text", "nama", "Judul kegiatan (baru)"),
            field("rupiah", "biaya", "Biaya"),
            field("short_text", "penanggung_jawab", "Penanggung jawab"),
        ],
    )
    form.refresh_from_db()
    assert form.live_revision_id != sent.revision_id

    old = schema_for_revision(sent.revision_id)
    assert old.by_code["nama"].label == "Nama kegiatan"
    assert "catatan" in old.by_code and "penanggung_jawab" not in old.by_code
    sent.refresh_from_db()
    assert typed_answers(sent) == {"nama": "Posyandu", "biaya": 250000, "catatan": "ok"}

    # The draft is still checked against its own version: "catatan" is required, the new field
    # is not asked for.
    draft.refresh_from_db()
    assert [code for code, _msg in submission_problems(draft)] == ["biaya", "catatan"]
    submission_save_step(
        submission=draft, by=world.alice, step=0, answers={"biaya": 5, "catatan": "x"}
    )
    assert submission_submit(submission=draft, by=world.alice).status == SubmissionStatus.SUBMITTED

    # A new draft takes the new version.
    fresh = start(form, world, key="fresh")
    assert fresh.revision_id == form.live_revision_id
    assert [code for code, _msg in submission_problems(fresh)] == [
        "nama",
        "biaya",
        "penanggung_jawab",
    ]


def test_rules_wait_until_the_required_answers_are_in(world):
    form = publish_form(
        "Pinjaman Kecil",
        [field("rupiah", "jumlah", "Jumlah"), field("rupiah", "penghasilan", "Penghasilan")],
        rules=[{"expression": "jumlah <= penghasilan * 3", "message": "Jumlah terlalu besar."}],
        audience=["operator"],
    )
    draft = start(form, world)
    assert [code for code, _m in submission_problems(draft)] == ["jumlah", "penghasilan"]
    submission_save_step(
        submission=draft,
        by=world.alice,
        step=0,
        answers={"jumlah": 4_000_000, "penghasilan": 1_000_000},
    )
    draft.refresh_from_db()
    assert submission_problems(draft) == [(None, "Jumlah terlalu besar.")]
