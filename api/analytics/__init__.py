"""Pure analytics, no database or HTTP code (api/services/ feeds these functions).

- Statistics on arrays for the sentiment-vs-market question (numpy / scipy / statsmodels); every
  series is on a complete time grid (NaN where a bucket has no value): re-exported here.
- Claims against market data: verdict rules (`verdicts`), forecast resolution and scorecards
  (`forecasts`), corroboration (`corroboration`), their settings (`settings`); imported by module.
"""

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
