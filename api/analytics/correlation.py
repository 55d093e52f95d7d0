"""Pearson and Spearman with p-values and block-bootstrap intervals, lagged cross-correlation with
Benjamini-Hochberg q-values and Newey-West (HAC) p-values, rolling correlation."""

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from api.analytics.errors import InsufficientDataError
from api.analytics.transforms import FloatArray, as_float, shift

MIN_PAIRS = 8  # below this a single correlation is refused


@dataclass(frozen=True)
class Correlation:
    """One correlation coefficient with its two-sided p-value and bootstrap interval."""

    n: int
    r: float
    p: float
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class LagRow:
    """corr(x_t, y_{t+lag}): positive lags mean x leads y, negative lags mean y leads x."""

    lag: int
    n: int
    pearson: float
    pearson_p: float
    pearson_q: float
    pearson_ci: tuple[float, float] | None
    spearman: float
    spearman_p: float
    spearman_q: float
    hac_p: float  # p of the slope of standardized y on x with Newey-West errors

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes None)."""
        row = asdict(self)
        row["pearson_ci"] = list(self.pearson_ci) if self.pearson_ci else None
        return {k: _clean(v) for k, v in row.items()}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def paired(x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The slots where both series have a value."""
    a, b = as_float(x), as_float(y)
    if len(a) != len(b):
        raise ValueError(f"series differ in length: {len(a)} vs {len(b)}")
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def _rowwise_pearson(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pearson r of each row pair of two (m, n) matrices of standardized values (from sums, so
    no (m, n) temporaries beyond the inputs)."""
    n = a.shape[1]
    sa, sb = a.sum(axis=1), b.sum(axis=1)
    saa = np.einsum("ij,ij->i", a, a)
    sbb = np.einsum("ij,ij->i", b, b)
    sab = np.einsum("ij,ij->i", a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (n * sab - sa * sb) / np.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb))
    return np.asarray(r, dtype=np.float64)


def block_indices(n: int, n_boot: int, *, block: int | None = None, seed: int = 0) -> np.ndarray:
    """(n_boot, n) resampling indices of a moving-block bootstrap (blocks of ~n^(1/3) slots),
    which keeps the serial dependence of a time series inside each block."""
    size = block or max(1, round(n ** (1 / 3)))
    rng = np.random.default_rng(seed)
    n_blocks = -(-n // size)
    starts = rng.integers(0, n - size + 1, size=(n_boot, n_blocks), dtype=np.int32)
    idx = (starts[:, :, None] + np.arange(size, dtype=np.int32)[None, None, :]).reshape(n_boot, -1)
    return idx[:, :n]


def _bootstrap_ci(
    a: FloatArray, b: FloatArray, *, n_boot: int, seed: int, rank: bool
) -> tuple[float, float] | None:
    """Percentile 95 % interval of r over block-bootstrap resamples of the pairs."""
    if n_boot <= 0:
        return None
    idx = block_indices(len(a), n_boot, seed=seed)
    za, zb = (a - a.mean()) / a.std(), (b - b.mean()) / b.std()
    ra, rb = za[idx], zb[idx]
    if rank:
        ra, rb = stats.rankdata(ra, axis=1), stats.rankdata(rb, axis=1)
    rs = _rowwise_pearson(ra, rb)
    rs = rs[np.isfinite(rs)]
    if len(rs) < n_boot // 2:
        return None
    low, high = np.percentile(rs, [2.5, 97.5])
    return float(low), float(high)


def _r_and_p(a: FloatArray, b: FloatArray) -> tuple[float, float]:
    """Pearson r and its two-sided p from Student's t with n - 2 degrees of freedom (the same
    numbers as scipy.stats.pearsonr and spearmanr give, without their per-call overhead)."""
    r = float(np.clip(np.corrcoef(a, b)[0, 1], -1.0, 1.0))
    df = len(a) - 2
    if abs(r) == 1.0:
        return r, 0.0
    t = r * np.sqrt(df / (1.0 - r * r))
    return r, float(2 * special.stdtr(df, -abs(t)))


def correlation(
    x: ArrayLike, y: ArrayLike, *, method: str = "pearson", n_boot: int = 0, seed: int = 0
) -> Correlation:
    """Pearson or Spearman r of the paired slots, its p-value and (n_boot > 0) a bootstrap CI.

    Raises InsufficientDataError with fewer than MIN_PAIRS pairs or a constant series."""
    a, b = paired(x, y)
    if method not in ("pearson", "spearman"):
        raise ValueError(f"unknown method {method!r}: pearson or spearman")
    if len(a) < MIN_PAIRS:
        raise InsufficientDataError(
            f"{len(a)} overlapping observations; a correlation needs at least {MIN_PAIRS}"
        )
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        raise InsufficientDataError("a series is constant over the overlap; r is undefined")
    rank = method == "spearman"
    r, p = _r_and_p(stats.rankdata(a), stats.rankdata(b)) if rank else _r_and_p(a, b)
    ci = _bootstrap_ci(a, b, n_boot=n_boot, seed=seed, rank=rank)
    return Correlation(
        n=len(a), r=r, p=p, ci_low=ci[0] if ci else None, ci_high=ci[1] if ci else None
    )


def newey_west_lags(n: int, horizon: int = 1) -> int:
    """Newey-West truncation lag: the usual floor(4 (n/100)^(2/9)); for returns over `horizon`
    buckets, which overlap by horizon - 1, at least 2 (horizon - 1) (fewer over-reject more)."""
    rule = int(4 * (n / 100) ** (2 / 9))
    return rule if horizon <= 1 else max(rule, 2 * (horizon - 1))


def hac_slope(x: ArrayLike, y: ArrayLike, *, maxlags: int | None = None) -> tuple[float, float]:
    """(slope, p) of standardized y on standardized x by OLS with Newey-West (HAC) errors; the
    slope equals Pearson r, and the p-value stays near its level when the residuals are
    autocorrelated (overlapping returns), where the plain Pearson p-value is far too small.

    Bartlett weights, small-sample correction n / (n - 2) and t(n - 2) p-values: the numbers of
    statsmodels' OLS(...).fit(cov_type="HAC", use_correction=True, use_t=True), in numpy."""
    a, b = paired(x, y)
    n = len(a)
    if n < MIN_PAIRS or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan")
    za = (a - a.mean()) / a.std()
    zb = (b - b.mean()) / b.std()
    lags = maxlags if maxlags is not None else newey_west_lags(n)
    slope = float(za @ zb / (za @ za))
    score = za * (zb - slope * za)  # x_t u_t; the intercept is 0 on standardized data
    s = float(score @ score)
    for lag in range(1, min(lags, n - 1) + 1):
        s += 2 * (1 - lag / (lags + 1)) * float(score[lag:] @ score[:-lag])
    var = s / float(za @ za) ** 2 * n / (n - 2)
    if var <= 0:
        return slope, float("nan")
    return slope, float(2 * special.stdtr(n - 2, -abs(slope) / np.sqrt(var)))


def bh_qvalues(pvalues: ArrayLike) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN, uncounted."""
    p = as_float(pvalues)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def _lag_stats(
    x: FloatArray, y: FloatArray, lag: int, *, n_boot: int, seed: int, hac_lags: int | None
) -> dict[str, Any]:
    ahead = shift(y, -lag)  # ahead[t] = y[t + lag]
    a, b = paired(x, ahead)
    nan = float("nan")
    row: dict[str, Any] = {"lag": lag, "n": len(a), "pearson": nan, "pearson_p": nan}
    row |= {"pearson_ci": None, "spearman": nan, "spearman_p": nan, "hac_p": nan}
    try:
        pear = correlation(a, b, n_boot=n_boot, seed=seed * 1009 + lag + 500)
        spear = correlation(a, b, method="spearman")
    except InsufficientDataError:
        return row
    ci = (pear.ci_low, pear.ci_high) if pear.ci_low is not None else None
    row |= {"pearson": pear.r, "pearson_p": pear.p, "pearson_ci": ci}
    row |= {"spearman": spear.r, "spearman_p": spear.p}
    row["hac_p"] = hac_slope(a, b, maxlags=hac_lags)[1]
    return row


def lagged_correlations(
    x: ArrayLike,
    y: ArrayLike,
    max_lag: int,
    *,
    n_boot: int = 0,
    seed: int = 0,
    hac_lags: int | None = None,
) -> list[LagRow]:
    """corr(x_t, y_{t+k}) for k in -max_lag..+max_lag on a common time grid, with
    Benjamini-Hochberg q-values across the lags (Pearson and Spearman separately)."""
    a, b = as_float(x), as_float(y)
    rows = [
        _lag_stats(a, b, k, n_boot=n_boot, seed=seed, hac_lags=hac_lags)
        for k in range(-max_lag, max_lag + 1)
    ]
    pq = bh_qvalues([r["pearson_p"] for r in rows])
    sq = bh_qvalues([r["spearman_p"] for r in rows])
    return [
        LagRow(pearson_q=float(pq[i]), spearman_q=float(sq[i]), **row) for i, row in enumerate(rows)
    ]


def _window_sums(values: FloatArray, window: int) -> FloatArray:
    """Sum of the `window` slots ending at each t (the first window - 1 slots: partial)."""
    c = np.concatenate([[0.0], np.cumsum(values)])
    out = c[1:] - c[np.maximum(0, np.arange(1, len(c)) - window)]
    return np.asarray(out, dtype=np.float64)


def rolling_correlation(
    x: ArrayLike, y: ArrayLike, window: int, *, min_periods: int | None = None
) -> FloatArray:
    """Pearson r over the `window` slots ending at t (NaN where fewer than min_periods pairs),
    from running sums of the paired slots."""
    a, b = as_float(x), as_float(y)
    need = min_periods if min_periods is not None else max(MIN_PAIRS, window // 2)
    both = ~(np.isnan(a) | np.isnan(b))
    # centre on the overall means so the running sums do not cancel catastrophically
    a0 = np.where(both, a - np.nanmean(a[both]) if both.any() else 0.0, 0.0)
    b0 = np.where(both, b - np.nanmean(b[both]) if both.any() else 0.0, 0.0)
    n = _window_sums(both.astype(np.float64), window)
    sa, sb = _window_sums(a0, window), _window_sums(b0, window)
    saa, sbb = _window_sums(a0 * a0, window), _window_sums(b0 * b0, window)
    sab = _window_sums(a0 * b0, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_a, var_b = n * saa - sa * sa, n * sbb - sb * sb
        r = (n * sab - sa * sb) / np.sqrt(var_a * var_b)
    ok = (
        (n >= need)
        & (var_a > 1e-12 * np.maximum(1.0, n * saa))
        & (var_b > 1e-12 * np.maximum(1.0, n * sbb))
    )
    ok[: window - 1] = False
    return np.where(ok, np.clip(r, -1.0, 1.0), np.nan)
