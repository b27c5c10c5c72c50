"""The page noise measurement, its smoothing and the trust rule, on synthetic pages."""

from __future__ import annotations

import numpy as np
import pytest

from braintank.sheets.locating import noise

PAGE = (1024, 768)


def _page(paper: float, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    levels = paper + rng.normal(0, sigma, PAGE)
    return np.clip(levels + 0.5, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("sigma", [5, 20, 45, 60])
def test_measures_white_noise(sigma):
    measured = noise.measure(_page(180, sigma))
    assert 0.85 * sigma <= measured.sigma <= 1.1 * sigma
    assert not measured.clean


def test_noise_clipped_at_white_still_counts():
    # A scanner clipping paper at 255 keeps only the dark half of the noise: the half that
    # looks like ink. It must not hide the noise (a symmetric spread would halve it).
    assert noise.measure(_page(255, 45)).sigma >= 0.65 * 45


def test_clean_page_is_left_alone():
    page = _page(230, 0)
    page[200:400, 100:600] = 30  # print: sharp edges are not noise
    measured = noise.measure(page)
    assert measured.clean and measured.blur_px == 0
    assert noise.smooth(page, measured) is page


def test_grain_counts_as_noise():
    rng = np.random.default_rng(1)
    grain = np.kron(rng.normal(0, 30, (PAGE[0] // 3, PAGE[1] // 3)), np.ones((3, 3)))
    page = np.clip(180 + grain + 0.5, 0, 255).astype(np.uint8)
    assert noise.measure(page).sigma >= 20


def test_salt_and_pepper_is_smoothed_away():
    rng = np.random.default_rng(2)
    page = np.full(PAGE, 200, np.uint8)
    spots = rng.random(PAGE)
    page[spots < 0.03] = 0
    page[spots > 0.97] = 255
    measured = noise.measure(page)
    assert not measured.clean
    smoothed = noise.smooth(page, measured)
    assert np.abs(smoothed.astype(int) - 200).max() <= 20


def test_uneven_noise_is_found_where_it_is():
    rng = np.random.default_rng(3)
    ramp = np.linspace(2, 60, PAGE[1])[None, :]
    page = np.clip(180 + rng.normal(0, 1, PAGE) * ramp + 0.5, 0, 255).astype(np.uint8)
    measured = noise.measure(page)
    left = measured.sigma_at(0, 0, 200, PAGE[0])
    right = measured.sigma_at(PAGE[1] - 200, 0, PAGE[1], PAGE[0])
    assert left < 15 and right > 30


def test_trust_rule_page_and_cells():
    # A quiet page with one noisy corner: only that cell is distrusted.
    sigmas, papers = [5.0] * 9 + [60.0], [220.0] * 10
    reasons = noise.distrust(sigmas, papers)
    assert reasons[:9] == [""] * 9 and "too noisy here" in reasons[9]
    # A page noisy all over: every cell, with the page named as the reason.
    reasons = noise.distrust([50.0] * 10, [230.0] * 10)
    assert all(r.startswith("page too noisy") and "50/255" in r for r in reasons)
    # The same noise on dark paper (a dim photo) is relatively worse.
    assert noise.distrust([20.0], [230.0]) == [""]
    assert noise.distrust([22.0], [100.0]) != [""]
    # Noise that needs heavy smoothing is distrusted even on bright paper.
    assert noise.distrust([35.0], [255.0]) != [""]
