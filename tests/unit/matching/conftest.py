"""Under `make mutation` (mutmut sets MUTANT_UNDER_TEST), the properties run a twentieth of
their examples (see `examples`), derandomised so that every run kills the same mutants,
and stop at their first failure: any failure kills the mutant, shrinking it would only
cost time. The cheap fixed cases run first, so most mutants die within a second."""

import os

import pytest
from hypothesis import Phase, settings

MUTATION = "MUTANT_UNDER_TEST" in os.environ

if MUTATION:
    settings.register_profile(
        "mutation",
        phases=(Phase.explicit, Phase.generate),
        derandomize=True,
        database=None,
        deadline=None,
    )
    settings.load_profile("mutation")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if MUTATION:
        items.sort(key=lambda item: hasattr(getattr(item, "obj", None), "hypothesis"))
