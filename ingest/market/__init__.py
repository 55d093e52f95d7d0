"""Market data: reading price, flow, rate and index files, storing them, fetching new points."""

from ingest.market.parse import parse_file
from ingest.market.records import Layout, Overrides, ParsedFile, ParsedSeries, Point, RowIssue

__all__ = ["Layout", "Overrides", "ParsedFile", "ParsedSeries", "Point", "RowIssue", "parse_file"]
