"""Stands in for an onnxruntime build without the OpenVINO EP (plain onnxruntime on macOS or ARM): put this
folder first on PYTHONPATH and the real onnxruntime loads, minus that provider."""

import importlib
import sys

_here = __path__[0].rsplit("/", 1)[0]
sys.path[:] = [p for p in sys.path if p.rstrip("/") != _here]
del sys.modules["onnxruntime"]
_real = importlib.import_module("onnxruntime")
_available = _real.get_available_providers
_real.get_available_providers = lambda: [p for p in _available() if p != "OpenVINOExecutionProvider"]
sys.modules["onnxruntime"] = _real
