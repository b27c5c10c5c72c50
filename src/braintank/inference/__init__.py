"""Reading digits: a trained network plus its calibration (`classifier.DigitClassifier`).

Images come in through `braintank.imaging` (files and arrays as grey [0, 1], then 28x28 the
MNIST way); `decision` and `marks` turn probabilities and ink shapes into an answer or a
reason for a person to look. Model files, their ONNX and int8 copies live in
`braintank.modelfile`.
"""
