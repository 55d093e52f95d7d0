"""The crawler: sources, polling, fetching, parsing, extraction, dedupe, storage and file import."""
