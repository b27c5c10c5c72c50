"""POST /api/predict: one or more images (multipart field `images`), each read like
`braintank predict --json` reads a file; `?show=true` adds the 28x28 input the network saw."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Annotated

import anyio
import numpy as np
from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from braintank.errors import BraintankError
from braintank.imaging.images import load_image
from braintank.imaging.preprocess import to_mnist
from braintank.web.config import (
    MAX_PREDICT_FILES,
    MAX_PREDICT_PIXELS,
    PREDICT_QUEUE,
    PREDICT_SLOTS,
)
from braintank.web.uploads import check_pixels, read_upload, shown_name

router = APIRouter()
IMAGE_KINDS = ("png", "jpg", "gif", "bmp", "tif", "webp", "pgm", "ppm")


def _prepare(data: bytes, kind: str, name: str):
    """The one preprocessing path, on the bytes written to a private temporary file; the
    file's path never reaches the client (messages name the upload instead)."""
    with tempfile.TemporaryDirectory(prefix="braintank-predict-") as folder:
        path = Path(folder) / f"upload.{kind}"
        path.write_bytes(data)
        check_pixels(path, name, MAX_PREDICT_PIXELS)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return to_mnist(load_image(path))
        except BraintankError as exc:
            raise HTTPException(422, str(exc).replace(str(path), name)) from None


def _read(classifier, names: list[str], blobs: list[tuple[bytes, str]], show: bool) -> list:
    prepared = [_prepare(data, kind, name) for name, (data, kind) in zip(names, blobs,
                                                                        strict=True)]
    results = []
    for item, prediction in zip(prepared, classifier.predict_prepared(names, prepared),
                                strict=True):
        fields = prediction.to_dict()
        if show:
            seen = np.zeros((28, 28)) if item.image is None else item.image
            fields["input28"] = np.rint(np.clip(seen, 0, 1) * 255).astype(int).tolist()
        results.append(fields)
    return results


def _slots(app) -> anyio.CapacityLimiter:
    """The app's prediction slots, made on first use (inside the event loop)."""
    if getattr(app.state, "predict_slots", None) is None:
        app.state.predict_slots = anyio.CapacityLimiter(PREDICT_SLOTS)
    return app.state.predict_slots


@router.post("/api/predict", summary="Read the digit in each uploaded image")
async def predict(request: Request, images: Annotated[list[UploadFile], File()],
                  show: bool = False) -> dict:
    if len(images) > MAX_PREDICT_FILES:
        raise HTTPException(413, f"{len(images)} images in one request; the limit is "
                                 f"{MAX_PREDICT_FILES}")
    slots = _slots(request.app)
    if slots.statistics().tasks_waiting >= PREDICT_QUEUE:
        raise HTTPException(503, f"busy: {PREDICT_QUEUE} predictions are waiting; try again "
                                 f"in a few seconds", headers={"Retry-After": "5"})
    names = [shown_name(upload, i) for i, upload in enumerate(images)]
    async with slots:  # the uploads are read into memory only once a slot is free
        blobs = [await read_upload(upload, name, IMAGE_KINDS)
                 for upload, name in zip(images, names, strict=True)]
        classifier = request.app.state.classifier
        return {"predictions": await run_in_threadpool(_read, classifier, names, blobs,
                                                       show)}
