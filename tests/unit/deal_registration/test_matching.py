"""Who is the same end customer: names in Chinese, English and German, identifiers, and the labelled set."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from deal_registration.evaluation import evaluate, read_pairs
from deal_registration.matching import (
    Customer,
    Policy,
    Verdict,
    candidate_keys,
    classify,
    credit_code_valid,
    domain_of,
    normalise_name,
    phone_of,
    products_overlap,
    score,
)

PAIRS = Path(__file__).resolve().parents[2] / "data" / "company_pairs.csv"


def test_legal_forms_places_and_full_width_fall_away() -> None:
    assert normalise_name("北京小米科技有限责任公司").core == normalise_name("小米科技").core == "小米"
    assert normalise_name("广东省深圳市华星光电有限公司").place == "shenzhen"
    assert normalise_name("Siemens AG").core == normalise_name("SIEMENS Aktiengesellschaft").core == "siemens"
    assert (
        normalise_name("Ｌａｋｅｖｉｅｗ Ｈｏｔｅｌｓ Ｌｔｄ．").core
        == normalise_name("Lakeview Hotels Limited").core
    )
    assert normalise_name("Fischer & Söhne GmbH & Co. KG").core == "fischer sohne"
    assert normalise_name("International Trading Co., Ltd.").generic


def test_identifiers_are_checked_and_normalised() -> None:
    assert credit_code_valid("91350100M000100Y43")
    assert not credit_code_valid("91350100M000100Y44")
    assert domain_of("https://www.Huawei.com/en/contact") == domain_of("sales@huawei.com") == "huawei.com"
    assert domain_of("buyer@gmail.com") == ""  # free mail says nothing about the company
    assert phone_of("021 5555 0000", "CN") == "+862155550000"
    assert phone_of("030 1234567", "DE") == "+49301234567"
    assert phone_of("12", "CN") == ""


def test_two_records_of_one_company_share_a_candidate_key() -> None:
    a = Customer(company_name="北京小米科技有限责任公司", website="www.mi.com")
    b = Customer(company_name="小米科技", phone="", website="")

    assert set(candidate_keys(a)) & set(candidate_keys(b))


def test_a_typo_or_an_umlaut_spelt_out_still_finds_the_registration() -> None:
    pairs = [
        ("Summit Kitchens Ltd", "Sumit Kitchens Ltd"),
        ("Hrbor Point Hospitality Ltd", "Harbor Point Hospitality Ltd"),
        ("Sappphire Suites Ltd", "Sapphire Suites Ltd"),
        ("Müller Küchenstudio GmbH", "Mueller Kuechenstudio GmbH"),
        ("Bäckerei Schäfer GmbH", "Baeckerei Schaefer GmbH"),
    ]

    for a, b in pairs:
        assert set(candidate_keys(Customer(company_name=a))) & set(candidate_keys(Customer(company_name=b)))


def test_every_labelled_pair_the_matcher_flags_is_found_through_the_key_index() -> None:
    missed = [
        f"{pair.a.company_name} | {pair.b.company_name}"
        for pair in read_pairs(PAIRS)
        if classify(score(pair.a, pair.b), Policy(), other_protected=False) is not Verdict.DISTINCT
        and not set(candidate_keys(pair.a)) & set(candidate_keys(pair.b))
    ]

    assert missed == []


def test_an_equal_tax_number_of_a_protected_registration_blocks_and_a_differing_one_separates() -> None:
    same = score(
        Customer(company_name="Acme GmbH", tax_id="DE 123 456 789"),
        Customer(company_name="ACME Küchen", tax_id="DE123456789"),
    )
    twins = score(
        Customer(company_name="Star Hotel", tax_id="A1"), Customer(company_name="Star Hotel", tax_id="B2")
    )

    assert classify(same, Policy(), other_protected=True) is Verdict.BLOCK
    assert same.evidence[0].code == "tax_equal"
    assert classify(twins, Policy(), other_protected=False) is Verdict.DISTINCT


def test_registrations_collide_only_when_their_product_lines_do() -> None:
    assert products_overlap(frozenset({"HOBS"}), frozenset({"HOBS", "HOODS"}))
    assert not products_overlap(frozenset({"HOBS"}), frozenset({"LAUNDRY"}))
    assert products_overlap(frozenset(), frozenset({"LAUNDRY"}))


def test_the_labelled_set_is_matched_with_precision_and_recall_of_at_least_095() -> None:
    overall, _, wrong = evaluate(PAIRS, Policy())

    total = overall.true_positive + overall.false_positive + overall.true_negative + overall.false_negative
    assert total >= 300
    print(f"precision {overall.precision:.3f} recall {overall.recall:.3f}", *wrong, sep="\n")
    assert overall.precision >= 0.95 and overall.recall >= 0.95


names = st.text(
    alphabet=st.sampled_from(list("abcdefgh 小米华星光电有限公司GmbH&.()")), min_size=1, max_size=30
)


@settings(max_examples=200, deadline=None)
@given(names, names)
def test_scores_are_symmetric_a_record_matches_itself_and_normalising_twice_changes_nothing(
    a: str, b: str
) -> None:
    left, right = Customer(company_name=a), Customer(company_name=b)

    assert score(left, right).score == score(right, left).score
    if normalise_name(a).core:
        assert score(left, left).score >= 75  # 100 unless the name is only generic words
    once = normalise_name(a).core
    assert normalise_name(once).core == once or not once
