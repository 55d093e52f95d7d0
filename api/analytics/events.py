"""Event study: returns around sentiment shocks, as abnormal returns against a constant-mean model
estimated before each event, averaged over events with t-based confidence intervals."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from api.analytics.transforms import FloatArray, as_float


@dataclass(frozen=True)
class EventWindow:
    """Average abnormal (AAR) and cumulative abnormal (CAR) return at offset k from the shock."""

    k: int
    aar: float
    aar_low: float
    aar_high: float
    car: float
    car_low: float
    car_high: float
    car_p: float


@dataclass
class EventStudy:
    """The shocks of one sign and the returns around them."""

    direction: str  # "positive" (z >= threshold) or "negative" (z <= -threshold)
    n_events: int
    event_slots: list[int] = field(default_factory=list)
    windows: list[EventWindow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes None)."""
        rows = [{k: _finite(v) for k, v in w.__dict__.items()} for w in self.windows]
        return {"direction": self.direction, "n_events": self.n_events, "windows": rows}


def _finite(value: float | int) -> float | int | None:
    return value if np.isfinite(value) else None


def find_shocks(z: ArrayLike, threshold: float, *, sign: int, gap: int) -> list[int]:
    """Slots where sign * z crosses `threshold`, at least `gap` slots after the previous shock."""
    zz = as_float(z) * sign
    shocks: list[int] = []
    for t in np.flatnonzero(np.nan_to_num(zz, nan=-np.inf) >= threshold):
        if not shocks or t - shocks[-1] > gap:
            shocks.append(int(t))
    return shocks


def _abnormal(r: FloatArray, t: int, *, pre: int, post: int, estimation: int) -> FloatArray | None:
    """Abnormal returns r[t-pre..t+post] minus the mean of the estimation window before them."""
    start, end = t - pre, t + post + 1
    if start - estimation < 0 or end > len(r):
        return None
    window = r[start:end]
    est = r[start - estimation : start]
    est = est[~np.isnan(est)]
    if np.isnan(window).any() or len(est) < max(5, estimation // 2):
        return None
    return np.asarray(window - est.mean(), dtype=np.float64)


def _interval(values: FloatArray) -> tuple[float, float, float, float]:
    """(mean, 95 % low, 95 % high, two-sided p of mean = 0) across events."""
    n = len(values)
    mean = float(values.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan")
    se = float(values.std(ddof=1) / np.sqrt(n))
    half = float(special.stdtrit(n - 1, 0.975) * se)
    p = float(2 * special.stdtr(n - 1, -abs(mean / se))) if se > 0 else float("nan")
    return mean, mean - half, mean + half, p


def event_study(
    z: ArrayLike,
    returns: ArrayLike,
    *,
    threshold: float = 2.0,
    pre: int = 3,
    post: int = 5,
    estimation: int = 30,
) -> list[EventStudy]:
    """Positive and negative sentiment shocks (|z| >= threshold) and the returns from `pre`
    buckets before to `post` after each; overlapping shocks within `post` slots count once."""
    r = as_float(returns)
    studies = []
    for name, sign in (("positive", 1), ("negative", -1)):
        shocks = find_shocks(z, threshold, sign=sign, gap=post)
        rows, used = [], []
        for t in shocks:
            ab = _abnormal(r, t, pre=pre, post=post, estimation=estimation)
            if ab is not None:
                rows.append(ab)
                used.append(t)
        study = EventStudy(direction=name, n_events=len(rows), event_slots=used)
        if rows:
            ar = np.vstack(rows)
            car = np.cumsum(ar, axis=1)
            for j, k in enumerate(range(-pre, post + 1)):
                a_mean, a_low, a_high, _ = _interval(ar[:, j])
                c_mean, c_low, c_high, c_p = _interval(car[:, j])
                study.windows.append(
                    EventWindow(k, a_mean, a_low, a_high, c_mean, c_low, c_high, c_p)
                )
        studies.append(study)
    return studies
