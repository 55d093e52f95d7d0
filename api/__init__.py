"""The tidings CLI, the processing job and (later) the HTTP API."""
