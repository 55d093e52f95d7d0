"""Series transforms on float arrays: returns, changes, shifts, trailing z-scores.

Every array is on a complete time grid (one slot per bucket, NaN where a bucket has no value),
so a shift by k slots is a shift by k buckets of time, never by k observations.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_float(values: ArrayLike) -> FloatArray:
    """A 1-D float64 copy of `values` (None becomes NaN)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"expected a 1-D series, got shape {array.shape}")
    return array.copy()


def log_returns(prices: ArrayLike, horizon: int = 1) -> FloatArray:
    """ln(p_t / p_{t-h}) aligned to t, the return over the h buckets ending at t; the first h
    slots and any slot next to a gap are NaN. Returns over h > 1 buckets overlap (use HAC)."""
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    p = as_float(prices)
    out = np.full_like(p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[horizon:] = np.log(p[horizon:] / p[:-horizon])
    out[~np.isfinite(out)] = np.nan
    return out


def forward_returns(prices: ArrayLike, horizon: int) -> FloatArray:
    """ln(p_{t+h} / p_t) aligned to t: the return of the next `horizon` buckets (NaN at the end).

    Horizons above 1 overlap from one slot to the next, so statistics on them need
    Newey-West (HAC) errors (see `correlation.hac_slope`)."""
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    p = as_float(prices)
    out = np.full_like(p, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:-horizon] = np.log(p[horizon:] / p[:-horizon])
    out[~np.isfinite(out)] = np.nan
    return out


def changes(values: ArrayLike) -> FloatArray:
    """x_t - x_{t-1} (levels such as yields or the VIX become stationary changes)."""
    x = as_float(values)
    out = np.full_like(x, np.nan)
    out[1:] = x[1:] - x[:-1]
    return out


def shift(values: ArrayLike, k: int) -> FloatArray:
    """The series moved k slots later: out[t] = x[t - k] (NaN where it falls off the grid)."""
    x = as_float(values)
    out = np.full_like(x, np.nan)
    if k == 0:
        return x
    if abs(k) >= len(x):
        return out
    if k > 0:
        out[k:] = x[:-k]
    else:
        out[:k] = x[-k:]
    return out


def trailing_zscore(
    values: ArrayLike, window: int, *, min_periods: int | None = None
) -> FloatArray:
    """(x_t - mean) / std of the `window` slots before t (t itself excluded, NaNs skipped).

    Only the past enters, so the z-score of a bucket is known at the end of that bucket."""
    x = as_float(values)
    need = max(2, min_periods if min_periods is not None else max(3, window // 2))
    have = ~np.isnan(x)
    centre = float(np.nanmean(x)) if have.any() else 0.0
    x0 = np.where(have, x - centre, 0.0)  # centred so the running sums do not cancel

    def past(v: FloatArray) -> FloatArray:  # sum over slots t-window .. t-1
        c = np.concatenate([[0.0], np.cumsum(v)])
        t = np.arange(len(v))
        return np.asarray(c[t] - c[np.maximum(0, t - window)], dtype=np.float64)

    n, s, ss = past(have.astype(np.float64)), past(x0), past(x0 * x0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        var = (ss - n * mean * mean) / (n - 1)
        z = (x0 - mean) / np.sqrt(var)
    ok = have & (n >= need) & (var > 1e-12)
    return np.where(ok, z, np.nan)


# How each kind of market series becomes a stationary signal to correlate with sentiment.
MARKET_TRANSFORMS = {
    "ohlcv": "log_return",  # prices: ln(close_t / close_{t-1})
    "price": "log_return",
    "flow": "level",  # flows are already changes (net USD in or out per bucket)
    "rate": "change",  # yields, SOFR: basis-point-like changes of the level
    "index": "change",  # VIX, dollar index: changes of the level
    "value": "change",
}


def market_signal(values: ArrayLike, kind: str, *, horizon: int = 1) -> tuple[FloatArray, str]:
    """(signal, transform name) for a market series of `kind` (see MARKET_TRANSFORMS); prices
    become log returns over `horizon` buckets ending at each slot."""
    transform = MARKET_TRANSFORMS.get(kind, "change")
    if transform == "log_return":
        return log_returns(values, horizon), transform
    if transform == "level":
        return as_float(values), transform
    return changes(values), transform
