"""`DigitClassifier`: a trained network plus its calibration, reading digits from real images.

Every image goes through the one preprocessing path (`preprocess.to_mnist`), then the
network; what its outputs mean and what is sent to a person is the model's `ReviewPolicy`
(`evaluation.review_policy`: temperature, test-time views, threshold, and the ok/review rule).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np
import torch

from braintank.data.views import check_views, view_stack
from braintank.errors import BraintankError
from braintank.evaluation.review_policy import EMPTY, ReviewPolicy
from braintank.imaging.images import load_image, to_grey
from braintank.imaging.preprocess import to_mnist
from braintank.inference.marks import shape_doubt
from braintank.inference.runtimes import RUNTIMES
from braintank.modelfile import load as load_model_file
from braintank.modelfile.export import onnx_bytes, onnx_session
from braintank.modelfile.quantize import current_int8, int8_path

# SHIPPED_MODELS and default_model_path are named here by web, cli and tests too
from braintank.modelfile.shipped import SHIPPED_MODELS, default_model_path, model_path  # noqa: F401
from braintank.nets.optimize import for_inference, input_memory_format


@dataclass
class Prediction:
    file: str
    digit: int | None
    confidence: float
    status: str  # "ok" | "review" | "empty"
    probabilities: list[float]
    reason: str = ""  # why a reading goes to review ("" for ok and empty)

    def to_dict(self) -> dict:
        return asdict(self)


class DigitClassifier:
    """Reads one digit per image; built with `DigitClassifier.load(path)`."""

    def __init__(self, model: torch.nn.Module, normalize: tuple[float, float],
                 policy: ReviewPolicy | None = None, runtime: str = "torch",
                 name: str = "model"):
        self.model = model
        self.normalize = normalize
        self.policy = policy if policy is not None else ReviewPolicy()
        check_views(self.policy.views)
        self.runtime = runtime
        self.name = name
        self._memory_format = input_memory_format(model)
        self._session = None  # an ONNX Runtime session for runtimes "onnx" and "onnx-int8"

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, runtime: str = "torch",
             threshold: float | None = None, optimize: bool = True) -> DigitClassifier:
        """Load a braintank model file (default: the shipped model; see `model_path`).

        `optimize=False` keeps the network exactly as trained (no BN folding, NCHW memory):
        the same answers, slower; the baseline in benchmarks/inference_speed.py.
        runtime "onnx-int8" runs the model's int8 copy (`modelfile/quantize.py`) with the
        calibration refitted for it; it must exist and match the model file
        (`training.int8.build_int8`, which the CLI runs when needed).
        """
        if runtime not in RUNTIMES:
            raise BraintankError(f"unknown runtime {runtime!r} (known: {', '.join(RUNTIMES)})")
        path = model_path(path)
        saved = load_model_file(path)
        model = for_inference(saved.network) if optimize else saved.network
        calibration, session = saved.calibration, None
        if runtime == "onnx-int8":
            int8 = current_int8(path)
            if int8 is None:
                raise BraintankError(f"{int8_path(path)}: no int8 model made from {path.name} "
                                     "(build it with training.int8.build_int8, or run a "
                                     "braintank command with --runtime onnx-int8)")
            calibration = int8.calibration
            session = onnx_session(int8.blob, str(int8_path(path)))
        elif runtime == "onnx":
            session = onnx_session(onnx_bytes(model), path.name)
        clf = cls(model, saved.normalize, ReviewPolicy.from_calibration(calibration, threshold),
                  runtime, path.name)
        clf._session = session
        return clf

    # ---- the network on prepared 28x28 images -------------------------------------------
    def logits_batch28(self, x28: np.ndarray) -> np.ndarray:
        """Logits [N,10] for images [N,28,28] float in [0,1], ink = 1 (MNIST convention)."""
        mean, std = self.normalize
        x = ((np.asarray(x28, dtype=np.float32) - mean) / std)[:, None]
        if len(x) == 0:
            return np.zeros((0, 10), dtype=np.float32)
        if self._session is not None:
            return self._session.run(None, {"x": np.ascontiguousarray(x)})[0]
        with torch.inference_mode():
            return self.model(torch.from_numpy(x).contiguous(memory_format=self._memory_format)
                              ).numpy()

    def predict_batch28(self, x28: np.ndarray) -> np.ndarray:
        """Calibrated probabilities [N,10] for prepared images [N,28,28]."""
        return self.read_batch28(x28)[0]

    def read_batch28(self, x28: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities [N,10] averaged over the views, confidence [N]) for images [N,28,28].

        The review decision compares `confidence` with the threshold: with one view it is the
        top probability; with several, the smallest probability a view gives the digit.
        """
        x28 = np.asarray(x28, dtype=np.float32)
        views = self.policy.views
        logits = self.logits_batch28(view_stack(x28, views) if views > 1 else x28)
        return self.policy.read(logits.reshape(views, len(x28), -1))

    # ---- real images ---------------------------------------------------------------------
    def predict(self, images: list) -> list[Prediction]:
        """Predictions for file paths and/or 2-D (or HxWxC) arrays, in order."""
        names, prepared = [], []
        for i, item in enumerate(images):
            if isinstance(item, str | os.PathLike):
                names.append(str(item))
                prepared.append(to_mnist(load_image(item)))
            else:
                names.append(f"<array {i}>")
                prepared.append(to_mnist(to_grey(item)))
        return self.predict_prepared(names, prepared)

    def predict_prepared(self, names: list[str], prepared: list) -> list[Prediction]:
        """Predictions for images already through `to_mnist` (the draw page and API too):
        the model's review decision (`ReviewPolicy.decide`) with the shape rules of
        `inference.marks`."""
        written = [i for i, p in enumerate(prepared) if not p.empty]
        probs, confidences = self.read_batch28(np.stack([prepared[i].image for i in written])) \
            if written else (np.zeros((0, 10)), np.zeros(0))
        results = [Prediction(name, None, 0.0, EMPTY, [0.0] * 10) for name in names]
        for row, i in enumerate(written):
            p = probs[row]
            confidence = float(confidences[row])
            status, reason = self.policy.decide(p, confidence, shape_doubt(prepared[i].parts))
            results[i] = Prediction(names[i], int(p.argmax()), confidence, status,
                                    [round(float(v), 6) for v in p], reason)
        return results
