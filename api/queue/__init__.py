"""Crawling and processing as Celery tasks, for many workers on many machines.

Nothing here is imported by the single-process commands (`tidings run`, `process` without
`--enqueue`, `stats` without a broker), so they never load Celery.
"""
