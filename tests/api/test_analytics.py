"""The correlation statistics on synthetic series: planted effects are found with the right lag
and sign, null series are called significant no more often than the level says."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import signal, stats
from statsmodels.tsa.stattools import grangercausalitytests

from api.analytics import (
    CorrelateOptions,
    InsufficientDataError,
    bh_qvalues,
    changes,
    correlate,
    correlation,
    event_study,
    forward_returns,
    granger_both_ways,
    granger_test,
    hac_slope,
    lagged_correlations,
    log_returns,
    market_signal,
    newey_west_lags,
    rolling_correlation,
    shift,
    trailing_zscore,
)


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """An AR(1) series: persistent like a daily sentiment mean."""
    return np.asarray(signal.lfilter([1.0], [1.0, -phi], rng.standard_normal(n)))


def planted(seed: int, lag: int, beta: float, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """x, and y with y_{t+lag} = beta * x_t + noise (lag < 0: y leads x)."""
    rng = np.random.default_rng(seed)
    x = ar1(rng, n, 0.3)
    y = beta * shift(x, lag) + rng.standard_normal(n)
    return x, y


# --- transforms -------------------------------------------------------------------------------


def test_log_and_forward_returns() -> None:
    p = np.array([100.0, 110.0, 99.0, np.nan, 120.0])
    r = log_returns(p)
    assert np.isnan(r[0]) and np.isnan(r[3]) and np.isnan(r[4])
    assert r[1] == pytest.approx(np.log(1.1))
    assert log_returns(p, 2)[2] == pytest.approx(np.log(0.99))
    f = forward_returns(p, 1)
    assert f[0] == pytest.approx(r[1]) and np.isnan(f[-1])
    assert changes([1.0, 3.0, 2.0]).tolist()[1:] == [2.0, -1.0]
    with pytest.raises(ValueError, match="horizon"):
        forward_returns(p, 0)


@pytest.mark.parametrize(
    ("kind", "transform"),
    [("ohlcv", "log_return"), ("flow", "level"), ("rate", "change"), ("index", "change")],
)
def test_market_signal_by_kind(kind: str, transform: str) -> None:
    values = np.array([1.0, 2.0, 4.0])
    signal, name = market_signal(values, kind)
    assert name == transform
    expected = {"log_return": np.log(2.0), "level": 2.0, "change": 1.0}[transform]
    assert signal[1] == pytest.approx(expected)


def test_shift_moves_later_and_earlier() -> None:
    x = np.arange(5.0)
    assert shift(x, 2).tolist()[2:] == [0.0, 1.0, 2.0]
    assert shift(x, -2).tolist()[:3] == [2.0, 3.0, 4.0]
    assert np.isnan(shift(x, 9)).all()


def test_trailing_zscore_uses_only_the_past() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(60)
    z = trailing_zscore(x, 20)
    changed = x.copy()
    changed[40:] += 100.0  # a later shock
    assert np.allclose(trailing_zscore(changed, 20)[:40], z[:40], equal_nan=True)
    past = x[20:40]
    assert z[40] == pytest.approx((x[40] - past.mean()) / past.std(ddof=1))


# --- correlation, lags, multiple testing -------------------------------------------------------


@pytest.mark.parametrize(("lag", "beta"), [(3, 0.35), (1, -0.3), (0, 0.25), (-2, 0.4)])
def test_planted_lag_and_sign_are_recovered(lag: int, beta: float) -> None:
    for seed in range(3):
        x, y = planted(seed, lag, beta)
        rows = lagged_correlations(x, y, 5)
        best = max(rows, key=lambda r: abs(r.pearson))
        assert best.lag == lag
        assert np.sign(best.pearson) == np.sign(beta)
        assert best.pearson_q < 0.01 and best.hac_p < 0.01
        assert np.sign(best.spearman) == np.sign(beta) and best.spearman_p < 0.01


def test_correlation_and_hac_match_scipy_and_statsmodels() -> None:
    rng = np.random.default_rng(4)
    x = np.cumsum(rng.standard_normal(250)) * 0.1
    y = 0.2 * x + rng.standard_normal(250)
    assert correlation(x, y).p == pytest.approx(stats.pearsonr(x, y).pvalue)
    spear = correlation(x, y, method="spearman")
    assert spear.r == pytest.approx(stats.spearmanr(x, y).statistic)
    assert spear.p == pytest.approx(stats.spearmanr(x, y).pvalue)
    zx, zy = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    fit = sm.OLS(zy, sm.add_constant(zx)).fit(
        cov_type="HAC", cov_kwds={"maxlags": 6, "use_correction": True}, use_t=True
    )
    slope, p = hac_slope(x, y, maxlags=6)
    assert slope == pytest.approx(fit.params[1]) and p == pytest.approx(fit.pvalues[1])


def test_bootstrap_interval_covers_the_effect() -> None:
    x, y = planted(7, 0, 0.5, n=500)
    true_r = 0.5 * x.std() / np.sqrt(0.25 * x.var() + 1.0)
    res = correlation(x, y, n_boot=500, seed=3)
    assert res.ci_low is not None and res.ci_high is not None
    assert res.ci_low < true_r < res.ci_high
    assert res.ci_high - res.ci_low < 0.25


def test_null_lag_correlation_is_not_significant_beyond_its_level() -> None:
    """Over 200 seeds of independent series (persistent sentiment, white-noise returns) the
    lag-1 test rejects at about 5 %, and BH across 11 lags keeps any false call near 5 %."""
    seeds = 200
    pointwise = any_lag = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        x = ar1(rng, 250, 0.6)
        y = rng.standard_normal(250)
        rows = lagged_correlations(x, y, 5)
        pointwise += rows[6].pearson_p < 0.05
        any_lag += min(r.pearson_q for r in rows) < 0.05
    # binomial(200, 0.05): mean 10, sd 3.1; these bounds fail under a broken test, not by chance
    assert 3 <= pointwise <= 19
    assert any_lag <= 19


def test_hac_keeps_overlapping_returns_near_the_level() -> None:
    """Sentiment vs 5-bucket forward returns (overlapping): the plain Pearson p rejects a true
    null far too often; Newey-West brings it back near 5 %."""
    seeds, plain, hac = 150, 0, 0
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        x = ar1(rng, 300, 0.6)
        prices = np.exp(np.cumsum(0.03 * rng.standard_normal(300)))
        fwd = forward_returns(prices, 5)
        plain += correlation(x, fwd).p < 0.05
        hac += hac_slope(x, fwd, maxlags=newey_west_lags(300, 5))[1] < 0.05
    assert plain / seeds > 0.18
    assert hac / seeds < 0.13
    assert hac < plain / 2


def test_bh_qvalues() -> None:
    q = bh_qvalues([0.01, 0.04, 0.03, np.nan, 0.5])
    assert q[0] == pytest.approx(0.04)
    assert q[1] == pytest.approx(0.04 * 4 / 3) and q[2] == pytest.approx(0.04 * 4 / 3)
    assert np.isnan(q[3]) and q[4] == pytest.approx(0.5)


def test_rolling_correlation_tracks_a_regime_change() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal(200)
    noise = rng.standard_normal(200)
    y = np.where(np.arange(200) < 100, x + 0.3 * noise, noise)
    roll = rolling_correlation(x, y, 40)
    assert np.isnan(roll[:39]).all()
    assert roll[90] > 0.8 and abs(roll[199]) < 0.4


# --- Granger ----------------------------------------------------------------------------------


def test_granger_finds_the_leading_series_only() -> None:
    x, y = planted(11, 2, 0.5)
    result = granger_both_ways(x, y, 3)
    assert result["x_to_y"]["min_p"] < 1e-6
    assert result["x_to_y"]["best_lag"] >= 2
    assert result["y_to_x"]["min_p_bonferroni"] > 0.01


def test_granger_matches_statsmodels_on_gap_free_data() -> None:
    x, y = planted(12, 1, 0.2, n=200)
    x, y = x[1:], y[1:]  # the planted shift leaves y[0] empty
    ours = granger_test(x, y, 2)
    theirs = grangercausalitytests(np.column_stack([y, x]), [2])[2][0]["ssr_ftest"]
    assert ours.f == pytest.approx(theirs[0]) and ours.p == pytest.approx(theirs[1])


def test_granger_null_rejects_near_the_level() -> None:
    rejected = 0
    for seed in range(150):
        rng = np.random.default_rng(2000 + seed)
        rejected += granger_test(ar1(rng, 200, 0.5), rng.standard_normal(200), 2).p < 0.05
    assert 1 <= rejected <= 16  # binomial(150, 0.05): mean 7.5


def test_granger_skips_gaps_instead_of_failing() -> None:
    x, y = planted(13, 1, 0.5)
    x[::9] = np.nan
    assert granger_test(x, y, 2).n < 400 - 2


# --- event study ------------------------------------------------------------------------------


def test_event_study_finds_a_planted_post_shock_drift() -> None:
    rng = np.random.default_rng(21)
    n = 1500
    z = rng.standard_normal(n) * 0.5
    returns = rng.standard_normal(n) * 0.01
    shocks = np.arange(60, n - 10, 45)
    z[shocks] = 3.0
    returns[shocks + 1] += 0.02  # the day after a bullish shock
    studies = {s.direction: s for s in event_study(z, returns, pre=3, post=5)}
    pos = studies["positive"]
    assert pos.n_events == len(shocks)
    by_k = {w.k: w for w in pos.windows}
    assert by_k[1].aar == pytest.approx(0.02, abs=0.005) and by_k[1].aar_low > 0
    assert by_k[-1].aar_low < 0 < by_k[-1].aar_high
    assert by_k[5].car_low > 0 and by_k[5].car_p < 0.001
    assert studies["negative"].n_events == 0


# --- the report and its refusal ---------------------------------------------------------------


def test_correlate_refuses_a_short_overlap() -> None:
    x = np.full(100, np.nan)
    y = np.random.default_rng(0).standard_normal(100)
    x[:20] = 1.0 + np.arange(20) % 3
    with pytest.raises(InsufficientDataError, match="only 20 buckets"):
        correlate(x, y)
    with pytest.raises(InsufficientDataError, match="max-lag"):
        correlate(*planted(0, 1, 0.3, n=60), CorrelateOptions(max_lag=25))


def test_correlate_report_dict() -> None:
    x, y = planted(3, 1, 0.4, n=300)
    report = correlate(x, y, CorrelateOptions(max_lag=3, n_boot=200))
    data = report.to_dict()
    assert data["n"] == 299  # the planted lag leaves y[0] empty
    assert [row["lag"] for row in data["lags"]] == [-3, -2, -1, 0, 1, 2, 3]
    assert set(data["lags"][0]) >= {"lag", "pearson", "pearson_p", "pearson_q", "spearman"}
    assert 1 in data["significant_lags"]  # lag 0 too: x is autocorrelated
    assert max(data["lags"], key=lambda row: abs(row["pearson"]))["lag"] == 1
    assert data["granger"]["sentiment_to_market"]["min_p"] < 1e-6
    assert set(data["event_study"]) == {"positive", "negative"}


def test_running_sum_forms_match_the_direct_computation() -> None:
    """rolling_correlation and trailing_zscore (running sums) equal a direct loop, gaps too."""
    rng = np.random.default_rng(8)
    x = 5.0 + rng.standard_normal(120)
    y = 0.5 * x + rng.standard_normal(120)
    x[rng.choice(120, 15, replace=False)] = np.nan
    y[rng.choice(120, 10, replace=False)] = np.nan
    roll, z = rolling_correlation(x, y, 20, min_periods=12), trailing_zscore(x, 20)
    for t in range(len(x)):
        wx, wy = x[max(0, t - 19) : t + 1], y[max(0, t - 19) : t + 1]
        keep = ~np.isnan(wx) & ~np.isnan(wy)
        if t >= 19 and keep.sum() >= 12:
            assert roll[t] == pytest.approx(np.corrcoef(wx[keep], wy[keep])[0, 1])
        else:
            assert np.isnan(roll[t])
        past = x[max(0, t - 20) : t]
        past = past[~np.isnan(past)]
        if not np.isnan(x[t]) and len(past) >= 10:
            assert z[t] == pytest.approx((x[t] - past.mean()) / past.std(ddof=1))
        else:
            assert np.isnan(z[t])
