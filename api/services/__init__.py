"""What the CLI and the HTTP API both call: the processing job, claims search, KB admin."""
