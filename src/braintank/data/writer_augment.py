"""What differs between writers, pens and scanners, imitated on whole batches with torch ops.

MNIST's 500 writers used similar pens, and NIST's scanner and normalisation made every digit
alike in ways other people's digits are not. Each family below imitates one such difference;
all work on ink images in [0, 1] (ink 1), shaped [N, 1, H, W], on any device, drawing their
random numbers from a seeded `torch.Generator` so a seed reproduces a run. Draws are made on
the generator's device (a CUDA generator keeps them on the GPU; a CPU one gives the same
numbers whatever device the images are on).

- `stroke_width`: thinner or thicker pens (grey-level erosion/dilation: min/max pooling).
- `box_fill`: digitizers that size-normalise each digit to fill its box in both directions
  (the optdigits bitmaps, USPS, Semeion): narrow digits turn wide and their strokes thick,
  a 1 becomes a bar as wide as it is tall.
- `low_resolution`: digits scanned small — shrunk to 12-18 px, optionally thresholded to
  black and white (NIST's binarisation), and scaled back up.
- `blur`: out-of-focus photos and soft pencils; the core ink is brought back to full strength,
  as `to_mnist` does with any scan.
- `broken_strokes`: gaps where the pen skipped or a thin scanner line dropped ink.
- `faint_strokes`: ink that fades along the stroke (a dry pen, light pressure).
- `ink_blobs`: blots where the pen rested on the paper.
- `style_strokes`: writing conventions MNIST's American writers rarely used, added to
  digits of the right class: a 1 with a long upstroke and/or a base, a crossed 7.

Aspect-ratio and slant changes belong with the other geometric warps (`augment.py`), so an
image is resampled once.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def generator_device(generator: torch.Generator | None) -> torch.device:
    """Where `generator` draws its numbers (torch's default generator: the CPU)."""
    return generator.device if generator is not None else torch.device("cpu")


def _uniform(n: int, lo: float, hi: float, generator: torch.Generator | None,
             like: torch.Tensor) -> torch.Tensor:
    values = torch.rand(n, generator=generator, device=generator_device(generator)) \
        * (hi - lo) + lo
    return values.to(like.device, like.dtype)


def _per_image(values: torch.Tensor) -> torch.Tensor:
    return values.view(-1, 1, 1, 1)


def _shift_max(x: torch.Tensor, size: int, dim: int) -> torch.Tensor:
    """Running maximum over `size` neighbours along `dim` (zero beyond the border)."""
    pad = size // 2
    padding = [0, 0, 0, 0]
    padding[(3 - dim) * 2:(3 - dim) * 2 + 2] = [pad, size - 1 - pad]
    padded = F.pad(x, padding)
    length = x.shape[dim]
    out = padded.narrow(dim, 0, length)
    for offset in range(1, size):
        out = torch.maximum(out, padded.narrow(dim, offset, length))
    return out


def dilate(x: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Grey-level dilation by a size x size square (a separable running max): strokes grow."""
    return _shift_max(_shift_max(x, size, 3), size, 2)


def erode(x: torch.Tensor, size: int = 2) -> torch.Tensor:
    """Grey-level erosion (running min): strokes shrink."""
    return -dilate(-x, size)


def stroke_width(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Each image drawn with a thinner pen, the same pen, a thicker or a much thicker one."""
    choice = torch.randint(0, 4, (len(x),), generator=generator,
                           device=generator_device(generator)).to(x.device)
    out = x.clone()
    pens = {0: lambda v: torch.maximum(erode(v, 2), 0.35 * v),  # a thin pen still inks faintly
            2: lambda v: dilate(v, 2), 3: lambda v: dilate(v, 3)}
    for option, pen in pens.items():
        idx = (choice == option).nonzero().squeeze(1)
        if len(idx):
            out[idx] = pen(x[idx])
    return out


def box_fill(x: torch.Tensor, generator: torch.Generator | None,
             way: tuple[float, float] = (0.5, 1.0), most: float = 8.0) -> torch.Tensor:
    """Stretch each image's ink box towards a square about its centre, a random part of the
    way (in log scale; at most `most` times, so a one-pixel stroke does not fill the frame),
    then sharpen the edges the stretch smeared, as the digitizer's binarisation leaves them."""
    n, _, h, w = x.shape
    # outer edges of the strong ink, in [-1, 1] grid units (align_corners=False); an image
    # without ink spans the frame
    (top, bottom), (left, right) = _ink_rows(x), _ink_rows(x.transpose(2, 3))
    x0, x1 = 2 * left.to(x.dtype) / w - 1, 2 * (right + 1).to(x.dtype) / w - 1
    y0, y1 = 2 * top.to(x.dtype) / h - 1, 2 * (bottom + 1).to(x.dtype) / h - 1
    width, height = (x1 - x0).clamp_min(2 / w), (y1 - y0).clamp_min(2 / h)
    longer = torch.maximum(width, height)
    part = _uniform(n, *way, generator, x)
    sx = (longer / width).clamp(max=most) ** part
    sy = (longer / height).clamp(max=most) ** part
    cx, cy, zero = (x0 + x1) / 2, (y0 + y1) / 2, torch.zeros_like(sx)
    theta = torch.stack([torch.stack([1 / sx, zero, cx * (1 - 1 / sx)], dim=1),
                         torch.stack([zero, 1 / sy, cy * (1 - 1 / sy)], dim=1)], dim=1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    sharpen = _per_image(torch.maximum(sx, sy))
    return ((out - 0.5) * sharpen + 0.5).clamp(0, 1)


def low_resolution(x: torch.Tensor, generator: torch.Generator | None,
                   sizes: tuple[int, int] = (12, 18)) -> torch.Tensor:
    """Shrink each image to a random size in `sizes`, threshold half of them, scale back up."""
    n, _, h, w = x.shape
    out = torch.empty_like(x)
    on = generator_device(generator)
    side = torch.randint(sizes[0], sizes[1] + 1, (n,), generator=generator, device=on)
    binary = torch.rand(n, generator=generator, device=on) < 0.5
    for size in side.unique().tolist():  # one resize per size, not per image
        idx = (side == size).nonzero().squeeze(1)
        small = F.interpolate(x[idx.to(x.device)], size=(size, size), mode="area")
        keep = binary[idx].to(x.device).view(-1, 1, 1, 1)
        small = torch.where(keep, (small > 0.5).to(x.dtype), small)
        out[idx.to(x.device)] = F.interpolate(small, size=(h, w), mode="bilinear",
                                              align_corners=False)
    return out.clamp(0, 1)


def _gaussian_blur(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Blur each image with its own sigma (a per-image separable kernel via grouped conv)."""
    n, c, h, w = x.shape
    radius = 3
    t = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (t[None, :] / sigma[:, None]) ** 2)
    kernel = kernel / kernel.sum(dim=1, keepdim=True)  # [n, 2r+1]
    flat = x.reshape(1, n * c, h, w)
    k = kernel.repeat_interleave(c, dim=0)
    flat = F.conv2d(F.pad(flat, (radius, radius, 0, 0)), k.view(n * c, 1, 1, -1), groups=n * c)
    flat = F.conv2d(F.pad(flat, (0, 0, radius, radius)), k.view(n * c, 1, -1, 1), groups=n * c)
    return flat.view(n, c, h, w)


def restore_level(x: torch.Tensor) -> torch.Tensor:
    """Scale each image so its strongest ink is 1 again, as `to_mnist` normalises a scan."""
    peak = x.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-3)
    return (x / peak).clamp(0, 1)


def blur(x: torch.Tensor, generator: torch.Generator | None,
         sigma: tuple[float, float] = (0.4, 1.0)) -> torch.Tensor:
    """A Gaussian blur of random width per image, ink level restored."""
    return restore_level(_gaussian_blur(x, _uniform(len(x), *sigma, generator, x)))


def _random_lines(n: int, h: int, w: int, generator: torch.Generator | None,
                  like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Signed distance (pixels) of every pixel to one random line per image, and its width."""
    angle = _uniform(n, 0.0, math.pi, generator, like)
    cx = _uniform(n, 0.3 * w, 0.7 * w, generator, like)
    cy = _uniform(n, 0.3 * h, 0.7 * h, generator, like)
    width = _uniform(n, 0.8, 1.8, generator, like)
    ys = torch.arange(h, device=like.device, dtype=like.dtype).view(1, h, 1) + 0.5
    xs = torch.arange(w, device=like.device, dtype=like.dtype).view(1, 1, w) + 0.5
    dist = (xs - cx.view(-1, 1, 1)) * torch.sin(angle).view(-1, 1, 1) \
        - (ys - cy.view(-1, 1, 1)) * torch.cos(angle).view(-1, 1, 1)
    return dist.unsqueeze(1), width


def broken_strokes(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """One or two thin gaps cut across each image's strokes."""
    n, _, h, w = x.shape
    out = x
    for _ in range(2):
        dist, width = _random_lines(n, h, w, generator, x)
        gap = (dist.abs() - _per_image(width) / 2).clamp(0, 1)  # 0 on the line, 1 away
        drawn = torch.rand(n, generator=generator, device=generator_device(generator))
        use = _per_image((drawn < 0.7).to(x.device, x.dtype))
        out = out * (1 - use + use * gap)
    return out


def faint_strokes(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Ink fading linearly across the image, down to 30-70 % at the faint end."""
    n, _, h, w = x.shape
    dist, _ = _random_lines(n, h, w, generator, x)
    low = _per_image(_uniform(n, 0.3, 0.7, generator, x))
    ramp = (dist / (0.5 * max(h, w))).clamp(-1, 1) * 0.5 + 0.5  # 0..1 across the image
    return restore_level(x * (low + (1 - low) * ramp))


def _ink_points(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """One random pixel on each image's strokes, [n, 2] as (x, y) pixel centres."""
    n, _, h, w = x.shape
    weights = (x.reshape(n, h * w) > 0.5).float().to(generator_device(generator)) + 1e-6
    index = torch.multinomial(weights, 1, generator=generator).squeeze(1)
    points = torch.stack([index % w, index // w], dim=1).to(x.dtype) + 0.5
    return points.to(x.device)


def _discs(centres: torch.Tensor, radius: torch.Tensor, h: int, w: int,
           like: torch.Tensor) -> torch.Tensor:
    """Anti-aliased filled discs, one per image: [n, 1, h, w] in [0, 1]."""
    ys = torch.arange(h, device=like.device, dtype=like.dtype).view(1, h, 1) + 0.5
    xs = torch.arange(w, device=like.device, dtype=like.dtype).view(1, 1, w) + 0.5
    d = torch.sqrt((xs - centres[:, 0].view(-1, 1, 1)) ** 2
                   + (ys - centres[:, 1].view(-1, 1, 1)) ** 2)
    return (radius.view(-1, 1, 1) + 0.5 - d).clamp(0, 1).unsqueeze(1)


def ink_blobs(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """A blot of 1.2-2.5 px radius on a random point of each image's strokes."""
    n, _, h, w = x.shape
    blob = _discs(_ink_points(x, generator), _uniform(n, 1.2, 2.5, generator, x), h, w, x)
    return torch.maximum(x, blob)


def segments(p0: torch.Tensor, p1: torch.Tensor, width: torch.Tensor, h: int, w: int,
             like: torch.Tensor) -> torch.Tensor:
    """Anti-aliased pen strokes from p0 to p1 ([n, 2], (x, y) pixels), [n, 1, h, w]."""
    ys = torch.arange(h, device=like.device, dtype=like.dtype).view(1, h, 1) + 0.5
    xs = torch.arange(w, device=like.device, dtype=like.dtype).view(1, 1, w) + 0.5
    ax, ay = p0[:, 0].view(-1, 1, 1), p0[:, 1].view(-1, 1, 1)
    dx, dy = (p1[:, 0] - p0[:, 0]).view(-1, 1, 1), (p1[:, 1] - p0[:, 1]).view(-1, 1, 1)
    t = (((xs - ax) * dx + (ys - ay) * dy) / (dx * dx + dy * dy).clamp_min(1e-6)).clamp(0, 1)
    d = torch.sqrt((xs - ax - t * dx) ** 2 + (ys - ay - t * dy) ** 2)
    return (width.view(-1, 1, 1) / 2 + 0.5 - d).clamp(0, 1).unsqueeze(1)


def _row_anchor(x: torch.Tensor, row: torch.Tensor) -> torch.Tensor:
    """(x, y) pixel centre of the ink in `row` of each image (ink-weighted column mean)."""
    n, _, h, w = x.shape
    line = x[torch.arange(n, device=x.device), 0, row.clamp(0, h - 1)]  # [n, w]
    cols = torch.arange(w, device=x.device, dtype=x.dtype) + 0.5
    cx = (line * cols).sum(1) / line.sum(1).clamp_min(1e-6)
    return torch.stack([cx, row.to(x.dtype) + 0.5], dim=1)


def _ink_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """First and last row holding strong ink, per image (0 and the last row when none)."""
    rows = (x[:, 0] > 0.5).any(dim=2)  # [n, h]
    h = rows.shape[1]
    top = rows.float().argmax(dim=1)
    bottom = h - 1 - rows.flip(1).float().argmax(dim=1)
    return top, bottom


def _one_styles(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """A long upstroke from the top of the stem and/or a base under it."""
    n, _, h, w = x.shape
    top, bottom = _ink_rows(x)
    head, foot = _row_anchor(x, top), _row_anchor(x, bottom)
    height = (bottom - top + 1).to(x.dtype)
    angle = _uniform(n, math.radians(30), math.radians(65), generator, x)  # below horizontal
    length = height * _uniform(n, 0.2, 0.45, generator, x)
    tip = head + torch.stack([-torch.cos(angle), torch.sin(angle)], dim=1) * length[:, None]
    pen = _uniform(n, 1.5, 2.5, generator, x)
    half = height * _uniform(n, 0.15, 0.3, generator, x)
    base = segments(foot - torch.stack([half, torch.zeros_like(half)], 1),
                    foot + torch.stack([half, torch.zeros_like(half)], 1), pen, h, w, x)
    kind = torch.randint(0, 3, (n,), generator=generator,  # flag, base, both
                         device=generator_device(generator)).to(x.device)
    flag_on = _per_image((kind != 1).to(x.dtype))
    base_on = _per_image((kind != 0).to(x.dtype))
    strokes = torch.maximum(flag_on * segments(head, tip, pen, h, w, x), base_on * base)
    return torch.maximum(x, strokes)


def _seven_styles(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """A short bar across the stem, a little below half height."""
    n, _, h, w = x.shape
    top, bottom = _ink_rows(x)
    height = (bottom - top).to(x.dtype)
    row = (top.to(x.dtype) + height * _uniform(n, 0.45, 0.6, generator, x)).round().long()
    centre = _row_anchor(x, row)
    half = height * _uniform(n, 0.15, 0.25, generator, x)
    tilt = _uniform(n, -0.15, 0.15, generator, x) * half
    offset = torch.stack([half, tilt], dim=1)
    pen = _uniform(n, 1.5, 2.5, generator, x)
    return torch.maximum(x, segments(centre - offset, centre + offset, pen, h, w, x))


STYLE_DIGITS = {1: _one_styles, 7: _seven_styles}


def style_strokes(x: torch.Tensor, labels: torch.Tensor,
                  generator: torch.Generator | None) -> torch.Tensor:
    """Add a writing convention to every 1 and 7 in x (others are returned unchanged)."""
    out = x.clone()
    for digit, draw in STYLE_DIGITS.items():
        idx = (labels == digit).nonzero().squeeze(1)
        if len(idx):
            out[idx] = draw(x[idx], generator)
    return out


# Families that need only the images, in the order they are applied: pen first, then the
# scanner (resolution, blur), then damage to the ink.
INK_FAMILIES = {
    "thickness": stroke_width,
    "boxfill": box_fill,
    "resolution": low_resolution,
    "blur": blur,
    "breaks": broken_strokes,
    "faint": faint_strokes,
    "blobs": ink_blobs,
}
