"""Reading digits: a trained network plus its review policy (`classifier.DigitClassifier`).

Images come in through `braintank.imaging` (files and arrays as grey [0, 1], then 28x28 the
MNIST way); `marks` doubts ink whose shape is not one digit, and the model's
`evaluation.review_policy.ReviewPolicy` turns probabilities into an answer or a reason for a
person to look. Model files, their ONNX and int8 copies live in `braintank.modelfile`;
`braintank.serving` loads a classifier on any runtime, building its int8 copy when needed.
"""
