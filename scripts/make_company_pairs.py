"""Writes tests/data/company_pairs.csv: labelled pairs of end-customer records for conflict matching.

The pairs are composed from hand-picked company names and the ways partners really write them
(legal forms in Chinese, English and German, city and province prefixes, full-width characters,
abbreviations, typos, free-mail addresses) and hand-picked hard negatives (one name, two tax
numbers; one name, two cities; generic names). Run it again after changing a list; the output is
deterministic.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "company_pairs.csv"
COLUMNS = [
    "category",
    "same",
    "a_name",
    "a_tax",
    "a_web",
    "a_phone",
    "a_city",
    "a_country",
    "b_name",
    "b_tax",
    "b_web",
    "b_phone",
    "b_city",
    "b_country",
]

CN = [
    "小米",
    "华星光电",
    "海天味业",
    "蓝月亮",
    "格力",
    "美的",
    "九阳",
    "苏泊尔",
    "老板电器",
    "方太",
    "万科",
    "碧桂园",
    "锦江之星",
    "如家",
    "汉庭",
    "海底捞",
    "西贝",
    "喜茶",
    "蜜雪冰城",
    "元气森林",
    "安踏",
    "李宁",
    "波司登",
    "森马",
    "三只松鼠",
    "良品铺子",
    "立白",
    "纳爱斯",
    "洽洽",
    "恰恰香",
]
CN_PLACES = [
    ("北京", "北京市"),
    ("上海", "上海市"),
    ("广东省深圳", "深圳市"),
    ("浙江省杭州", "杭州市"),
    ("江苏省南京", "南京市"),
    ("成都", "成都市"),
]
EN = [
    "Lakeview Hotels",
    "Northwind Traders",
    "Blue Harbor Foods",
    "Summit Kitchens",
    "Crescent Dining",
    "Evergreen Property",
    "Silverline Catering",
    "Redwood Restaurants",
    "Golden Gate Interiors",
    "Harbor Point Hospitality",
    "Maple Leaf Apartments",
    "Oakridge Facilities",
    "Sunrise Bakeries",
    "Pinecrest Resorts",
    "Riverbend Clinics",
    "Stonebridge Builders",
    "Bright Horizons Schools",
    "Westfield Canteens",
    "Clearwater Spas",
    "Ironwood Fitness",
    "Sapphire Suites",
    "Copperfield Kitchens",
    "Granite Peak Lodges",
    "Meadowbrook Care",
    "Falcon Logistics",
]
DE = [
    "Müller Küchenstudio",
    "Schneider Gastronomie",
    "Hotel Seeblick",
    "Bäckerei Schäfer",
    "Weber Objekteinrichtung",
    "Fischer & Söhne",
    "Becker Hausbau",
    "Hoffmann Kantinen",
    "Schulz Immobilien",
    "Koch Catering",
    "Bauer Kliniken",
    "Richter Wohnbau",
    "Klein Hotelbetriebe",
    "Wolf Systemgastronomie",
    "Neumann Pflegeheime",
    "Schwarz Küchenplanung",
    "Zimmermann Ferienwohnungen",
    "Braun Großküchen",
    "Krüger Bauträger",
    "Hartmann Kitas",
]
DE_FORMS = [
    ("GmbH", "Gesellschaft mit beschränkter Haftung"),
    ("AG", "Aktiengesellschaft"),
    ("GmbH & Co. KG", "GmbH & Co KG"),
    ("UG (haftungsbeschränkt)", "UG"),
]
EN_FORMS = [
    ("Inc.", "Incorporated"),
    ("Ltd", "Limited"),
    ("Corp.", "Corporation"),
    ("LLC", "L.L.C."),
    ("Co., Ltd.", "Company Limited"),
]
CN_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
UNRELATED_CN = [
    ("华润万家", "永辉超市"),
    ("格力", "格林"),
    ("美的", "美菱"),
    ("海尔", "海信"),
    ("方太", "方正"),
    ("小米", "小马"),
    ("九阳", "九牧"),
    ("老板电器", "老凤祥"),
    ("汉庭", "汉堡王"),
    ("西贝", "西门子"),
]


def credit_code(rnd: random.Random) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = (
        "91"
        + "".join(rnd.choice("0123456789") for _ in range(6))
        + "".join(rnd.choice(chars) for _ in range(9))
    )
    total = sum(chars.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + chars[(31 - total % 31) % 31]


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def typo(rnd: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rnd.choice(letters[1:-1] or letters)
    return text[:i] + text[i + 1 :] if rnd.random() < 0.5 else text[:i] + text[i] + text[i:]


def main() -> None:
    rnd = random.Random(20261123)
    rows: list[list[str]] = []

    def add(category: str, same: bool, a: tuple[str, ...], b: tuple[str, ...]) -> None:
        a_full = (list(a) + [""] * 6)[:6]
        b_full = (list(b) + [""] * 6)[:6]
        rows.append([category, "1" if same else "0", *a_full, *b_full])

    for core in CN:
        add(
            "cn_legal_form",
            True,
            (f"{core}{rnd.choice(CN_FORMS)}", "", "", "", "", "CN"),
            (core, "", "", "", "", "CN"),
        )
        place, _ = rnd.choice(CN_PLACES)
        add(
            "cn_place_prefix",
            True,
            (f"{place}{core}{rnd.choice(CN_FORMS)}", "", "", "", "", "CN"),
            (f"{core}有限公司", "", "", "", "", "CN"),
        )
        add(
            "cn_fullwidth",
            True,
            (fullwidth(f"{core}（中国）有限公司"), "", "", "", "", "CN"),
            (f"{core}(中国)有限公司", "", "", "", "", "CN"),
        )
        code = credit_code(rnd)
        add(
            "cn_same_credit_code",
            True,
            (f"{core}{CN_FORMS[0]}", code, "", "", "", "CN"),
            (f"{core}集团", code, "", "", "", "CN"),
        )
        (p1, c1), (p2, c2) = rnd.sample(CN_PLACES, 2)
        add(
            "cn_same_name_other_city",
            False,
            (f"{p1}{core}餐饮有限公司", "", "", "", c1, "CN"),
            (f"{p2}{core}餐饮有限公司", "", "", "", c2, "CN"),
        )
        add(
            "cn_same_name_other_credit_code",
            False,
            (f"{core}{CN_FORMS[0]}", credit_code(rnd), "", "", "", "CN"),
            (f"{core}{CN_FORMS[1]}", credit_code(rnd), "", "", "", "CN"),
        )
    for a, b in UNRELATED_CN:
        add(
            "cn_similar_but_different",
            False,
            (f"{a}有限公司", "", "", "", "", "CN"),
            (f"{b}有限公司", "", "", "", "", "CN"),
        )
    for name in EN:
        short, long_ = rnd.choice(EN_FORMS)
        add(
            "en_legal_form",
            True,
            (f"{name} {short}", "", "", "", "", "US"),
            (f"{name.upper()} {long_}", "", "", "", "", "US"),
        )
        add(
            "en_fullwidth",
            True,
            (fullwidth(f"{name} Ltd."), "", "", "", "", "CN"),
            (f"{name} Limited", "", "", "", "", "CN"),
        )
        add(
            "en_typo",
            True,
            (f"{name} Ltd", "", "", "", "", "GB"),
            (f"{typo(rnd, name)} Ltd", "", "", "", "", "GB"),
        )
        domain = name.lower().replace(" ", "") + ".com"
        add(
            "same_domain_other_name",
            True,
            (f"{name} Inc.", "", f"https://www.{domain}/contact", "", "", "US"),
            (name.split()[0] + " Group", "", f"purchasing@{domain}", "", "", "US"),
        )
        add(
            "free_mail_is_not_identity",
            False,
            (f"{name} Inc.", "", "buyer.one@gmail.com", "", "", "US"),
            (rnd.choice([n for n in EN if n != name]) + " LLC", "", "buyer.one@gmail.com", "", "", "US"),
        )
        other = rnd.choice([n for n in EN if n.split()[0] != name.split()[0]])
        add(
            "en_different",
            False,
            (f"{name} Ltd", "", "", "", "", "GB"),
            (f"{other} Ltd", "", "", "", "", "GB"),
        )
    for name in DE:
        short, long_ = rnd.choice(DE_FORMS)
        add(
            "de_legal_form",
            True,
            (f"{name} {short}", "", "", "", "Berlin", "DE"),
            (f"{name} {long_}", "", "", "", "Berlin", "DE"),
        )
        plain = name.replace("ü", "ue").replace("ä", "ae").replace("ö", "oe").replace("ß", "ss")
        add(
            "de_umlaut_spelling",
            True,
            (f"{name} GmbH", "", "", "", "", "DE"),
            (f"{plain} GmbH", "", "", "", "", "DE"),
        )
        phone = f"+49 30 {rnd.randint(2000000, 9999999)}"
        add(
            "same_phone",
            True,
            (f"{name} GmbH", "", "", phone, "", "DE"),
            (f"{name.split()[0]} Service GmbH", "", "", phone.replace(" ", "").replace("+49", "0"), "", "DE"),
        )
        vat_a, vat_b = f"DE{rnd.randint(100000000, 999999999)}", f"DE{rnd.randint(100000000, 999999999)}"
        add(
            "de_same_name_other_vat",
            False,
            (f"{name} GmbH", vat_a, "", "", "Hamburg", "DE"),
            (f"{name} GmbH", vat_b, "", "", "München", "DE"),
        )
        other = rnd.choice([n for n in DE if n.split()[0] != name.split()[0]])
        add(
            "de_different",
            False,
            (f"{name} GmbH", "", "", "", "", "DE"),
            (f"{other} GmbH", "", "", "", "", "DE"),
        )
    generic = [
        "International Trading",
        "Global Trading",
        "Asia Pacific Trading",
        "United Industrial",
        "General Services",
        "China Technology",
        "Euro Hotel Services",
    ]
    for a in generic:
        for b in generic:
            if a < b:
                add(
                    "generic_names",
                    False,
                    (f"{a} Co., Ltd.", "", "", "", "", "CN"),
                    (f"{b} Co., Ltd.", "", "", "", "", "CN"),
                )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
