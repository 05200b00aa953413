"""Writes `scenarios/churn-eda-baseline/customers.csv`, deterministically: the same bytes on every
run (the scenario's YAML declares its size and SHA-256, and the loader checks them).

A made-up subscription business's customers on 2026-06-30, one row each, with what such an
extract really looks like: `total_charges` blank (a space) for customers in their first month, so
pandas reads the column as text; missing ages, charges, logins and a survey score that is mostly
unanswered (and whose absence says something); and two columns written only once a customer has
asked to cancel (`cancellation_reason`, `retention_offer`), which leak the target. Churn follows a
logistic model of contract, tenure, charges, support tickets, logins, payment method and autopay,
so an honest baseline clearly beats the majority class, and a leaky one looks too good.

Only NumPy's seeded `Generator` draws numbers; the CSV is formatted here, value by value, so no
library's float formatting or column inference is involved. The bytes depend on NumPy's PCG64
streams, which the kernel env pins (`kernels/requirements.txt`); `make scenario-data` runs this
with the kernels' Python, and `tests/scenarios/test_generated_data.py` checks the hash. The file
is never committed and never downloaded.

    .kernel-env/bin/python scenarios/generators/churn_customers.py [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SEED = 20261203
ROWS = 30_000
SNAPSHOT = date(2026, 6, 30)
NAME = "customers.csv"
OUT = Path(__file__).resolve().parents[1] / "churn-eda-baseline"

COLUMNS = (
    "customer_id",
    "signup_date",
    "age",
    "region",
    "plan",
    "contract",
    "payment_method",
    "autopay",
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "support_tickets_90d",
    "logins_30d",
    "last_nps",
    "cancellation_reason",
    "retention_offer",
    "churned",
)
REGIONS = ("north", "south", "east", "west", "central")
PLANS = ("basic", "standard", "premium")
PLAN_PRICE = (19.0, 45.0, 89.0)
CONTRACTS = ("month-to-month", "one-year", "two-year")
PAYMENTS = ("card", "bank-transfer", "invoice", "paypal")
REASONS = ("price", "service", "competitor", "moved", "other")


def _choice(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> np.ndarray:
    """Category codes 0..len(p)-1 by inverse CDF of uniform draws (no version-dependent path)."""
    edges = np.cumsum(np.array(p) / sum(p))
    codes: np.ndarray = np.searchsorted(edges, rng.random(n), side="right")
    return np.minimum(codes, len(p) - 1)


def generate(seed: int = SEED, rows: int = ROWS) -> bytes:
    """The CSV's bytes."""
    rng = np.random.default_rng(seed)
    region = _choice(rng, rows, (0.22, 0.18, 0.2, 0.25, 0.15))
    plan = _choice(rng, rows, (0.45, 0.38, 0.17))
    contract = _choice(rng, rows, (0.55, 0.25, 0.2))
    payment = _choice(rng, rows, (0.4, 0.25, 0.15, 0.2))
    autopay = rng.random(rows) < np.where(payment == 2, 0.1, 0.6)
    # Longer contracts go with longer tenure; a few customers are in their first month (tenure 0).
    tenure_scale = np.array([14.0, 28.0, 40.0])[contract]
    tenure = np.minimum(np.floor(rng.exponential(1.0, rows) * tenure_scale), 72).astype(np.int64)
    tenure[rng.random(rows) < 0.02] = 0
    age = np.clip(np.round(rng.normal(44.0, 14.0, rows)), 18, 85).astype(np.int64)
    monthly = np.round(
        np.array(PLAN_PRICE)[plan] * (1.0 + 0.12 * rng.standard_normal(rows)) + 2.5 * contract, 2
    )
    monthly = np.maximum(monthly, 5.0)
    # Total billed so far: about tenure x monthly, prices drift a little over the months.
    total = np.round(tenure * monthly * (1.0 + 0.03 * rng.standard_normal(rows)), 2)
    tickets = rng.poisson(0.6 + 0.9 * (plan == 0) + 0.4 * (tenure < 6), rows)
    logins = rng.poisson(np.where(plan == 2, 18.0, 9.0), rows)

    logit = (
        -1.6
        + 2.0 * (contract == 0)
        - 1.4 * (contract == 2)
        - 0.06 * tenure
        + 0.025 * (monthly - 45.0)
        + 0.6 * tickets
        - 0.08 * logins
        + 0.8 * (payment == 2)
        - 0.5 * autopay
        + 0.006 * (age - 44)
        + 0.3 * rng.standard_normal(rows)
    )
    churned = rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))
    # The survey: answered by a minority, less often by those about to leave, lower if they do.
    answered = rng.random(rows) < np.where(churned, 0.28, 0.45)
    nps = np.clip(np.round(rng.normal(np.where(churned, 5.0, 7.6), 2.0)), 0, 10).astype(np.int64)
    # Written by the retention team after a cancellation request: the future, in a column.
    reason = _choice(rng, rows, (0.34, 0.22, 0.24, 0.12, 0.08))
    offer = rng.random(rows) < np.where(churned, 0.86, 0.03)

    missing_age = rng.random(rows) < 0.04
    missing_monthly = rng.random(rows) < 0.015
    missing_logins = rng.random(rows) < 0.05

    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for i in range(rows):
        signup = SNAPSHOT - timedelta(days=int(tenure[i]) * 30 + int(i % 28))
        fields = (
            f"C{i + 1:06d}",
            signup.isoformat(),
            "" if missing_age[i] else str(int(age[i])),
            REGIONS[region[i]],
            PLANS[plan[i]],
            CONTRACTS[contract[i]],
            PAYMENTS[payment[i]],
            "yes" if autopay[i] else "no",
            str(int(tenure[i])),
            "" if missing_monthly[i] else f"{monthly[i]:.2f}",
            " " if tenure[i] == 0 else f"{total[i]:.2f}",
            str(int(tickets[i])),
            "" if missing_logins[i] else str(int(logins[i])),
            str(int(nps[i])) if answered[i] else "",
            REASONS[reason[i]] if churned[i] else "",
            ("yes" if offer[i] else "no"),
            "1" if churned[i] else "0",
        )
        out.write(",".join(fields) + "\n")
    return out.getvalue().encode("utf-8")


def write(directory: Path = OUT) -> Path:
    """Generate into `directory` atomically (a half-written file never carries the name)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / NAME
    partial = directory / f".{NAME}.partial"
    partial.write_bytes(generate())
    os.replace(partial, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="directory to write into")
    args = parser.parse_args(argv)
    path = write(args.out)
    content = path.read_bytes()
    print(f"{path}: size {len(content)}, sha256 {hashlib.sha256(content).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
