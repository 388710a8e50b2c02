#!/usr/bin/env python3
"""Generate Tests/PosLabStatisticsTests/Fixtures/stats.json, the SciPy reference for PosLabStatistics.

The Swift side implements these statistics over GSL and must agree with the numbers here to 1e-9
relative. Every test result in the fixture carries a "call" string naming the exact SciPy call
(explicit keyword arguments) that produced it; the script performs precisely that call.

Policy (the Swift side implements the same policy):

* Descriptive statistics of a sample: n, mean, sd (ddof=1), se = sd/sqrt(n), median, min, max,
  q1 and q3 from numpy.quantile with its default method='linear' (Hyndman-Fan type 7), and the 95%
  t-interval of the mean, mean -/+ t.ppf(0.975, n-1)*se. For n = 1, sd, se, t_crit and the
  interval are null. (A constant sample has sd = se = 0 and a zero-width interval, not null.)
* Paired t-test: scipy.stats.ttest_rel(x, y, alternative='two-sided'); statistic, pvalue, df = n-1.
* Welch t-test: scipy.stats.ttest_ind(x, y, equal_var=False, alternative='two-sided'); statistic,
  pvalue, df. df is the Welch-Satterthwaite value computed here from its formula and checked
  against SciPy's res.df.
* Wilcoxon signed-rank on d = x - y (float64 subtraction, exactly as SciPy does it), zero
  differences dropped (zero_method='wilcox'), two-sided. n' = number of non-zero d. If there are
  no zero differences, no ties among |d| (exact float equality) and n' <= 50:
      scipy.stats.wilcoxon(x, y, zero_method='wilcox', alternative='two-sided', method='exact')
  otherwise:
      scipy.stats.wilcoxon(x, y, zero_method='wilcox', correction=True, alternative='two-sided',
                           method='approx')
  i.e. the normal approximation with tie-corrected variance and continuity correction ('approx'
  is SciPy's backwards-compatible alias for 'asymptotic'). Recorded: method, statistic (SciPy's
  two-sided statistic, min(W+, W-)), w_plus (sum of the average ranks of |d| over positive d,
  computed here), n_nonzero, pvalue. If n' == 0 the entry is null.
* Mann-Whitney U, two-sided. If the pooled sample has no ties and n1 <= 50 and n2 <= 50:
      scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact')
  otherwise:
      scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)
  (tie-corrected variance). Recorded: method, statistic (SciPy's U for x, U1 = R1 - n1(n1+1)/2),
  pvalue.
* Effect sizes (numpy): Cohen's d = (mean x - mean y)/sqrt(((n1-1)s1^2 + (n2-1)s2^2)/(n1+n2-2));
  Cohen's d_z = mean(d)/sd(d, ddof=1); Cliff's delta = (#{x_i > y_j} - #{x_i < y_j})/(n1 n2).
  null where undefined (zero denominator or too few observations).
* Distribution functions: scipy.stats.t.ppf(q, df) on a grid, t.cdf / t.sf at (t, df) pairs
  (including non-integer df, as Welch produces), norm.cdf / norm.sf at points, norm.ppf at
  probabilities.
* Intervals of the difference: ttest_rel(x, y).confidence_interval(0.95) and ttest_ind(x, y,
  equal_var=False).confidence_interval(0.95), re-derived from their formulas; for samples within
  [0, 1] the t interval of the mean is also recorded clipped to [0, 1] (numpy.clip).
* Exact sign test: scipy.stats.binomtest(k, n, 0.5, alternative='two-sided') with n the number
  of non-zero differences and k the positive ones, re-derived by counting; null if n == 0.
* Holm-Bonferroni adjusted p-values: sort ascending (stable), adj_(i) = max_{j<=i} min(1,
  (m-j+1) p_(j)), mapped back to the original order. Checked against a brute-force
  implementation of the step-down rejection rule and a hand-computed vector.

Any test SciPy returns NaN for is recorded as null, and the reason is listed in the case's "notes"
(which also collects any warnings SciPy emitted). Everything SciPy computes is re-derived here
independently (t statistics, Welch df, exact Wilcoxon / Mann-Whitney null distributions by
counting, the normal approximations) and the script stops if anything disagrees.

Samples come from numpy Generators seeded per case (default_rng([SEED, case_id])), written as
short decimals or as dyadic fractions (k/4, k/8, k/16) where ties are wanted, so that the
differences x - y are exact in binary and "tie" means the same thing in every implementation.
Floats are written with Python's repr (shortest round-trip form, i.e. lossless).

Usage: python3 Scripts/make_stats_fixture.py [--output PATH]
Requires numpy and SciPy (no statsmodels). The output is deterministic: rerunning with the same
numpy/SciPy produces the same bytes.
"""

import argparse
import json
import math
import os
import warnings
from fractions import Fraction

import numpy as np
import scipy
import scipy.stats as stats

GENERATOR = "Scripts/make_stats_fixture.py"
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PosLabStatisticsTests", "Fixtures", "stats.json"
)
SEED = 20240611
EXACT_LIMIT = 50          # exact Wilcoxon / Mann-Whitney only up to this many observations
CHECK_RTOL = 1e-11        # tolerance for the script's own cross-checks against SciPy


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def num(v):
    """A finite Python float (None stays None); refuses NaN/inf so they never reach the JSON."""
    if v is None:
        return None
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value would be written to the fixture")
    return v


def close(a, b, rtol=CHECK_RTOL, atol=1e-300):
    return abs(a - b) <= max(atol, rtol * max(abs(a), abs(b)))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def render_call(name, kwargs):
    args = ", ".join(["x", "y"] + [f"{k}={v!r}" for k, v in kwargs.items()])
    return f"scipy.stats.{name}({args})"


def run_scipy(name, x, y, kwargs, notes, label):
    """Call scipy.stats.<name>(x, y, **kwargs), collecting warnings into notes; returns (res, call)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = getattr(stats, name)(x, y, **kwargs)
    for w in caught:
        notes.append(f"{label}: SciPy warned {w.category.__name__}: {str(w.message).strip()}")
    return res, render_call(name, kwargs)


def average_ranks(values):
    """1-based average ranks (ties share the mean of their positions) and the tie-group sizes."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    groups = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[order[j + 1]] == values[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        groups.append(j - i + 1)
        i = j + 1
    return ranks, groups


def has_ties(values):
    return len(np.unique(values)) < len(values)


def assert_no_near_ties(values, what):
    """Distinct values that are equal to ~1e-9 would make tie detection implementation-dependent."""
    u = np.unique(np.asarray(values, dtype=np.float64))
    for a, b in zip(u[:-1], u[1:]):
        check(b - a > 1e-9 * max(abs(a), abs(b), 1e-300), f"{what}: near-tie {a!r} vs {b!r}")


# --------------------------------------------------------------------------------------------
# Descriptive statistics
# --------------------------------------------------------------------------------------------

def describe(x):
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    mean = float(np.mean(x))
    out = {
        "n": n,
        "mean": num(mean),
        "sd": None, "se": None, "t_crit": None, "ci95_low": None, "ci95_high": None,
        "median": num(np.median(x)),
        "min": num(np.min(x)),
        "max": num(np.max(x)),
        "q1": num(np.quantile(x, 0.25)),
        "q3": num(np.quantile(x, 0.75)),
    }
    check(out["q1"] == num(np.quantile(x, 0.25, method="linear")), "quantile default is not 'linear'")
    if n >= 2:
        sd = float(np.std(x, ddof=1))
        se = sd / math.sqrt(n)
        t_crit = float(stats.t.ppf(0.975, n - 1))
        out.update(sd=num(sd), se=num(se), t_crit=num(t_crit),
                   ci95_low=num(mean - t_crit * se), ci95_high=num(mean + t_crit * se))
        if np.all((x >= 0) & (x <= 1)):  # an accuracy: the interval clipped to the metric's range
            lo, hi = np.clip([mean - t_crit * se, mean + t_crit * se], 0, 1)
            out.update(ci95_clipped_low=num(lo), ci95_clipped_high=num(hi))
    return out


# --------------------------------------------------------------------------------------------
# Tests, each followed by an independent re-derivation
# --------------------------------------------------------------------------------------------

def paired_t(x, y, notes):
    kwargs = {"alternative": "two-sided"}
    res, call = run_scipy("ttest_rel", x, y, kwargs, notes, "paired_t")
    if not (np.isfinite(res.statistic) and np.isfinite(res.pvalue)):
        notes.append(f"paired_t: SciPy returned statistic={float(res.statistic)}, pvalue={float(res.pvalue)}; null")
        return None
    d = x - y
    n = len(d)
    t = np.mean(d) / (np.std(d, ddof=1) / math.sqrt(n))
    check(close(t, res.statistic), f"paired t {t} vs SciPy {res.statistic}")
    check(close(2 * stats.t.sf(abs(t), n - 1), res.pvalue), "paired t p-value")
    check(float(res.df) == n - 1, "paired df")
    ci = res.confidence_interval(confidence_level=0.95)
    half = stats.t.ppf(0.975, n - 1) * np.std(d, ddof=1) / math.sqrt(n)
    check(close(ci.low, np.mean(d) - half) and close(ci.high, np.mean(d) + half), "paired interval")
    return {"call": call, "statistic": num(res.statistic), "pvalue": num(res.pvalue), "df": num(n - 1),
            "ci95_low": num(ci.low), "ci95_high": num(ci.high)}


def welch_t(x, y, notes):
    kwargs = {"equal_var": False, "alternative": "two-sided"}
    res, call = run_scipy("ttest_ind", x, y, kwargs, notes, "welch_t")
    if not (np.isfinite(res.statistic) and np.isfinite(res.pvalue)):
        notes.append(f"welch_t: SciPy returned statistic={float(res.statistic)}, pvalue={float(res.pvalue)}; null")
        return None
    n1, n2 = len(x), len(y)
    v1, v2 = np.var(x, ddof=1) / n1, np.var(y, ddof=1) / n2
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    t = (np.mean(x) - np.mean(y)) / math.sqrt(v1 + v2)
    check(close(df, res.df), f"Welch df {df} vs SciPy {res.df}")
    check(close(t, res.statistic), f"Welch t {t} vs SciPy {res.statistic}")
    check(close(2 * stats.t.sf(abs(t), df), res.pvalue), "Welch p-value")
    ci = res.confidence_interval(confidence_level=0.95)
    half = stats.t.ppf(0.975, df) * math.sqrt(v1 + v2)
    diff = np.mean(x) - np.mean(y)
    check(close(ci.low, diff - half, atol=1e-15) and close(ci.high, diff + half, atol=1e-15), "Welch interval")
    return {"call": call, "statistic": num(res.statistic), "pvalue": num(res.pvalue), "df": num(df),
            "ci95_low": num(ci.low), "ci95_high": num(ci.high)}


def welch_interval(x, y, notes):
    """Welch's 95% interval of mean(x) - mean(y), recorded even where the test's p is 1 (difference 0);
    null where SciPy's is NaN (fewer than 2 values on a side, both samples constant)."""
    if len(x) < 2 or len(y) < 2 or np.var(x, ddof=1) + np.var(y, ddof=1) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = stats.ttest_ind(x, y, equal_var=False, alternative="two-sided").confidence_interval(confidence_level=0.95)
    return {"call": "scipy.stats.ttest_ind(x, y, equal_var=False, alternative='two-sided').confidence_interval(confidence_level=0.95)",
            "low": num(ci.low), "high": num(ci.high)}


def sign_test(x, y, notes):
    """Exact two-sided sign test on the non-zero differences: scipy.stats.binomtest(k, n, 0.5), k = #(d > 0)."""
    d = x - y
    nonzero = d[d != 0]
    n, k = len(nonzero), int(np.sum(nonzero > 0))
    if n == 0:
        notes.append("sign_test: every difference is zero; null")
        return None
    res = stats.binomtest(k, n, 0.5, alternative="two-sided")
    by_hand = min(1.0, 2 * sum(math.comb(n, j) for j in range(0, min(k, n - k) + 1)) / 2 ** n)
    check(close(res.pvalue, by_hand), f"sign test p {res.pvalue} vs counting {by_hand}")
    return {"call": f"scipy.stats.binomtest({k}, {n}, 0.5, alternative='two-sided')", "statistic": k, "n_nonzero": n,
            "pvalue": num(res.pvalue)}


def wilcoxon_null_counts(n):
    """counts[s] = number of subsets of {1..n} with sum s (the exact null of W+, times 2^n)."""
    counts = [1] + [0] * (n * (n + 1) // 2)
    for k in range(1, n + 1):
        for s in range(len(counts) - 1, k - 1, -1):
            counts[s] += counts[s - k]
    return counts


def wilcoxon(x, y, notes):
    d = x - y                                   # the same float64 subtraction SciPy performs
    nonzero = d[d != 0]
    n_zero = int(np.sum(d == 0))
    n = len(nonzero)
    if n == 0:
        notes.append("wilcoxon: all differences are zero (n' = 0); null")
        return None
    assert_no_near_ties(np.abs(nonzero), "wilcoxon |d|")
    ranks, groups = average_ranks(np.abs(nonzero))
    check(np.array_equal(ranks, stats.rankdata(np.abs(nonzero))), "own ranks differ from rankdata")
    w_plus = float(np.sum(ranks[nonzero > 0]))
    w_minus = n * (n + 1) / 2 - w_plus
    ties = any(g > 1 for g in groups)

    if n_zero == 0 and not ties and n <= EXACT_LIMIT:
        method = "exact"
        kwargs = {"zero_method": "wilcox", "alternative": "two-sided", "method": "exact"}
    else:
        method = "approx"
        kwargs = {"zero_method": "wilcox", "correction": True, "alternative": "two-sided", "method": "approx"}
    res, call = run_scipy("wilcoxon", x, y, kwargs, notes, "wilcoxon")
    if not (np.isfinite(res.statistic) and np.isfinite(res.pvalue)):
        notes.append(f"wilcoxon: SciPy returned statistic={float(res.statistic)}, pvalue={float(res.pvalue)}; null")
        return None
    check(float(res.statistic) == min(w_plus, w_minus), "wilcoxon statistic is not min(W+, W-)")

    if method == "exact":
        counts = wilcoxon_null_counts(n)
        w = int(w_plus)
        total = 2 ** n
        lower = Fraction(sum(counts[:w + 1]), total)
        upper = Fraction(sum(counts[w:]), total)
        p = float(min(Fraction(1), 2 * min(lower, upper)))
    else:
        mean = n * (n + 1) / 4
        se = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(g ** 3 - g for g in groups) / 48)
        z = (w_plus - mean) / se
        z -= math.copysign(0.5 / se, z) if z != 0 else 0.0   # SciPy: sign(0) = 0, no correction
        p = 2 * stats.norm.sf(abs(z))
    check(close(p, res.pvalue), f"wilcoxon {method} p {p} vs SciPy {res.pvalue}")
    return {"call": call, "method": method, "statistic": num(res.statistic), "w_plus": num(w_plus),
            "n_nonzero": n, "n_zero": n_zero, "ties": ties, "pvalue": num(res.pvalue)}


def mann_whitney_null_counts(n1, n2):
    """counts[u] = number of arrangements of n1 x's and n2 y's with U1 = u (x beats y u times)."""
    # f[i][j] = polynomial for i x's and j y's; recurrence on the largest element.
    f = [[None] * (n2 + 1) for _ in range(n1 + 1)]
    for i in range(n1 + 1):
        for j in range(n2 + 1):
            if i == 0 or j == 0:
                f[i][j] = [1]
                continue
            a = [0] * j + f[i - 1][j]       # largest is an x: it beats all j y's
            b = f[i][j - 1]                 # largest is a y
            size = max(len(a), len(b))
            f[i][j] = [(a[k] if k < len(a) else 0) + (b[k] if k < len(b) else 0) for k in range(size)]
    return f[n1][n2]


def mann_whitney(x, y, notes):
    pooled = np.concatenate([x, y])
    assert_no_near_ties(pooled, "mann-whitney pooled sample")
    n1, n2 = len(x), len(y)
    ties = has_ties(pooled)
    if not ties and n1 <= EXACT_LIMIT and n2 <= EXACT_LIMIT:
        method = "exact"
        kwargs = {"alternative": "two-sided", "method": "exact"}
    else:
        method = "asymptotic"
        kwargs = {"alternative": "two-sided", "method": "asymptotic", "use_continuity": True}
    res, call = run_scipy("mannwhitneyu", x, y, kwargs, notes, "mann_whitney")
    check(np.isfinite(res.statistic) and np.isfinite(res.pvalue), "Mann-Whitney returned NaN")

    ranks, groups = average_ranks(pooled)
    u1 = float(np.sum(ranks[:n1]) - n1 * (n1 + 1) / 2)
    check(u1 == float(res.statistic), "Mann-Whitney statistic is not U1")
    check(u1 == sum((xi > yj) + 0.5 * (xi == yj) for xi in x for yj in y), "U1 is not the pair count")
    u = max(u1, n1 * n2 - u1)
    if method == "exact":
        counts = mann_whitney_null_counts(n1, n2)
        p = float(min(Fraction(1), 2 * Fraction(sum(counts[int(u):]), sum(counts))))
    else:
        n = n1 + n2
        s = math.sqrt(n1 * n2 / 12 * ((n + 1) - sum(g ** 3 - g for g in groups) / (n * (n - 1))))
        z = (u - n1 * n2 / 2 - 0.5) / s           # SciPy: always uses the larger U, always subtracts 0.5
        p = min(1.0, 2 * stats.norm.sf(z))        # ... so p can exceed 1 before clipping
    check(close(p, res.pvalue), f"Mann-Whitney {method} p {p} vs SciPy {res.pvalue}")
    return {"call": call, "method": method, "statistic": num(res.statistic), "ties": ties, "pvalue": num(res.pvalue)}


def cohen_d(x, y):
    n1, n2 = len(x), len(y)
    if n1 + n2 - 2 <= 0:
        return None
    pooled = ((n1 - 1) * np.var(x, ddof=1 if n1 > 1 else 0) + (n2 - 1) * np.var(y, ddof=1 if n2 > 1 else 0)) / (n1 + n2 - 2)
    if pooled == 0:
        return None
    return num((np.mean(x) - np.mean(y)) / math.sqrt(pooled))


def cohen_dz(x, y):
    d = x - y
    if len(d) < 2:
        return None
    sd = np.std(d, ddof=1)
    if sd == 0:
        return None
    return num(np.mean(d) / sd)


def cliffs_delta(x, y):
    greater = int(np.sum(x[:, None] > y[None, :]))
    less = int(np.sum(x[:, None] < y[None, :]))
    return num((greater - less) / (len(x) * len(y)))


# --------------------------------------------------------------------------------------------
# Holm-Bonferroni
# --------------------------------------------------------------------------------------------

def holm(p):
    """Step-down Holm adjusted p-values, in the original order."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])     # (m - j + 1) p_(j), j = 1..m
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def holm_rejects(p, alpha):
    """The Holm procedure at level alpha, literally: reject p_(1), p_(2), ... while p_(j) <= alpha/(m-j+1)."""
    m = len(p)
    rejected = [False] * m
    for j, k in enumerate(sorted(range(m), key=lambda i: p[i])):   # j = 0-based rank
        if p[k] <= alpha / (m - j):
            rejected[k] = True
        else:
            break
    return rejected


def holm_brute_force(p):
    """For each hypothesis, the maximum over everything ranked at or before it, by explicit loops."""
    m = len(p)
    rank = {k: j for j, k in enumerate(sorted(range(m), key=lambda i: p[i]))}
    out = []
    for k in range(m):
        best = 0.0
        for i in range(m):
            if rank[i] <= rank[k]:
                best = max(best, min(1.0, (m - rank[i]) * p[i]))
        out.append(best)
    return out


def holm_entry(p):
    adjusted = holm(p)
    brute = holm_brute_force(list(p))
    check(all(a == b for a, b in zip(adjusted, brute)), f"Holm vs brute force on {p}")
    # The adjusted p-value is the smallest alpha at which the step-down procedure rejects.
    for k, a in enumerate(adjusted):
        check(holm_rejects(p, a * (1 + 1e-12))[k] or a >= 1.0, f"Holm: not rejected at its adjusted p ({p})")
        if a > 0:
            check(not holm_rejects(p, a * (1 - 1e-9))[k], f"Holm: rejected below its adjusted p ({p})")
    check(all(adjusted >= np.asarray(p)), "Holm adjusted below raw p")
    return {"p": [num(v) for v in p], "adjusted": [num(v) for v in adjusted]}


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------

def decimals(values, places):
    """Round to `places` decimals as the nearest double to the decimal string (short repr)."""
    return np.array([float(f"{v:.{places}f}") for v in values])


def dyadic(values, denominator):
    """Round to multiples of 1/denominator (denominator a power of two, so arithmetic stays exact)."""
    return np.round(np.asarray(values) * denominator) / denominator


def clean_separation(values):
    """True if the values have no ties and no near-ties (distinct but equal to ~1e-9 relative)."""
    u = np.unique(np.asarray(values, dtype=np.float64))
    return len(u) == len(values) and all(b - a > 1e-9 * max(abs(a), abs(b)) for a, b in zip(u[:-1], u[1:]))


def tie_free(case_id, draw):
    """Draw (x, y) = draw(generator) until |x - y| and the pooled sample are cleanly tie-free.

    Decimal inputs make x - y inexact in binary, so a mathematical tie among |d| can come out as
    two doubles that differ in the last bits; such a sample is redrawn rather than written, since
    whether it counts as tied would then depend on how each implementation forms d.
    """
    g = np.random.default_rng([SEED, case_id])
    while True:
        x, y = draw(g)
        if clean_separation(np.abs(x - y)) and clean_separation(np.concatenate([x, y])):
            return x, y


def make_cases():
    def rng(case_id):
        return np.random.default_rng([SEED, case_id])

    cases = []

    cases.append(("n2", *tie_free(1, lambda g: (decimals(g.normal(10, 2, 2), 4), decimals(g.normal(9, 2, 2), 4)))))

    cases.append(("n5_no_ties", *tie_free(2, lambda g: (decimals(g.normal(5, 1, 5), 4),
                                                        decimals(g.normal(4.5, 1, 5), 4)))))

    g = rng(3)  # small integers: ties in the pooled sample and among |x - y|
    cases.append(("n5_ties", g.integers(1, 6, 5).astype(np.float64), g.integers(1, 6, 5).astype(np.float64)))

    g = rng(4)  # eighths, with three pairs forced equal
    x = dyadic(g.uniform(0, 1, 8), 8)
    y = dyadic(np.clip(x - 0.125 + g.normal(0, 0.2, 8), 0, 1), 8)
    y[[1, 4, 6]] = x[[1, 4, 6]]
    cases.append(("n8_zero_diffs", x, y))

    g = rng(5)  # accuracies on 4 items
    cases.append(("n10_accuracy_ties", g.choice([0.5, 0.75, 1.0], 10, p=[0.2, 0.5, 0.3]),
                  g.choice([0.25, 0.5, 0.75], 10, p=[0.3, 0.5, 0.2])))

    def n30(g):
        x = decimals(g.normal(0.7, 0.1, 30), 4)
        return x, decimals(x - 0.03 + g.normal(0, 0.05, 30), 4)
    cases.append(("n30_no_ties", *tie_free(6, n30)))

    g = rng(7)  # accuracies on 16 items
    x = dyadic(np.clip(g.normal(0.7, 0.1, 30), 0, 1), 16)
    cases.append(("n30_ties", x, dyadic(np.clip(x - 0.05 + g.normal(0, 0.08, 30), 0, 1), 16)))

    def n60(g):
        x = decimals(g.normal(50, 10, 60), 4)
        return x, decimals(x - 1.5 + g.normal(0, 4, 60), 4)
    cases.append(("n60_no_ties", *tie_free(8, n60)))

    # accuracy-like: one model near-perfect, the other near chance
    cases.append(("n12_accuracy_like", *tie_free(9, lambda g: (decimals(np.clip(g.normal(0.95, 0.02, 12), 0, 1), 4),
                                                               decimals(np.clip(g.normal(0.3, 0.05, 12), 0, 1), 4)))))

    # y constant: zero variance in y only (0.5 is exact, so sd(y) is exactly 0 everywhere)
    g = rng(10)
    x = decimals(g.normal(0.6, 0.05, 6), 4)
    cases.append(("n6_y_constant", x, np.full(6, 0.5)))

    g = rng(11)  # x == y: every difference zero
    x = decimals(g.normal(1, 0.5, 4), 4)
    cases.append(("n4_identical", x, x.copy()))

    cases.append(("n1_single", np.array([0.75]), np.array([0.5])))

    # sequence accuracy 1 against 0 on every seed: zero variance (no t test), every difference positive
    cases.append(("n3_all_one_vs_zero", np.ones(3), np.zeros(3)))

    # every difference negative, unequal: the t test and the sign test both defined (p = 2/2^5)
    cases.append(("n5_all_negative", np.array([0.25, 0.5, 0.375, 0.125, 0.625]), np.array([0.5, 0.875, 0.5, 0.25, 1.0])))

    # equal means, unequal samples: a Welch difference of exactly 0 (t = 0) still has an interval
    cases.append(("n4_equal_means", np.array([0.25, 0.75, 0.5, 0.5]), np.array([0.5, 0.5, 0.375, 0.625])))

    # accuracies near 1 with n = 3: the t interval runs past 1 and is clipped
    cases.append(("n3_near_one", np.array([1.0, 0.875, 1.0]), np.array([0.5, 0.625, 0.375])))
    return cases


def build_case(name, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    check(len(x) == len(y), "cases are paired")
    notes = []
    entry = {"name": name, "x": [num(v) for v in x], "y": [num(v) for v in y],
             "describe_x": describe(x), "describe_y": describe(y)}
    entry["paired_t"] = paired_t(x, y, notes)
    entry["welch_t"] = welch_t(x, y, notes)
    entry["welch_interval"] = welch_interval(x, y, notes)
    entry["sign_test"] = sign_test(x, y, notes)
    entry["wilcoxon"] = wilcoxon(x, y, notes)
    entry["mann_whitney"] = mann_whitney(x, y, notes)
    entry["cohen_d"] = cohen_d(x, y)
    entry["cohen_dz"] = cohen_dz(x, y)
    entry["cliffs_delta"] = cliffs_delta(x, y)
    for key in ("cohen_d", "cohen_dz"):
        if entry[key] is None:
            notes.append(f"{key}: undefined (zero sd or too few observations); null")
    entry["notes"] = notes
    return entry


# --------------------------------------------------------------------------------------------
# Distribution functions
# --------------------------------------------------------------------------------------------

def distribution_tables():
    t_ppf = [{"q": q, "df": float(df), "value": num(stats.t.ppf(q, df))}
             for q in (0.975, 0.995, 0.9) for df in (1, 2, 3, 4, 5, 9, 10, 29, 30, 100)]
    t_points = [(0.0, 1.0), (1.5, 1.0), (-2.0, 3.0), (2.5, 9.0), (10.0, 5.0), (-30.0, 29.0), (0.5, 100.0),
                (8.0, 30.0), (40.0, 10.0), (2.1, 7.3), (-1.2, 15.75), (3.3, 2.5), (1.0, 58.123)]
    t_cdf = [{"t": t, "df": df, "cdf": num(stats.t.cdf(t, df)), "sf": num(stats.t.sf(t, df))} for t, df in t_points]
    norm = [{"x": x, "cdf": num(stats.norm.cdf(x)), "sf": num(stats.norm.sf(x))}
            for x in (-6.0, -3.0, -1.959963984540054, -1.0, 0.0, 0.5, 1.0, 1.959963984540054, 3.0, 6.0)]
    norm_ppf = [{"p": p, "value": num(stats.norm.ppf(p))} for p in (1e-6, 0.025, 0.1, 0.5, 0.9, 0.95, 0.975, 0.995, 0.999)]
    return t_ppf, t_cdf, norm, norm_ppf


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    output = os.path.normpath(parser.parse_args().output)

    cases = [build_case(name, x, y) for name, x, y in make_cases()]
    for c in cases:
        w, mw = c["wilcoxon"], c["mann_whitney"]
        nulls = [k for k in ("paired_t", "welch_t", "wilcoxon", "cohen_d", "cohen_dz") if c[k] is None]
        w_text = f"{w['method']} (n_nonzero={w['n_nonzero']}, zeros={w['n_zero']}, ties={w['ties']})" if w else "null"
        print(f"{c['name']:<20} n={c['describe_x']['n']:<3} wilcoxon={w_text:<42} "
              f"mann_whitney={mw['method']} (ties={mw['ties']})"
              + (f"  null: {', '.join(nulls)}" if nulls else ""))
        for note in c["notes"]:
            print(f"    note: {note}")

    # A hand-computed Holm example: sorted .005 .01 .03 .04 -> .02 .03 .06 .04 -> monotone .02 .03 .06 .06.
    hand = holm([0.01, 0.04, 0.03, 0.005])
    check(all(close(a, b, 1e-15) for a, b in zip(hand, [0.03, 0.06, 0.06, 0.02])), f"Holm hand example {hand}")
    case_ps = [c["paired_t"]["pvalue"] for c in cases if c["paired_t"] is not None]
    holm_vectors = [
        [0.01, 0.04, 0.03, 0.005],                 # hand-checked above
        [0.02, 0.02, 0.02, 0.5],                   # ties
        [0.01, 0.011, 0.012],                      # monotonicity carries the first value through
        [0.9, 0.95, 0.99, 0.6, 0.999],             # near 1, capped
        [0.03],                                    # single p
        [0.041, 0.0005, 0.2, 0.012, 0.0101, 0.6],  # unsorted, length 6
        [0.0, 1.0, 0.5, 0.0],                      # exact 0 and 1, tied zeros
        case_ps,                                   # the paired-t p-values of the cases above
    ]
    t_ppf, t_cdf, norm, norm_ppf = distribution_tables()

    fixture = {
        "generator": GENERATOR,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "conventions": {
            "describe": "sd: numpy.std(ddof=1); se = sd/sqrt(n); q1, q3: numpy.quantile(x, 0.25|0.75) "
                        "(method='linear', type 7); t_crit = scipy.stats.t.ppf(0.975, n-1); "
                        "ci95 = mean -/+ t_crit*se; sd, se, t_crit, ci95 null for n = 1",
            "differences": "d = x - y in float64; zeros and ties are exact float equality",
            "wilcoxon": "exact iff no zero d, no ties in |d| and n_nonzero <= 50, else approx "
                        "(correction=True); statistic = min(W+, W-); null iff n_nonzero == 0",
            "mann_whitney": "exact iff no ties in the pooled sample and n1, n2 <= 50, else asymptotic "
                            "(use_continuity=True); statistic = U1 for x",
            "effect_sizes": "cohen_d: pooled sd (ddof=1); cohen_dz: mean(d)/sd(d, ddof=1); "
                            "cliffs_delta: (#x>y - #x<y)/(n1 n2); null where undefined",
            "holm": "adj_(i) = max_{j<=i} min(1, (m-j+1) p_(j)), stable ascending sort, original order",
            "intervals": "paired_t and welch_t ci95 from res.confidence_interval(confidence_level=0.95); "
                         "welch_interval also where the Welch p is defined as 1 (difference 0); "
                         "describe ci95_clipped = numpy.clip(ci95, 0, 1) for samples in [0, 1]",
            "sign_test": "scipy.stats.binomtest(k, n, 0.5), n = #(d != 0), k = #(d > 0); null iff n == 0",
        },
        "cases": cases,
        "t_ppf": t_ppf,
        "t_cdf": t_cdf,
        "norm": norm,
        "norm_ppf": norm_ppf,
        "holm": [holm_entry(p) for p in holm_vectors],
    }

    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {output} ({os.path.getsize(output)} bytes): {len(cases)} cases, {len(t_ppf)} t quantiles, "
          f"{len(t_cdf)} t cdf points, {len(holm_vectors)} Holm vectors; scipy {scipy.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
