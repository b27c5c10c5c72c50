"""The engines a network can run on, by name; kept free of torch so the CLI's help (which
lists them) starts without loading it."""

RUNTIMES = ("torch", "onnx", "onnx-int8")
NEEDS_INT8 = "onnx-int8"  # the runtime that reads the model's int8 copy (built on first use)
