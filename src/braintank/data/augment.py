"""Augmentation of whole batches with torch ops, on whatever device the batch lives on.

- `random_affine`: rotation, translation, scale and shear, one random matrix per image.
- `elastic_distortion`: Simard, Steinkraus & Platt (2003): a random displacement field per
  image, smoothed by a Gaussian of width sigma and scaled by alpha (pixels).
- `augment_batch`: the training loop's entry; besides the warps above it applies `aspect`
  (width against height, strong slant) and the pen, scanner and style families of
  `writer_augment.py`, named in one string such as "affine+thickness" or "writers".
Random numbers come from a seeded `torch.Generator` and are drawn on its device: a CPU one
gives the same numbers on any device, a CUDA one keeps the draws on the GPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from braintank.data.augment_names import GEOMETRIC, parse_augment
from braintank.data.writer_augment import INK_FAMILIES, generator_device, style_strokes


@dataclass(frozen=True)
class AffineParams:
    degrees: float = 10.0
    translate: float = 0.1  # fraction of the image size
    scale: tuple[float, float] = (0.9, 1.1)
    shear: float = 10.0  # degrees


def _uniform(n: int, lo: float, hi: float, generator: torch.Generator | None) -> torch.Tensor:
    return torch.rand(n, generator=generator, device=generator_device(generator)) \
        * (hi - lo) + lo


def _resample(x: torch.Tensor, grid: torch.Tensor, fill: float) -> torch.Tensor:
    # grid_sample pads with zeros; shifting by `fill` makes the padding the background value.
    return F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros",
                         align_corners=False) + fill


def affine_matrices(n: int, params: AffineParams,
                    generator: torch.Generator | None = None) -> torch.Tensor:
    """[n, 2, 3] matrices mapping output to input coordinates in [-1, 1] space."""
    angle = torch.deg2rad(_uniform(n, -params.degrees, params.degrees, generator))
    shear = torch.deg2rad(_uniform(n, -params.shear, params.shear, generator))
    scale = _uniform(n, *params.scale, generator)
    tx = _uniform(n, -params.translate, params.translate, generator) * 2
    ty = _uniform(n, -params.translate, params.translate, generator) * 2
    cos, sin, tan = torch.cos(angle), torch.sin(angle), torch.tan(shear)
    # rotation @ shear (x-shear), then scaled; inverse scale since the grid maps out -> in.
    a = torch.stack([cos, cos * tan - sin, tx], dim=1) / scale[:, None]
    b = torch.stack([sin, sin * tan + cos, ty], dim=1) / scale[:, None]
    a[:, 2] *= scale
    b[:, 2] *= scale
    return torch.stack([a, b], dim=1)


def identity_grid(n: int, h: int, w: int, like: torch.Tensor) -> torch.Tensor:
    """[n, h, w, 2] sampling grid that reproduces the image (pixel centres, align_corners=False)."""
    ys, xs = torch.meshgrid(
        torch.linspace(-1 + 1 / h, 1 - 1 / h, h, device=like.device, dtype=like.dtype),
        torch.linspace(-1 + 1 / w, 1 - 1 / w, w, device=like.device, dtype=like.dtype),
        indexing="ij",
    )
    return torch.stack([xs, ys], dim=-1).expand(n, h, w, 2)


def affine_grid(x: torch.Tensor, params: AffineParams,
                generator: torch.Generator | None) -> torch.Tensor:
    theta = affine_matrices(len(x), params, generator).to(x.device, x.dtype)
    return F.affine_grid(theta, list(x.shape), align_corners=False)


def elastic_offsets(x: torch.Tensor, alpha: float, sigma: float,
                    generator: torch.Generator | None) -> torch.Tensor:
    """[n, h, w, 2] displacements in grid units: smoothed uniform noise times alpha pixels."""
    n, _, h, w = x.shape
    noise = torch.rand(n, 2, h, w, generator=generator, device=generator_device(generator)) \
        * 2 - 1
    pixels = smooth(noise.to(x.device, x.dtype), sigma) * alpha
    return torch.stack([pixels[:, 0] * (2 / w), pixels[:, 1] * (2 / h)], dim=-1)


def random_affine(x: torch.Tensor, params: AffineParams = AffineParams(),
                  generator: torch.Generator | None = None, fill: float = 0.0) -> torch.Tensor:
    """Each image of x [N, C, H, W] under its own random affine transform."""
    return _resample(x, affine_grid(x, params, generator), fill)


def gaussian_kernel1d(sigma: float) -> torch.Tensor:
    radius = max(1, int(math.ceil(3 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-0.5 * (t / sigma) ** 2)
    return kernel / kernel.sum()


def smooth(field: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of [N, C, H, W] with zero padding."""
    k = gaussian_kernel1d(sigma).to(field.device, field.dtype)
    c = field.shape[1]
    pad = len(k) // 2
    field = F.conv2d(field, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), padding=(0, pad), groups=c)
    return F.conv2d(field, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), padding=(pad, 0), groups=c)


def elastic_distortion(x: torch.Tensor, alpha: float = 34.0, sigma: float = 4.0,
                       generator: torch.Generator | None = None, fill: float = 0.0) -> torch.Tensor:
    """Simard et al.'s elastic distortion of x [N, C, H, W]; alpha and sigma in pixels."""
    n, _, h, w = x.shape
    grid = identity_grid(n, h, w, x) + elastic_offsets(x, alpha, sigma, generator)
    return _resample(x, grid, fill)


# The chance that an augmented image gets each ink family, and a 1 or 7 a style stroke: with
# six families an image gets about two, so most still look like ordinary handwriting.
INK_FAMILY_PROB = 1 / 3
STYLE_PROB = 0.5
# Aspect: a digit's width against its height (NIST's normalisation widened narrow digits:
# its 1s are bars) and a stronger slant than ordinary rotation gives.
ASPECT = AffineParams(degrees=0.0, translate=0.0, scale=(1.0, 1.0), shear=25.0)
ASPECT_RANGE = (0.7, 1.6)


def _geometry(part: torch.Tensor, families: tuple[str, ...],
              generator: torch.Generator | None) -> torch.Tensor | None:
    """One sampling grid for every geometric family asked for (None: no geometry)."""
    if not set(families) & set(GEOMETRIC):
        return None
    n, _, h, w = part.shape
    grid = affine_grid(part, AffineParams(), generator) if "affine" in families \
        else identity_grid(n, h, w, part)
    if "aspect" in families:
        theta = affine_matrices(n, ASPECT, generator).to(part.device, part.dtype)
        stretch = torch.exp(_uniform(n, *(math.log(v) for v in ASPECT_RANGE), generator))
        theta[:, 0] /= stretch.to(part.device, part.dtype)[:, None]
        grid = _compose(grid, theta)
    if "elastic" in families:
        grid = grid + elastic_offsets(part, 34.0, 4.0, generator)
    return grid


def _compose(grid: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """The grid that applies `theta` (output -> input, [n, 2, 3]) before sampling at `grid`."""
    return grid @ theta[:, :, :2].transpose(1, 2).unsqueeze(1) + theta[:, None, None, :, 2]


def _some(n: int, prob: float, generator: torch.Generator | None) -> torch.Tensor:
    drawn = torch.rand(n, generator=generator, device=generator_device(generator))
    return (drawn < prob).nonzero().squeeze(1)


def _ink_families(ink: torch.Tensor, labels: torch.Tensor | None, families: tuple[str, ...],
                  generator: torch.Generator | None, before_geometry: bool) -> torch.Tensor:
    """Apply the ink families (pen ones before the geometric warp, scanner ones after)."""
    pen = ("styles", "thickness", "boxfill")
    for name in families:
        if name in GEOMETRIC or (name in pen) != before_geometry:
            continue
        if name == "styles":
            if labels is None:
                raise ValueError("the styles augmentation needs the batch's labels")
            idx = _some(len(ink), STYLE_PROB, generator).to(ink.device)
            ink[idx] = style_strokes(ink[idx], labels[idx], generator)
        else:
            idx = _some(len(ink), INK_FAMILY_PROB, generator).to(ink.device)
            if len(idx):
                ink[idx] = INK_FAMILIES[name](ink[idx], generator)
    return ink


def augment_batch(x: torch.Tensor, kind: str, generator: torch.Generator | None,
                  fill: float, prob: float = 1.0, labels: torch.Tensor | None = None,
                  ink: float | None = None) -> torch.Tensor:
    """Apply the augmentation `kind` (see `parse_augment`) to a random share `prob` of x.

    `fill` is the value of blank paper in x and `ink` that of full ink (x may be normalised);
    the ink families work in [0, 1] between them. `labels` are needed by `styles`.
    Geometric families share one sampling grid, so an image is interpolated once: every
    bilinear resampling blurs strokes a little, and a network trained only on blurred digits
    reads sharp ones worse. Leaving some images untouched (prob < 1) keeps clean digits in
    every batch for the same reason.
    """
    families = parse_augment(kind)
    if not families or prob <= 0:
        return x
    chosen = torch.rand(len(x), generator=generator, device=generator_device(generator)) < prob
    if not chosen.any():
        return x
    idx = chosen.nonzero().squeeze(1).to(x.device)
    part = x[idx]
    part_labels = labels[idx] if labels is not None else None
    touches_ink = set(families) - set(GEOMETRIC)
    if touches_ink:
        if ink is None:
            raise ValueError("ink families need the value of full ink (`ink`)")
        part = _ink_families((part - fill) / (ink - fill), part_labels, families, generator,
                             before_geometry=True)
    grid = _geometry(part, families, generator)
    if grid is not None:
        part = _resample(part, grid, 0.0 if touches_ink else fill)
    if touches_ink:
        part = _ink_families(part, part_labels, families, generator, before_geometry=False)
        part = part * (ink - fill) + fill
    out = x.clone()
    out[idx] = part
    return out
