"""Precision and recall of the conflict matcher on a labelled set of record pairs."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import msgspec

from deal_registration.matching import Customer, Policy, Verdict, classify, score


class Confusion(msgspec.Struct):
    true_positive: int = 0
    false_positive: int = 0
    true_negative: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positive + self.false_negative
        return self.true_positive / same if same else 1.0


def _customer(row: dict[str, str], side: str) -> Customer:
    return Customer(
        company_name=row[f"{side}_name"],
        tax_id=row[f"{side}_tax"],
        website=row[f"{side}_web"],
        phone=row[f"{side}_phone"],
        city=row[f"{side}_city"],
        country=row[f"{side}_country"],
    )


class LabelledPair(msgspec.Struct, frozen=True):
    category: str
    same: bool
    a: Customer
    b: Customer


def read_pairs(path: Path) -> list[LabelledPair]:
    with path.open(encoding="utf-8") as handle:
        return [
            LabelledPair(row["category"], row["same"] == "1", _customer(row, "a"), _customer(row, "b"))
            for row in csv.DictReader(handle)
        ]


def evaluate(path: Path, policy: Policy) -> tuple[Confusion, dict[str, Confusion], list[str]]:
    """Overall and per-category confusion at the policy's threshold, and the pairs it got wrong."""
    overall = Confusion()
    by_category: defaultdict[str, Confusion] = defaultdict(Confusion)
    wrong: list[str] = []
    for pair in read_pairs(path):
        result = score(pair.a, pair.b)
        flagged = classify(result, policy, other_protected=False) is not Verdict.DISTINCT
        same = pair.same
        for confusion in (overall, by_category[pair.category]):
            if flagged and same:
                confusion.true_positive += 1
            elif flagged:
                confusion.false_positive += 1
            elif same:
                confusion.false_negative += 1
            else:
                confusion.true_negative += 1
        if flagged != same:
            wrong.append(f"{pair.category}: {pair.a.company_name} | {pair.b.company_name} -> {result.score}")
    return overall, dict(by_category), wrong
