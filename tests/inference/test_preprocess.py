"""to_mnist against real MNIST test digits rendered as photos/scans of handwriting."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from braintank.data.mnist_frame import BOX, CENTRE, SIZE
from braintank.data.render import render_digit, render_digit_file
from braintank.errors import BraintankError
from braintank.imaging.images import load_image
from braintank.imaging.preprocess import (
    save_preview,
    to_mnist,
    to_mnist_batch,
)


@pytest.fixture(scope="module")
def mnist():
    from braintank.data import load_split

    try:
        images, labels = load_split("mnist", "test", allow_download=False)
    except BraintankError as error:
        pytest.skip(f"MNIST test split not found (set BRAINTANK_DATA): {error}")
    return images, labels


def aligned_correlation(expected: np.ndarray, got: np.ndarray, reach: int = 2) -> float:
    """Best Pearson correlation over whole-pixel shifts up to `reach`: centring by rounding can
    land one pixel away from MNIST's own choice when the centre of mass sits near a half pixel."""
    expected = expected.astype(np.float64).ravel()
    best = -1.0
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            moved = np.roll(got, (dy, dx), axis=(0, 1)).ravel()
            best = max(best, float(np.corrcoef(expected, moved)[0, 1]))
    return best


def _random_render_options(rng: np.random.Generator, invert: bool, seed: int) -> dict:
    return {"invert": invert, "scale": float(rng.uniform(3, 8)),
            "offset": (int(rng.integers(-60, 61)), int(rng.integers(-100, 101))),
            "gradient": float(rng.uniform(0, 0.4)), "noise": float(rng.uniform(0, 0.05)),
            "ink": float(rng.uniform(0.05, 0.4)), "paper": float(rng.uniform(0.75, 0.97)),
            "seed": seed}


def _jpeg(grey: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(np.round(grey * 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer), dtype=np.float32) / 255


def test_mnist_digits_round_trip_nearly_unchanged(mnist):
    images, _ = mnist
    correlations, errors = [], []
    for digit in images[:400]:
        result = to_mnist(digit)
        assert not result.empty and not result.inverted
        correlations.append(aligned_correlation(digit / 255, result.image))
        errors.append(np.abs(result.image - digit / 255).mean())
    assert np.mean(np.array(correlations) > 0.99) >= 0.99
    assert np.median(errors) < 0.01


def test_rendered_photos_reproduce_the_mnist_digit(mnist):
    images, _ = mnist
    rng = np.random.default_rng(7)
    picks = rng.choice(len(images), size=150, replace=False)
    correlations = []
    for seed, index in enumerate(picks):
        invert = seed % 3 != 0  # both polarities: pen on paper and chalk on a board
        grey = render_digit(images[index], **_random_render_options(rng, invert, seed))
        result = to_mnist(grey)
        assert not result.empty
        assert result.inverted == invert
        correlations.append(aligned_correlation(images[index] / 255, result.image))
    correlations = np.array(correlations)
    assert np.mean(correlations > 0.9) >= 0.95
    assert correlations.mean() > 0.95


def test_files_of_every_flavour_reproduce_the_mnist_digit(mnist, tmp_path):
    images, _ = mnist
    flavours = [("png", "grey"), ("jpg", "rgb"), ("bmp", "grey"), ("tif", "grey16"),
                ("png", "rgba"), ("jpg", "grey")]
    rng = np.random.default_rng(11)
    correlations = []
    for seed, index in enumerate(rng.choice(len(images), size=36, replace=False)):
        suffix, colour = flavours[seed % len(flavours)]
        options = _random_render_options(rng, invert=True, seed=seed)
        path = render_digit_file(images[index], tmp_path / f"{seed}.{suffix}", colour=colour,
                                 jpeg_quality=75, **options)
        result = to_mnist(load_image(path))
        assert result.inverted and not result.empty
        correlations.append(aligned_correlation(images[index] / 255, result.image))
    assert np.mean(np.array(correlations) > 0.9) >= 0.9


@pytest.mark.parametrize("invert", [True, False])
def test_tight_crops_without_margin_still_work(mnist, invert):
    """Ink covering nearly half the crop must not be mistaken for the paper."""
    images, _ = mnist
    correlations = []
    for digit in images[:200]:
        rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        crop = digit[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        result = to_mnist(255 - crop if invert else crop)
        if not result.empty:
            assert result.inverted == invert
            correlations.append(aligned_correlation(digit / 255, result.image))
    # A crop with no paper at all (a "1" only 4 px wide) has no background to find.
    assert len(correlations) >= 0.97 * 200
    assert np.mean(np.array(correlations) > 0.95) >= 0.99


def test_output_is_mnist_shaped_boxed_and_centred(mnist):
    images, _ = mnist
    for index in range(30):
        result = to_mnist(render_digit(images[index], scale=6.0, noise=0.03, seed=index))
        image = result.image
        assert image.shape == (SIZE, SIZE) and image.dtype == np.float32
        assert image.min() >= 0.0 and image.max() <= 1.0 and image.max() > 0.9
        rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == BOX
        grid = np.arange(SIZE)
        centre = (image.sum(axis=1) @ grid / image.sum(), image.sum(axis=0) @ grid / image.sum())
        touches_edge = rows[0] == 0 or cols[0] == 0 or rows[-1] == SIZE - 1 or cols[-1] == SIZE - 1
        if not touches_edge:
            assert abs(centre[0] - CENTRE) <= 0.5 and abs(centre[1] - CENTRE) <= 0.5


def test_ink_bbox_finds_the_digit_in_input_pixels(mnist):
    digit = mnist[0][0]
    grey = render_digit(digit, canvas=(300, 400), scale=5.0, offset=(40, -70), noise=0.02)
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    top, left = (300 - 140) // 2 + 40, (400 - 140) // 2 - 70
    expected = (top + 5 * rows[0], left + 5 * cols[0], top + 5 * (rows[-1] + 1),
                left + 5 * (cols[-1] + 1))
    got = to_mnist(grey).ink_bbox
    assert all(abs(a - b) <= 5 for a, b in zip(got, expected, strict=True))


def test_specks_far_from_the_digit_are_ignored(mnist):
    digit = mnist[0][3]
    clean = render_digit(digit, noise=0.02, seed=1)
    dusty = clean.copy()
    for centre in [(20, 20), (280, 380), (30, 370), (270, 60)]:
        cv2.circle(dusty, centre[::-1], 3, 0.1, -1)
    assert to_mnist(dusty).ink_bbox == to_mnist(clean).ink_bbox
    # Only the background fit may shift a little with the specks present.
    assert np.abs(to_mnist(dusty).image - to_mnist(clean).image).max() < 0.02


def test_strong_uneven_lighting_is_removed(mnist):
    images, _ = mnist
    correlations = [aligned_correlation(images[i] / 255, to_mnist(
        render_digit(images[i], gradient=0.6, ink=0.05, paper=0.95, noise=0.02, seed=i)).image)
        for i in range(20)]
    assert np.mean(np.array(correlations) > 0.9) >= 0.95


def _blank(noise: float, seed: int) -> np.ndarray:
    return render_digit(np.zeros((28, 28), dtype=np.uint8), noise=noise, seed=seed)


def _paper_texture(seed: int) -> np.ndarray:
    blotches = np.random.default_rng(seed).normal(0, 1, (300, 400)).astype(np.float32)
    blotches = cv2.GaussianBlur(blotches, (0, 0), 6)
    return np.clip(0.9 + 0.04 * blotches / blotches.std(), 0, 1)


@pytest.mark.parametrize("make", [
    lambda seed: np.ones((300, 400), dtype=np.float32),
    lambda seed: np.zeros((50, 50), dtype=np.float32),
    lambda seed: _blank(0.0, seed),
    lambda seed: _blank(0.02, seed),
    lambda seed: _blank(0.1, seed),
    lambda seed: _jpeg(_blank(0.03, seed), 40),
    _paper_texture,
    lambda seed: _jpeg(np.clip(_paper_texture(seed) + _blank(0.02, seed) - 0.92, 0, 1), 50),
])
def test_paper_without_ink_is_empty(make):
    for seed in range(3):
        result = to_mnist(make(seed))
        assert result.empty and result.image is None and result.ink_bbox is None


@pytest.mark.parametrize("radius", [1, 3, 6])
def test_a_lone_speck_is_empty(radius):
    grey = _blank(0.02, radius)
    cv2.circle(grey, (250, 90), radius, 0.1, -1)
    assert to_mnist(grey).empty


@pytest.mark.parametrize(("canvas", "scale"), [((28, 28), 1.0), ((100, 100), 2.0),
                                               ((300, 400), 5.0)])
def test_a_faint_one_is_not_empty(mnist, canvas, scale):
    images, labels = mnist
    ones = np.flatnonzero(labels == 1)[:15]
    for index in ones:
        grey = render_digit(images[index], canvas=canvas, scale=scale, paper=0.92, ink=0.8,
                            gradient=0.1, noise=0.02, seed=int(index))
        result = to_mnist(grey)
        assert not result.empty
        assert aligned_correlation(images[index] / 255, result.image) > 0.8


def test_batch_stacks_results_with_zeros_for_empty(mnist):
    images, _ = mnist
    items = [images[0], np.ones((40, 40), dtype=np.float32), images[1]]
    batch, results = to_mnist_batch(items)
    assert batch.shape == (3, SIZE, SIZE) and batch.dtype == np.float32
    assert [r.empty for r in results] == [False, True, False]
    assert np.array_equal(batch[0], results[0].image) and not batch[1].any()


def test_bad_arrays_are_refused():
    with pytest.raises(BraintankError, match="NaN"):
        to_mnist(np.full((10, 10), np.nan))
    with pytest.raises(BraintankError, match="shape"):
        to_mnist(np.zeros(10))


def test_save_preview_writes_the_network_input(mnist, tmp_path):
    image = to_mnist(mnist[0][5]).image
    save_preview(image, tmp_path / "seen.png")
    with Image.open(tmp_path / "seen.png") as saved:
        pixels = np.asarray(saved)
    assert pixels.shape == (SIZE, SIZE) and pixels.dtype == np.uint8
    assert np.array_equal(pixels, np.round(image * 255).astype(np.uint8))
    save_preview(image, tmp_path / "big.png", scale=4)
    with Image.open(tmp_path / "big.png") as saved:
        assert saved.size == (4 * SIZE, 4 * SIZE)
    with pytest.raises(BraintankError, match="28x28"):
        save_preview(np.zeros((20, 20)), tmp_path / "bad.png")
