"""Read and query helpers over the store, shared by the CLI and the HTTP API."""
