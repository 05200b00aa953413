"""churn-eda-baseline's hidden tests in real sandboxed kernels tell the mistakes apart: a notebook
that keeps the post-cancellation columns fails the leakage test only (its accuracy is perfect, so
the baseline tests pass), and one with an unstratified split and the churn rate reported as the
majority rate fails exactly the split and metric tests. The reference's 100 % and the starter's
score are in test_grading_kernels.py, with every other scenario."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from kernels.local.provider import LocalProvider
from kernels.settings import KernelSettings
from server.scenarios.grading import grade
from server.scenarios.loader import load_library

SCENARIO = load_library()["churn-eda-baseline"]
REFERENCE = SCENARIO.reference_solution


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider() -> AsyncIterator[LocalProvider]:
    settings = KernelSettings()
    if not (settings.env_dir / "bin" / "python").exists():
        reason = f"no kernel env at {settings.env_dir}: run `make kernel-env`"
        if os.environ.get("PAIRBOARD_REQUIRE_KERNELS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    p = LocalProvider(settings)
    await p.start()
    yield p
    await p.close()


pytestmark = pytest.mark.asyncio(loop_scope="module")


def edited(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


async def verdicts(provider: LocalProvider, source: str) -> dict[str, tuple[bool, str]]:
    report = await grade(provider, SCENARIO, source)
    return {r.id: (r.passed, r.message) for r in report.results}


async def test_leaky_features_fail_only_the_leakage_test(provider: LocalProvider) -> None:
    leaky = edited(
        REFERENCE,
        'drop = {TARGET, "customer_id", "signup_date", *AFTER_THE_FACT}',
        'drop = {TARGET, "customer_id", "signup_date"}',
    )
    assert await verdicts(provider, leaky) == {
        "missing-values": (True, ""),
        "no-leakage": (
            False,
            "AssertionError: ['cancellation_reason', 'retention_offer'] must not be features "
            "(the target, an id, or written only after a customer asks to cancel)",
        ),
        "split-stratified-seeded": (True, ""),
        "notebook-split": (True, ""),
        "beats-majority": (True, ""),
        "reported-metrics": (True, ""),
    }


async def test_unstratified_split_and_wrong_majority_rate_fail_their_tests(
    provider: LocalProvider,
) -> None:
    sloppy = edited(
        REFERENCE,
        "return train_test_split(df, test_size=0.2, stratify=df[TARGET], random_state=seed)",
        "test = df.sample(frac=0.2, random_state=seed)\n    return df.drop(test.index), test",
    )
    majority = '"majority_rate": float(max(rate, 1 - rate)),'
    sloppy = edited(sloppy, majority, '"majority_rate": rate,')
    results = await verdicts(provider, sloppy)
    assert {k: passed for k, (passed, _) in results.items()} == {
        "missing-values": True,
        "no-leakage": True,
        "split-stratified-seeded": False,
        "notebook-split": False,
        "beats-majority": True,
        "reported-metrics": False,
    }
    assert results["split-stratified-seeded"][1].endswith(": stratify")
    assert results["notebook-split"][1].startswith("AssertionError: the test churn rate is 0.")
    assert results["reported-metrics"][1].startswith(
        "AssertionError: reported majority rate 0.2196"
    )


async def test_dropping_rows_with_gaps_fails_the_row_checks(provider: LocalProvider) -> None:
    dropped = edited(
        REFERENCE,
        '    out["nps_answered"] = out["last_nps"].notna().astype(int)\n    return out\n',
        '    out["nps_answered"] = out["last_nps"].notna().astype(int)\n'
        '    return out.dropna(subset=["age", "monthly_charges", "logins_30d"])\n',
    )
    results = await verdicts(provider, dropped)
    assert results["missing-values"] == (
        False,
        "AssertionError: clean must keep every row and its label (no dropna, no reset_index)",
    )
    assert results["notebook-split"][0] is False
    assert results["notebook-split"][1].startswith("AssertionError: train + test hold 2")
    assert results["no-leakage"] == (True, "")
