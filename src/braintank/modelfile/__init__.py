"""Model files: the one place that reads and writes trained networks.

Two formats: braintank's `.pt` (a dict written with torch.save, read with
`weights_only=True`) and the NumPy engine's `.npz`. `load(path)` reads either and returns a
`ModelFile` whose network is ready to run, after checking, in this order and before building
anything real: the file's schema (types of every field), its size (parameters counted on
the meta device, capped at MAX_PARAMETERS), that the weights match the architecture, and
that the network maps [N,1,28,28] images to exactly 10 logits. Every refusal is one
BraintankError naming the file.

Training (checkpoints, finished models, ensembles, calibration) and inference (predict,
eval, export, the sheet reader) both use this package; it depends only on nets, scratch,
data, errors and fileio, never on training or inference. Beside the loader: `shipped` (the
models inside the package), `export` (ONNX, TorchScript) and `quantize` (the int8 ONNX copy).
"""

from braintank.modelfile.contract import IMAGE_PIXELS, NUM_CLASSES
from braintank.modelfile.loader import ModelFile, load
from braintank.modelfile.network import MAX_PARAMETERS
from braintank.modelfile.torchfile import FORMAT, VERSION, save

__all__ = ["FORMAT", "IMAGE_PIXELS", "MAX_PARAMETERS", "NUM_CLASSES", "VERSION", "ModelFile",
           "load", "save"]
