"""The masked phone number staff see on a roster: the middle digits never shown."""

from __future__ import annotations

import pytest

from grassroots.domain.volunteer import mask_phone, normalise_phone


def test_a_mainland_number_keeps_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812341234") == "138****1234"


def test_the_hidden_digits_appear_nowhere_in_the_mask() -> None:
    masked = mask_phone("13956781234")
    assert "5678" not in masked
    assert masked == "139****1234"


@pytest.mark.parametrize("phone", ["1381234123", "138123412345678"])
def test_the_mask_has_four_stars_whatever_the_length(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == f"{phone[:3]}****{phone[-4:]}"
    assert len(masked) == 11


@pytest.mark.parametrize("phone", ["", "1", "1381234"])
def test_a_number_too_short_to_hide_anything_is_hidden_whole(phone: str) -> None:
    assert mask_phone(phone) == "*" * len(phone)


def test_a_normalised_number_masks_the_same_as_its_typed_form() -> None:
    assert mask_phone(normalise_phone("+86 139-0000-5678")) == "139****5678"
