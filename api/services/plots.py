"""The correlation figure: sentiment and market on one time axis, the lag profile with its
confidence band, and the event study. matplotlib's Agg backend: files only, no display."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from api.services.correlation import CorrelationResult


def _trailing_mean(values: Any, window: int) -> Any:
    """Mean of the last `window` buckets that have a value (the past only, like the series)."""
    x = np.asarray(values, dtype=float)
    out = np.full(len(x), np.nan)
    for t in range(len(x)):
        past = x[max(0, t - window + 1) : t + 1]
        if np.isfinite(past).any():
            out[t] = np.nanmean(past)
    return out


def _time_panel(ax: Any, result: CorrelationResult) -> None:
    s = result.sentiment
    x = result.sentiment.zscore if result.signal == "zscore" else getattr(s, result.signal)
    ax.plot(s.times, x, color="tab:blue", lw=0.6, alpha=0.35)
    ax.plot(s.times, _trailing_mean(x, 7), color="tab:blue", lw=1.4)
    ax.set_ylabel(f"sentiment ({result.signal}; 7-bucket mean)", color="tab:blue")
    twin = ax.twinx()
    market = result.market
    twin.plot(s.times, result.levels, color="tab:orange", lw=0.9, marker=".", ms=2)
    twin.set_ylabel(f"{market.symbol} ({market.unit})", color="tab:orange")
    if market.kind == "flow":
        twin.axhline(0, color="tab:orange", lw=0.5, alpha=0.5)
    ax.set_title(f"{s.scope} vs {market.symbol} ({s.bucket} buckets)", fontsize=10)


def _lag_panel(ax: Any, result: CorrelationResult) -> None:
    rows = result.report.lags
    lags = np.array([r.lag for r in rows])
    r = np.array([r.pearson for r in rows], dtype=float)
    band = result.report.null_band
    ax.axhspan(-band, band, color="grey", alpha=0.2, label="95 % band under no correlation")
    low = np.array([row.pearson_ci[0] if row.pearson_ci else np.nan for row in rows])
    high = np.array([row.pearson_ci[1] if row.pearson_ci else np.nan for row in rows])
    ax.fill_between(lags, low, high, color="tab:blue", alpha=0.15, label="bootstrap 95 % CI")
    ax.plot(lags, r, color="tab:blue", marker="o", ms=4, label="Pearson r")
    hits = [row.lag for row in rows if row.pearson_q < 0.05]
    if hits:
        ax.plot(hits, [r[list(lags).index(h)] for h in hits], "r*", ms=10, label="BH q < 0.05")
    ax.axhline(0, color="black", lw=0.5)
    top = float(np.nanmax([*high, *np.abs(r), band]))
    ax.set_ylim(top=top + 0.6 * (top - float(np.nanmin([*low, *r, -band]))))  # legend room
    ax.set_xlabel(f"lag (buckets; > 0: sentiment leads {result.transform} of the market)")
    ax.set_ylabel("r")
    ax.set_title(f"lag profile (n = {result.report.n})", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", ncol=2)


def _event_panel(ax: Any, result: CorrelationResult) -> None:
    for study, color in zip(result.report.event_study, ("tab:green", "tab:red"), strict=True):
        if not study.windows:
            continue
        k = [w.k for w in study.windows]
        ax.plot(k, [w.car for w in study.windows], color=color, marker="o", ms=3)
        ax.fill_between(
            k,
            [w.car_low for w in study.windows],
            [w.car_high for w in study.windows],
            color=color,
            alpha=0.15,
            label=f"{study.direction} shocks (n = {study.n_events})",
        )
    ax.axhline(0, color="black", lw=0.5)
    ax.axvline(0, color="black", lw=0.5, ls=":")
    ax.set_xlabel("buckets from the sentiment shock (|z| >= 2)")
    ax.set_ylabel(f"cumulative abnormal {result.transform}")
    ax.set_title("event study (95 % CI)", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)


def correlation_figure(result: CorrelationResult, path: Path) -> Path:
    """Write the three-panel figure to `path` (PNG, or any format matplotlib infers)."""
    fig = plt.figure(figsize=(10, 7), dpi=90)
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1])
    _time_panel(fig.add_subplot(grid[0, :]), result)
    _lag_panel(fig.add_subplot(grid[1, 0]), result)
    _event_panel(fig.add_subplot(grid[1, 1]), result)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
