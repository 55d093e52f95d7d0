"""Numeric claims: every number of an article as a structured record (value, unit, metric, type,
direction, subject, period, source). `extract` is the orchestrator; `stage` the pipeline stage;
`metrics` and `decide` the decisions; `numbers`, `periods`, `time` find values and periods."""
