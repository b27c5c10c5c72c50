"""POST /api/predict answers like `braintank predict --json`; bad uploads get clear JSON
errors with the right status codes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from .helpers import SRC, png_bytes


def test_health(client):
    assert client.get("/health").json()["status"] == "ok"


def test_prediction_has_the_fields_and_values_of_predict_json(client, one_png, tmp_path):
    answer = client.post("/api/predict", files=[("images", ("one.png", one_png, "image/png"))])
    assert answer.status_code == 200
    (got,) = answer.json()["predictions"]
    (tmp_path / "one.png").write_bytes(one_png)
    cli = subprocess.run([sys.executable, "-m", "braintank.cli.main", "predict", "--json",
                          str(tmp_path / "one.png")], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    expected = json.loads(cli.stdout)
    assert set(got) == set(expected)
    assert got["digit"] == expected["digit"] == 1
    assert got["status"] == expected["status"]
    assert got["probabilities"] == expected["probabilities"]
    assert got["file"] == "one.png"


def test_several_images_in_order_and_what_the_network_saw(client, one_png):
    blank = png_bytes(np.full((50, 50), 255))
    answer = client.post("/api/predict?show=true", files=[
        ("images", ("a.png", one_png, "image/png")), ("images", ("b.png", blank, "image/png"))])
    first, second = answer.json()["predictions"]
    assert (first["file"], first["digit"]) == ("a.png", 1)
    assert (second["file"], second["status"], second["digit"]) == ("b.png", "empty", None)
    seen = np.array(first["input28"])
    assert seen.shape == (28, 28) and seen.max() == 255 and seen[:, :4].max() == 0


def test_type_is_read_from_the_content_not_the_name(client, one_png):
    text = client.post("/api/predict", files=[("images", ("digit.png", b"just text", "image/png"))])
    assert text.status_code == 415
    assert "digit.png: not an image" in text.json()["error"]
    pdf = client.post("/api/predict", files=[("images", ("a.png", b"%PDF-1.4 x", "image/png"))])
    assert pdf.status_code == 415
    renamed = client.post("/api/predict", files=[("images", ("a.txt", one_png, "text/plain"))])
    assert renamed.status_code == 200


def test_truncated_image_is_422_naming_the_upload_not_a_server_path(client, one_png):
    answer = client.post("/api/predict",
                         files=[("images", ("cut.png", one_png[:60], "image/png"))])
    assert answer.status_code == 422
    message = answer.json()["error"]
    assert message.startswith("cut.png: ") and "/tmp" not in message


def test_empty_and_missing_files(client):
    empty = client.post("/api/predict", files=[("images", ("e.png", b"", "image/png"))])
    assert empty.status_code == 400 and "empty file" in empty.json()["error"]
    missing = client.post("/api/predict", data={"other": "x"})
    assert missing.status_code == 422 and "images" in missing.json()["error"]


def test_unknown_api_path_is_a_json_404(client):
    answer = client.get("/api/nothing-here")
    assert answer.status_code == 404 and "error" in answer.json()


def test_the_api_is_described_by_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/api/predict", "/api/sheets", "/api/jobs/{job_id}", "/api/review",
                 "/api/corrections", "/api/export.csv", "/api/template", "/api/model",
                 "/api/finetune", "/api/model/switch", "/api/cells/{cell_id}/crop.png"):
        assert path in paths, path
    assert not any(p in paths for p in ("/draw", "/review", "/"))  # pages are not API
