"""One call that answers "does the talk lead the market?" for two series on one time grid."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from api.analytics.causality import granger_both_ways
from api.analytics.correlation import (
    LagRow,
    lagged_correlations,
    newey_west_lags,
    paired,
    rolling_correlation,
)
from api.analytics.errors import InsufficientDataError
from api.analytics.events import EventStudy, event_study
from api.analytics.transforms import FloatArray, as_float, trailing_zscore

MIN_OVERLAP = 30  # buckets with both series: fewer and nothing is said


@dataclass(frozen=True)
class CorrelateOptions:
    """What to compute; the defaults suit daily buckets."""

    max_lag: int = 7
    horizon: int = 1  # buckets per market return: > 1 overlaps, so HAC lags grow with it
    min_overlap: int = MIN_OVERLAP
    n_boot: int = 1000
    seed: int = 0
    zscore_window: int = 30
    event_threshold: float = 2.0
    event_pre: int = 3
    event_post: int = 5
    rolling_window: int = 30
    alpha: float = 0.05


@dataclass
class CorrelationReport:
    """Lag profile, Granger tests both ways, event study and rolling correlation."""

    n: int
    max_lag: int
    lags: list[LagRow]
    granger: dict[str, Any]
    event_study: list[EventStudy]
    rolling: FloatArray
    zscore: FloatArray
    null_band: float  # |r| above this at one lag is unlikely under no correlation (95 %)
    significant_lags: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `tidings correlate --json` prints (without the per-bucket arrays)."""
        return {
            "n": self.n,
            "max_lag": self.max_lag,
            "null_band": self.null_band,
            "lags": [row.to_dict() for row in self.lags],
            "significant_lags": self.significant_lags,
            "granger": {
                "sentiment_to_market": self.granger["x_to_y"],
                "market_to_sentiment": self.granger["y_to_x"],
            },
            "event_study": {s.direction: s.to_dict() for s in self.event_study},
        }


def overlap(x: ArrayLike, y: ArrayLike) -> int:
    """Buckets where both series have a value."""
    return len(paired(x, y)[0])


def correlate(
    sentiment: ArrayLike, market: ArrayLike, options: CorrelateOptions | None = None
) -> CorrelationReport:
    """All the statistics of sentiment (x) against a market signal (y) on one complete time grid.

    Lag k > 0 pairs sentiment at t with the market at t + k (sentiment leads). Raises
    InsufficientDataError when fewer than `min_overlap` buckets hold both series."""
    opt = options or CorrelateOptions()
    x, y = as_float(sentiment), as_float(market)
    n = overlap(x, y)
    if n < opt.min_overlap:
        raise InsufficientDataError(
            f"only {n} buckets hold both the sentiment and the market series; at least "
            f"{opt.min_overlap} are needed to say anything (widen the dates, use a coarser "
            "bucket or a series that overlaps the articles)"
        )
    if opt.max_lag >= n // 3:
        raise InsufficientDataError(
            f"--max-lag {opt.max_lag} is too large for {n} overlapping buckets (keep it below "
            f"{n // 3})"
        )
    hac_lags = newey_west_lags(n, opt.horizon)
    lags = lagged_correlations(
        x, y, opt.max_lag, n_boot=opt.n_boot, seed=opt.seed, hac_lags=hac_lags
    )
    z = trailing_zscore(x, opt.zscore_window)
    return CorrelationReport(
        n=n,
        max_lag=opt.max_lag,
        lags=lags,
        granger=granger_both_ways(x, y, min(opt.max_lag, max(1, n // 10))),
        event_study=event_study(
            z, y, threshold=opt.event_threshold, pre=opt.event_pre, post=opt.event_post
        ),
        rolling=rolling_correlation(x, y, opt.rolling_window),
        zscore=z,
        null_band=float(1.96 / np.sqrt(n)),
        significant_lags=[r.lag for r in lags if r.pearson_q < opt.alpha],
    )
