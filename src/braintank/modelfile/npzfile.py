"""The NumPy engine's .npz models, read as the equivalent PyTorch network.

`braintank.scratch.serialize` checks the file (array headers, architecture, parameter count,
parameter shapes) before building anything; here the digit-reader contract is checked from
the layer specs, then the model is converted and run once on two blank images.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from braintank.modelfile.contract import check_classes, check_input_features, check_reads_digits
from braintank.modelfile.fields import MNIST_NORMALIZE, check_calibration, check_normalize
from braintank.modelfile.network import MAX_PARAMETERS
from braintank.scratch.serialize import model_from_arrays, parse_architecture, parse_meta, read_npz
from braintank.scratch.to_torch import to_torch


def read_npz_model(path: Path) -> tuple[nn.Module, list[dict], dict]:
    """(network, layer specs, meta) of the .npz at `path`; meta's fields are checked."""
    source = str(path)
    arrays = read_npz(path, MAX_PARAMETERS)
    specs = parse_architecture(arrays, source, MAX_PARAMETERS)
    dense = [spec for spec in specs if spec["type"] == "dense"]
    check_input_features(dense[0]["in_features"], source)
    check_classes(dense[-1]["out_features"], source)
    meta = parse_meta(arrays, source)
    meta["normalize"] = check_normalize(meta.get("normalize", MNIST_NORMALIZE), source)
    meta["calibration"] = check_calibration(meta.get("calibration"), source)
    model = model_from_arrays(arrays, source, specs)
    network = nn.Sequential(nn.Flatten(), to_torch(model)).float().eval()
    check_reads_digits(network, source)
    return network, specs, meta
