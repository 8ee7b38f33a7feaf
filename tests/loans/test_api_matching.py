"""Repayments matched from the imported books through /api/v1/ (loans/api_matching.py): the
proposals and the rows that cannot be matched, and the confirmation that records the picks all
or nothing — on loans.matching, with the portal page's checks: 404 outside the scope, 403 for
whoever sees the cooperative but does not handle its loans, and nothing written when refused.

The books and the people are those of tests/loans/test_matching.py: a real Buku Kas Umum .xlsx
imported into Bukit Raya, where Siti Aminah and Budi Santoso have one loan each, two Rina Watis
one each, Agus Salim two and Joko Susilo none.
"""

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from finance.models import CashBookEntry
from loans.matching import Candidate
from loans.models import Repayment
from tests.loans import test_matching
from tests.loans.test_matching import INSTALMENT, D, Scene, cash_book, imported, today

pytestmark = pytest.mark.django_db

# The people, loans and imported cash book of tests/loans/test_matching.py.
scene = test_matching.scene
cash = test_matching.cash

PRINCIPAL = 6_000_000


@pytest.fixture(autouse=True)
def _language_restored():
    """The portal's LanguageMiddleware activates the request's language for the thread and
    leaves it so; put the default back for the tests after these."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def client_for(user: Any = None) -> APIClient:
    """A client signed in as `user`, reading English (the language cookie)."""
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_authenticate(user)
    return client


def url(cooperative: Any, **query: Any) -> str:
    address = reverse("api-loan-matches", args=[cooperative.pk])
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def body(*picks: tuple[Candidate, Any, int]) -> dict[str, Any]:
    """The confirmation's body: (row, loan, amount) per pick."""
    return {
        "picks": [
            {"source": row.source.value, "row_id": row.row_id, "loan_id": loan.pk, "amount": amount}
            for row, loan, amount in picks
        ]
    }


def confirm(user: Any, scene: Scene, data: Any) -> Any:
    return client_for(user).post(url(scene.world.coop_a), data, format="json")


# --- The proposals ------------------------------------------------------------------------------


def test_proposals_and_rows_that_cannot_be_matched_are_listed_with_their_reasons(scene, cash):
    run, found = cash
    response = client_for(scene.world.alice).get(url(scene.world.coop_a))

    assert response.status_code == 200
    listed = response.json()
    proposals = {row["key"]: row for row in listed["proposals"]}
    cannot = {row["key"]: row for row in listed["cannot_match"]}
    voucher = {candidate.key: number for number, candidate in found.items()}
    assert sorted(voucher[key] for key in proposals) == ["BKM-101", "BKM-102", "BKM-103", "BKM-104"]
    assert sorted(voucher[key] for key in cannot) == ["BKM-106", "BKM-107", "BKM-108", "BKM-109"]
    siti = found["BKM-101"]
    entry = CashBookEntry.objects.get(voucher_no="BKM-101")
    assert proposals[siti.key] == {
        "source": "cashbook",
        "row_id": entry.pk,
        "key": f"cashbook-{entry.pk}",
        "file_name": "cashbook.xlsx",
        "excel_row": 6,
        "import_run": run.pk,
        "date": str(today() - D(days=30)),
        "amount": INSTALMENT,
        "text": "Angsuran pinjaman Siti Aminah · 1103",
        "verdict": "matched",
        "reason": (
            "Reads as a loan payment (“angsuran”) and names Siti Aminah, who has one active loan."
        ),
        "warning": "",
        "choices": [
            {
                "loan": scene.loans["siti"].pk,
                "borrower": "Siti Aminah",
                "owed": 12 * INSTALMENT,
                "principal_left": PRINCIPAL,
            }
        ],
    }
    rina = proposals[found["BKM-103"].key]
    assert rina["verdict"] == "choose" and "fits 2 members" in rina["reason"]
    assert {c["loan"] for c in rina["choices"]} == {
        scene.loans["rina0"].pk,
        scene.loans["rina1"].pk,
    }
    assert {c["borrower"] for c in rina["choices"]} == {"Rina Wati"}
    joko = cannot[found["BKM-109"].key]
    assert (joko["verdict"], joko["reason"], joko["choices"]) == (
        "cannot",
        "Joko Susilo has no active loan.",
        [],
    )
    assert "in the future" in cannot[found["BKM-108"].key]["reason"]


def test_the_list_may_be_limited_to_one_of_the_cooperatives_imports(scene, cash):
    run, _found = cash
    world = scene.world
    second = imported(
        world.coop_a,
        "cashbook",
        cash_book([[today() - D(days=2), "BKM-301", "Angsuran Budi Santoso", "", 590000, ""]]),
        world.alice,
        "februari.xlsx",
    )
    other = imported(
        world.coop_c,
        "cashbook",
        cash_book([[today() - D(days=3), "BKM-1", "Angsuran Siti Aminah", "", 590000, ""]]),
        world.carol,
    )
    client = client_for(world.alice)

    listed = client.get(url(world.coop_a, **{"import": second.pk})).json()
    assert [row["file_name"] for row in listed["proposals"]] == ["februari.xlsx"]
    assert listed["cannot_match"] == []
    first = client.get(url(world.coop_a, **{"import": run.pk})).json()
    assert {row["import_run"] for row in first["proposals"] + first["cannot_match"]} == {run.pk}
    assert client.get(url(world.coop_a, **{"import": other.pk})).status_code == 404
    assert client.get(url(world.coop_a, **{"import": "x"})).status_code == 400


# --- Confirming ---------------------------------------------------------------------------------


def test_confirming_records_the_picks_with_the_row_they_came_from(scene, cash):
    run, found = cash
    world = scene.world
    siti, rina = found["BKM-101"], found["BKM-103"]

    response = confirm(
        world.alice,
        scene,
        body((siti, scene.loans["siti"], INSTALMENT), (rina, scene.loans["rina1"], 400_000)),
    )

    assert response.status_code == 201, response.json()
    recorded = response.json()["recorded"]
    by_row = {row["key"]: row for row in recorded}
    siti_entry = CashBookEntry.objects.get(voucher_no="BKM-101")
    first = Repayment.objects.get(cash_book_entry=siti_entry)
    assert by_row[siti.key] == {
        "id": first.pk,
        "loan": scene.loans["siti"].pk,
        "paid_on": str(siti_entry.date),
        "amount": INSTALMENT,
        "penalty": 0,
        "fee": 0,
        "interest": 90_000,
        "principal": 500_000,
        "note": first.note,
        "source": "cashbook",
        "row_id": siti_entry.pk,
        "key": siti.key,
        "import_run": run.pk,
        "excel_row": 6,
    }
    assert "cashbook.xlsx, row 6" in first.note
    assert (first.import_run, first.import_row, first.recorded_by) == (run, 6, world.alice)
    second = by_row[rina.key]
    assert (second["loan"], second["amount"], second["interest"], second["principal"]) == (
        scene.loans["rina1"].pk,
        400_000,
        90_000,
        310_000,
    )
    assert not scene.loans["rina0"].repayments.exists()
    # Recorded rows are no longer proposed.
    left = {
        row["key"] for row in client_for(world.alice).get(url(world.coop_a)).json()["proposals"]
    }
    assert siti.key not in left and rina.key not in left and found["BKM-102"].key in left


def test_an_overpaying_pick_records_nothing_and_says_why_for_its_row(scene, cash):
    world = scene.world
    _run, found = cash
    payoff_run = imported(
        world.coop_a,
        "cashbook",
        cash_book([[today() - D(days=1), "BKM-201", "Pelunasan Budi Santoso", "", 8_000_000, ""]]),
        world.alice,
        "lunas.xlsx",
    )
    listed = client_for(world.alice).get(url(world.coop_a, **{"import": payoff_run.pk})).json()
    (payoff,) = listed["proposals"]
    assert "more than the Rp 7.080.000 still owed" in payoff["warning"]
    budi_loan = scene.loans["budi"]

    response = confirm(
        world.alice,
        scene,
        {
            "picks": [
                body((found["BKM-101"], scene.loans["siti"], INSTALMENT))["picks"][0],
                {
                    "source": payoff["source"],
                    "row_id": payoff["row_id"],
                    "loan_id": budi_loan.pk,
                    "amount": payoff["amount"],
                },
            ]
        },
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [payoff["key"]]
    assert "Rp 7.080.000" in errors[payoff["key"]][0]
    assert not Repayment.objects.exists()
    # More than the row says is refused too, by row.
    response = confirm(
        world.alice,
        scene,
        body(
            (found["BKM-101"], scene.loans["siti"], INSTALMENT + 1),
            (found["BKM-102"], scene.loans["siti"], 300_000),
        ),
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            found["BKM-101"].key: ["At most Rp 590.000: the amount in the book."],
            found["BKM-102"].key: ["Choose one of the loans proposed for this row."],
        }
    }
    assert not Repayment.objects.exists()


def test_the_same_row_confirmed_twice_is_recorded_once(scene, cash):
    _run, found = cash
    siti = found["BKM-101"]
    data = body((siti, scene.loans["siti"], INSTALMENT))

    assert confirm(scene.world.alice, scene, data).status_code == 201
    again = confirm(scene.world.bob, scene, data)

    assert again.status_code == 400
    assert again.json() == {"errors": {siti.key: ["This row was already recorded as a payment."]}}
    assert Repayment.objects.count() == 1
    # Twice in one body: refused, nothing recorded.
    budi = found["BKM-102"]
    twice = confirm(scene.world.alice, scene, body(*[(budi, scene.loans["budi"], 300_000)] * 2))
    assert twice.status_code == 400
    assert twice.json() == {"errors": {budi.key: ["This row was chosen twice."]}}
    assert Repayment.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"picks": ["This field is required."]}),
        ({"picks": []}, {"picks": {"non_field_errors": ["This list may not be empty."]}}),
        (
            {"picks": [{"source": "kas", "row_id": 1, "loan_id": 1, "amount": 0}]},
            {
                "picks": {
                    "0": {
                        "source": ["One of: cashbook, ledger."],
                        "amount": ["Ensure this value is greater than or equal to 1."],
                    }
                }
            },
        ),
        (
            {"picks": [{"source": "cashbook", "row_id": "x", "loan_id": 1}]},
            {
                "picks": {
                    "0": {
                        "row_id": ["A valid integer is required."],
                        "amount": ["This field is required."],
                    }
                }
            },
        ),
    ],
)
def test_a_body_that_is_not_valid_is_400_by_field_and_records_nothing(scene, cash, data, errors):
    response = confirm(scene.world.alice, scene, data)

    assert response.status_code == 400
    assert response.json() == errors
    assert not Repayment.objects.exists()


# --- Who may ------------------------------------------------------------------------------------


def test_a_cooperative_outside_the_scope_is_404_for_reading_and_confirming(scene, cash):
    _run, found = cash
    world = scene.world
    data = body((found["BKM-101"], scene.loans["siti"], INSTALMENT))
    for user in (world.carol, world.ivan):  # another cooperative's operator; nobody's
        client = client_for(user)
        assert client.get(url(world.coop_a)).status_code == 404, user
        assert client.post(url(world.coop_a), data, format="json").status_code == 404, user
    # Alice's own loans, asked for through another cooperative: not there.
    siti_c = scene.loans["siti_c"]
    assert client_for(world.alice).get(url(world.coop_c)).status_code == 404
    assert confirm(world.carol, scene, data).status_code == 404
    assert not Repayment.objects.exists()
    assert not siti_c.repayments.exists()


def test_who_sees_the_cooperative_but_does_not_handle_its_loans_gets_403(scene, cash):
    _run, found = cash
    world = scene.world
    data = body((found["BKM-101"], scene.loans["siti"], INSTALMENT))
    client = client_for(world.dave)  # district officer: sees Bukit Raya, records nothing

    assert client.get(url(world.coop_a)).status_code == 403
    refused = client.post(url(world.coop_a), data, format="json")

    assert refused.status_code == 403
    assert "record payouts and payments" in refused.json()["detail"]
    assert not Repayment.objects.exists()
    assert client_for().get(url(world.coop_a)).status_code == 401
    # The loan officer handles them.
    assert client_for(world.henry).get(url(world.coop_a)).status_code == 200
