"""Test-time views: the same prepared 28x28 digit framed a little smaller and a little larger.

MNIST's preprocessing puts a digit's longer side at 20 px; another writer's or scanner's digit
of the same shape can come out a few pixels larger or smaller. A reading the network gives
only for one exact framing is a reading it does not hold firmly, so the review decision
(`evaluation.calibration.worst_view`) trusts a digit by its *least* confident view. The first
view is always the image itself, so one view is the plain network.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# Scale of each view (1 = as prepared): 20 px digits seen at about 17.6 and 22.4 px.
VIEW_SCALES = (1.0, 0.88, 1.12)


def check_views(views: int) -> int:
    if not isinstance(views, int) or isinstance(views, bool) or not \
            1 <= views <= len(VIEW_SCALES):
        raise ValueError(f"views must be a whole number from 1 to {len(VIEW_SCALES)}, "
                         f"got {views!r}")
    return views


def view_stack(x28: np.ndarray, views: int) -> np.ndarray:
    """[views * N, 28, 28] float32: every image under each view, view by view."""
    check_views(views)
    x = torch.from_numpy(np.ascontiguousarray(x28, dtype=np.float32))[:, None]
    out = [x]
    for scale in VIEW_SCALES[1:views]:
        theta = torch.tensor([[1 / scale, 0.0, 0.0], [0.0, 1 / scale, 0.0]]).expand(len(x), 2, 3)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        out.append(F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros",
                                 align_corners=False))
    return torch.cat(out)[:, 0].numpy()
