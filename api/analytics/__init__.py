"""Statistics on arrays for the sentiment-vs-market question: pure numpy / scipy / statsmodels,
no database. Every series is on a complete time grid (NaN where a bucket has no value)."""

from api.analytics.causality import GrangerLag, granger_both_ways, granger_test
from api.analytics.correlation import (
    Correlation,
    LagRow,
    bh_qvalues,
    correlation,
    hac_slope,
    lagged_correlations,
    newey_west_lags,
    rolling_correlation,
)
from api.analytics.errors import AnalyticsError, InsufficientDataError
from api.analytics.events import EventStudy, event_study, find_shocks
from api.analytics.report import CorrelateOptions, CorrelationReport, correlate
from api.analytics.transforms import (
    MARKET_TRANSFORMS,
    changes,
    forward_returns,
    log_returns,
    market_signal,
    shift,
    trailing_zscore,
)

__all__ = [
    "MARKET_TRANSFORMS",
    "AnalyticsError",
    "CorrelateOptions",
    "Correlation",
    "CorrelationReport",
    "EventStudy",
    "GrangerLag",
    "InsufficientDataError",
    "LagRow",
    "bh_qvalues",
    "changes",
    "correlate",
    "correlation",
    "event_study",
    "find_shocks",
    "forward_returns",
    "granger_both_ways",
    "granger_test",
    "hac_slope",
    "lagged_correlations",
    "log_returns",
    "market_signal",
    "newey_west_lags",
    "rolling_correlation",
    "shift",
    "trailing_zscore",
]
