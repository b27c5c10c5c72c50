"""braintank: neural networks that read handwritten digits.

The public entry points are the command `braintank` and, in Python,
`DigitClassifier` (imported lazily so `import braintank` stays cheap).
"""

from braintank.errors import BraintankError

__version__ = "0.1.0"
__all__ = ["BraintankError", "DigitClassifier", "__version__"]


def __getattr__(name: str):
    if name == "DigitClassifier":
        from braintank.inference.classifier import DigitClassifier

        return DigitClassifier
    raise AttributeError(f"module 'braintank' has no attribute {name!r}")
