"""Checks a form's purpose adds to its own fields and rules, registered by the app that knows
what the answers mean (loans checks a loan application against the product's limits; the
forms app knows nothing of loans). A check runs in the step where the last of its fields is
answered, and again when the submission is sent."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Problems = list[tuple[str | None, str]]


@dataclass(frozen=True)
class PurposeCheck:
    # The answers the check reads; it runs only once all of them are on the steps answered.
    fields: frozenset[str]
    # (answers, cooperative) → problems
    check: Callable[[dict[str, Any], Any], Problems]


_CHECKS: dict[str, list[PurposeCheck]] = defaultdict(list)


def register(purpose: str, check: PurposeCheck) -> None:
    if check not in _CHECKS[purpose]:
        _CHECKS[purpose].append(check)


def checks_for(purpose: str) -> list[PurposeCheck]:
    return list(_CHECKS.get(purpose, ()))


def purpose_problems(purpose: str, answers: dict[str, Any], cooperative: Any) -> Problems:
    """(field code or None, message) for every registered check of `purpose` that fails."""
    problems: Problems = []
    for item in checks_for(purpose):
        problems.extend(item.check(answers, cooperative))
    return problems
