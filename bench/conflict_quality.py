"""Precision and recall of the conflict matcher on the labelled pairs (tests/data/company_pairs.csv).

    .venv/bin/python -m bench.conflict_quality [--review-at 85]

Scores every pair as a channel manager's queue would (the default programme's policy) and prints
precision and recall overall and per category, then the pairs it got wrong. CONFLICT-1 asks for both
at least 0.95; bench.conflict_check measures the same set through the key index among a million
registrations.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deal_registration.evaluation import evaluate
from deal_registration.matching import Policy

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "company_pairs.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review-at", type=int, default=Policy().review_at)
    args = parser.parse_args()
    overall, by_category, wrong = evaluate(PAIRS, Policy(review_at=args.review_at))
    pairs = sum(
        c.true_positive + c.false_positive + c.true_negative + c.false_negative for c in by_category.values()
    )
    print(f"CONFLICT quality: {pairs} labelled pairs, threshold {args.review_at}")
    print(f"{'category':<28} {'pairs':>5} {'precision':>9} {'recall':>7}")
    for name, c in sorted(by_category.items()):
        count = c.true_positive + c.false_positive + c.true_negative + c.false_negative
        print(f"{name:<28} {count:>5} {c.precision:>9.3f} {c.recall:>7.3f}")
    print(
        f"{'overall':<28} {pairs:>5} {overall.precision:>9.3f} {overall.recall:>7.3f}  (target >= 0.95 each)"
    )
    for line in wrong:
        print("  wrong:", line)


if __name__ == "__main__":
    main()
