"""Evaluation: classification metrics, calibration (temperature, review threshold), plots, text.

Pure functions over NumPy arrays; nothing here knows about models.
"""

from braintank.evaluation.calibration import (
    CoverageCurve,
    ThresholdChoice,
    choose_threshold,
    coverage_curve,
    fit_temperature,
    log_softmax,
    softmax,
    temperature_nll,
)
from braintank.evaluation.metrics import (
    classification_report,
    confusion_matrix,
    expected_calibration_error,
    negative_log_likelihood,
    reliability_bins,
)
from braintank.evaluation.plots import (
    plot_confusion_matrix,
    plot_coverage_curve,
    plot_reliability_diagram,
)
from braintank.evaluation.report import format_report

__all__ = [
    "CoverageCurve",
    "ThresholdChoice",
    "choose_threshold",
    "classification_report",
    "confusion_matrix",
    "coverage_curve",
    "expected_calibration_error",
    "fit_temperature",
    "format_report",
    "log_softmax",
    "negative_log_likelihood",
    "plot_confusion_matrix",
    "plot_coverage_curve",
    "plot_reliability_diagram",
    "reliability_bins",
    "softmax",
    "temperature_nll",
]
