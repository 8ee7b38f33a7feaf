import pytest

from tests.workflows.builders import loan_form, loan_workflow


@pytest.fixture
def flow(world):
    return loan_workflow(world)[0]


@pytest.fixture
def form(flow):
    return loan_form(flow)
