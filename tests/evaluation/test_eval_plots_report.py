"""Figures are real PNGs written atomically; the text report shows the report's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import special

from braintank.errors import BraintankError
from braintank.evaluation.calibration import choose_threshold
from braintank.evaluation.metrics import classification_report
from braintank.evaluation.plots import (
    plot_confusion_matrix,
    plot_coverage_curve,
    plot_reliability_diagram,
)
from braintank.evaluation.report import format_report


@pytest.fixture(scope="module")
def predictions():
    rng = np.random.default_rng(0)
    probs = special.softmax(rng.normal(0, 4, (500, 10)), axis=1)
    labels = np.where(rng.random(500) < 0.8, probs.argmax(axis=1), rng.integers(0, 10, 500))
    return probs, labels


def _assert_png(path):
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width > 100 and image.height > 100


def test_plots_write_pngs_and_leave_no_temp_files(tmp_path, predictions):
    probs, labels = predictions
    report = classification_report(labels, probs)
    plot_confusion_matrix(report["confusion_matrix"], tmp_path / "cm.png")
    plot_reliability_diagram(probs, labels, tmp_path / "rel.png")
    choice = choose_threshold(probs, labels, 0.95)
    plot_coverage_curve(probs.max(1), probs.argmax(1) == labels, tmp_path / "cov.png",
                        choice.threshold, choice.target_accuracy)
    for name in ("cm.png", "rel.png", "cov.png"):
        _assert_png(tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.png", "cov.png", "rel.png"]


def test_plot_overwrites_existing_file(tmp_path, predictions):
    probs, labels = predictions
    target = tmp_path / "rel.png"
    target.write_bytes(b"old")
    plot_reliability_diagram(probs, labels, target)
    _assert_png(target)


def test_plot_rejects_bad_confusion_matrix(tmp_path):
    with pytest.raises(BraintankError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)), tmp_path / "x.png")
    with pytest.raises(BraintankError, match="class names"):
        plot_confusion_matrix(np.eye(3), tmp_path / "x.png", class_names=["a", "b"])
    assert not (tmp_path / "x.png").exists()


def test_format_report_shows_rows_and_values(predictions):
    probs, labels = predictions
    report = classification_report(labels, probs)
    text = format_report(report)
    lines = text.splitlines()
    for row in report["per_class"]:
        line = next(x for x in lines if x.split() and x.split()[0] == str(row["class"]))
        assert f"{row['precision']:.4f}" in line and line.split()[-1] == str(row["support"])
    macro_line = next(x for x in lines if x.startswith("macro"))
    assert f"{report['macro']['f1']:.4f}" in macro_line
    assert f"accuracy: {report['accuracy']:.4f}" in text
    assert f"ECE (15 bins): {report['ece']:.4f}" in text
    assert " ".join(str(v) for v in report["confusion_matrix"][3]) in " ".join(text.split())


def test_format_report_without_probabilities_and_with_notes():
    report = classification_report(np.array([0, 1, 2]), np.array([0, 1, 1]), n_classes=3)
    text = format_report(report)
    assert "ECE" not in text and "NLL" not in text
    assert "class 2: precision set to 0" in text


def test_format_report_rejects_incomplete_dict():
    with pytest.raises(BraintankError, match="missing keys"):
        format_report({"accuracy": 1.0})
