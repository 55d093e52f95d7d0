"""The shipped sentiment model files (read by nlp/sentiment/embedded.py)."""
