"""Weights a caller can give: refused with a clear error when they cannot make a score."""

import math

import pytest

from mentorapp.matching import ListingWeights, Weights
from mentorapp.matching.weights import PARTS

NO_PARTS = dict.fromkeys(PARTS, 0.0)


def test_all_zero_weights_are_refused_not_divided_by():
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        Weights(**NO_PARTS)
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        ListingWeights(distance=0, specialty=0, offers=0)


def test_a_negative_weight_is_refused():
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        Weights(genre=-0.1)
    with pytest.raises(ValueError, match=r"^weights must be non-negative and not all zero$"):
        ListingWeights(offers=-0.1)


def test_one_part_alone_or_one_part_at_zero_is_fine():
    assert Weights(**{**NO_PARTS, "tools": 0.5}).normalised() == {**NO_PARTS, "tools": 1.0}
    assert Weights(tools=0.0).normalised()["tools"] == 0.0
    assert ListingWeights(distance=0, specialty=0, offers=2).normalised() == {
        "distance": 0.0,
        "specialty": 0.0,
        "offers": 1.0,
    }


@pytest.mark.parametrize("value", [0.0, -5.0])
def test_a_distance_scale_or_experience_gap_of_zero_is_refused(value):
    with pytest.raises(ValueError, match=r"^distance_scale_km must be above zero$"):
        Weights(distance_scale_km=value)
    with pytest.raises(ValueError, match=r"^experience_full_gap_years must be above zero$"):
        Weights(experience_full_gap_years=value)
    with pytest.raises(ValueError, match=r"^distance_scale_km must be above zero$"):
        ListingWeights(distance_scale_km=value)


def test_tiny_scales_are_fine():
    assert Weights(distance_scale_km=0.01, experience_full_gap_years=0.01)
    assert ListingWeights(distance_scale_km=0.01)


def test_a_weight_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match=r"^specialty is not a number$"):
        Weights(specialty=math.nan)
    with pytest.raises(ValueError, match=r"^remote_floor is not a number$"):
        Weights(remote_floor=math.nan)
    with pytest.raises(ValueError, match=r"^distance_scale_km must be above zero$"):
        ListingWeights(distance_scale_km=math.nan)


def test_the_defaults_are_shares_that_add_up_to_one():
    shares = Weights().normalised()
    assert list(shares) == list(PARTS)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert sum(ListingWeights().normalised().values()) == pytest.approx(1.0)
