"""Fixtures of the books' tests."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """Messages read as written (the msgids), whatever their Indonesian translation says."""
    with translation.override("en"):
        yield
