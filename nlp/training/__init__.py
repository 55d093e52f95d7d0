"""Offline training of tidings' own sentiment model: the recipe, the ONNX export, the corpora and
our label files. Nothing here runs during `tidings analyze` (tests/test_layout.py checks it)."""
