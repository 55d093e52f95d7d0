"""Errors of the correlation analytics."""


class AnalyticsError(Exception):
    """Base of every error the analytics raise."""


class InsufficientDataError(AnalyticsError):
    """Too few overlapping observations for the statistic to say anything."""
