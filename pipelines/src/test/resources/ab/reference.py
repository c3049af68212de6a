"""Reference values for the A/B statistics tests (io.mlproof.pipelines.ab.*Test), computed ONCE
with Debian bookworm's python3-statsmodels 0.13.5 and python3-scipy 1.10.1:

    /usr/bin/python3 pipelines/src/test/resources/ab/reference.py

The printed numbers are pinned in the Java tests; the tests do not run this script.
Conventions: treatment = statsmodels' sample 1, control = sample 2 (prop2), ratio = nC / nT.
"""
import numpy as np
from scipy import stats, optimize
from statsmodels.stats.proportion import (proportions_ztest, confint_proportions_2indep,
                                          power_proportions_2indep,
                                          samplesize_proportions_2indep_onetail)
from statsmodels.stats.multitest import multipletests

CASES = [  # (nC, xC, nT, xT)
    (5000, 600, 5000, 540),
    (9000, 1215, 1000, 118),
    (1000, 100, 1000, 100),
    (2500, 400, 2600, 350),
]
print("# zTest, wald, relative lift (delta method, by hand formula)")
for nC, xC, nT, xT in CASES:
    z, p = proportions_ztest([xT, xC], [nT, nC])
    lo, hi = confint_proportions_2indep(xT, nT, xC, nC, method="wald", compare="diff", alpha=0.05)
    pc, pt = xC / nC, xT / nT
    r = pt / pc
    se = np.sqrt(pt * (1 - pt) / nT / pc**2 + r**2 * pc * (1 - pc) / nC / pc**2)
    q = stats.norm.ppf(0.975)
    print(f"{nC},{xC},{nT},{xT}: z={z!r} p={p!r} wald=({lo!r},{hi!r}) lift={r-1!r} liftci=({r-1-q*se!r},{r-1+q*se!r})")

print("# power (power_proportions_2indep): pC, pT, nC, nT, alpha")
for pC, pT, nC, nT, alpha in [(0.12, 0.10, 5000, 5000, 0.05), (0.2, 0.17, 900, 100, 0.05), (0.3, 0.33, 2000, 3000, 0.01)]:
    pw = power_proportions_2indep(pT - pC, pC, nT, ratio=nC / nT, alpha=alpha, return_results=False)
    print(f"{pC},{pT},{nC},{nT},{alpha}: power={pw!r}")

print("# sample size (samplesize_proportions_2indep_onetail): pC, pT, alpha, power, k=nT/nC -> nC")
for pC, pT, alpha, power, k in [(0.5, 0.6, 0.05, 0.8, 1.0), (0.12, 0.10, 0.05, 0.8, 1.0), (0.2, 0.17, 0.05, 0.9, 1 / 9), (0.3, 0.27, 0.01, 0.8, 2.0)]:
    nT = samplesize_proportions_2indep_onetail(pT - pC, pC, power, ratio=1 / k, alpha=alpha)
    print(f"{pC},{pT},{alpha},{power},{k}: nC={nT / k!r}")

print("# mde: the d with power(pC, pC - d) = power, brentq on statsmodels' power")
for pC, nC, nT, alpha, power in [(0.12, 5000, 5000, 0.05, 0.8), (0.2, 900, 100, 0.05, 0.8)]:
    f = lambda d: power_proportions_2indep(-d, pC, nT, ratio=nC / nT, alpha=alpha, return_results=False) - power
    d = optimize.brentq(f, 1e-9, pC, xtol=1e-15, rtol=8.9e-16)
    print(f"{pC},{nC},{nT},{alpha},{power}: mde={d!r}")

print("# SRM (scipy.stats.chisquare)")
for obs, shares in [([5100, 4900], [0.5, 0.5]), ([50300, 49700], [0.5, 0.5]), ([9120, 880], [0.9, 0.1]), ([3400, 3300, 3100], [1, 1, 1])]:
    tot = sum(obs)
    exp = [tot * s / sum(shares) for s in shares]
    chi, p = stats.chisquare(obs, exp)
    print(f"{obs} {shares}: chi={chi!r} p={p!r}")

print("# Holm (multipletests method=holm)")
for ps in [[0.01, 0.04, 0.03], [0.2, 0.001, 0.04, 0.5]]:
    print(ps, list(multipletests(ps, method="holm")[1]))

print("# CUPED on the rows in CupedTest (x = pre-period sessions, y = churned)")
rng = np.random.default_rng(20261130)
x = rng.poisson(6, 60).astype(float)
y = (rng.random(60) < 1 / (1 + np.exp(0.5 * (x - 6)))).astype(float)
arm = np.array([0] * 30 + [1] * 30)
print("x =", ",".join(str(int(v)) for v in x))
print("y =", ",".join(str(int(v)) for v in y))
theta = np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1)
adj = y - theta * (x - x.mean())
d = adj[arm == 1].mean() - adj[arm == 0].mean()
se = np.sqrt(adj[arm == 1].var(ddof=1) / 30 + adj[arm == 0].var(ddof=1) / 30)
q = stats.norm.ppf(0.975)
print(f"theta={theta!r} diff={d!r} ci=({d - q * se!r},{d + q * se!r}) p={2 * stats.norm.sf(abs(d / se))!r}"
      f" reduction={1 - np.var(y - theta * x, ddof=1) / np.var(y, ddof=1)!r}")
