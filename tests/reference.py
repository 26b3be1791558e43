"""Independent references the tests check csops against: well-kept libraries, not our own formulas."""

from __future__ import annotations

from scipy.stats import binomtest


def wilson_interval_95(successes: int, n: int) -> tuple[float, float]:
    """SciPy's Wilson score interval (without continuity correction), 95%."""
    interval = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(interval.low), float(interval.high)
