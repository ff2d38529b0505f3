"""Is this the same end customer? Identity keys, company-name normalisation, and a scored verdict.

Two registrations are compared on exact keys first (tax or registration number, web domain, phone)
and then on the company name once legal forms, places and noise are removed:
"北京小米科技有限责任公司" and "小米科技", "Siemens AG" and "SIEMENS Aktiengesellschaft" become the
same core name. ``candidate_keys`` gives the keys a registration is filed under, so the database
finds the few candidates by equality (on SQLite and PostgreSQL alike) before ``score`` compares them.
Every result carries its evidence as reason codes; the portal turns them into sentences.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache

import msgspec
import phonenumbers
from rapidfuzz import fuzz

# --- legal forms and places -----------------------------------------------------------------------

_LEGAL_FORMS_CJK = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "总公司",
    "集团",
    "公司",
    "控股",
    "股份",
)
_LEGAL_FORMS_LATIN = (
    "gmbh and co kg",
    "gmbh & co kg",
    "gmbh & co. kg",
    "ug (haftungsbeschrankt)",
    "ug haftungsbeschrankt",
    "aktiengesellschaft",
    "gesellschaft mit beschrankter haftung",
    "incorporated",
    "corporation",
    "limited",
    "company",
    "holdings",
    "holding",
    "group",
    "gmbh",
    "co kg",
    "ohg",
    "e k",
    "e.k.",
    "pty ltd",
    "pte ltd",
    "s p a",
    "s r l",
    "s a s",
    "sarl",
    "s a",
    "b v",
    "n v",
    "inc",
    "corp",
    "co",
    "ltd",
    "llc",
    "llp",
    "plc",
    "ag",
    "se",
    "kg",
    "ug",
    "oy",
    "ab",
    "as",
    "bv",
    "nv",
    "sa",
    "spa",
    "srl",
)
# Provinces, municipalities and large cities that lead Chinese company names, with their pinyin.
_PLACES = {
    "北京": "beijing",
    "上海": "shanghai",
    "天津": "tianjin",
    "重庆": "chongqing",
    "广东": "guangdong",
    "广州": "guangzhou",
    "深圳": "shenzhen",
    "江苏": "jiangsu",
    "南京": "nanjing",
    "苏州": "suzhou",
    "无锡": "wuxi",
    "常州": "changzhou",
    "浙江": "zhejiang",
    "杭州": "hangzhou",
    "宁波": "ningbo",
    "温州": "wenzhou",
    "山东": "shandong",
    "济南": "jinan",
    "青岛": "qingdao",
    "河北": "hebei",
    "石家庄": "shijiazhuang",
    "河南": "henan",
    "郑州": "zhengzhou",
    "湖北": "hubei",
    "武汉": "wuhan",
    "湖南": "hunan",
    "长沙": "changsha",
    "四川": "sichuan",
    "成都": "chengdu",
    "福建": "fujian",
    "福州": "fuzhou",
    "厦门": "xiamen",
    "安徽": "anhui",
    "合肥": "hefei",
    "陕西": "shaanxi",
    "西安": "xian",
    "辽宁": "liaoning",
    "沈阳": "shenyang",
    "大连": "dalian",
    "吉林": "jilin",
    "长春": "changchun",
    "黑龙江": "heilongjiang",
    "哈尔滨": "harbin",
    "江西": "jiangxi",
    "南昌": "nanchang",
    "广西": "guangxi",
    "南宁": "nanning",
    "云南": "yunnan",
    "昆明": "kunming",
    "贵州": "guizhou",
    "贵阳": "guiyang",
    "山西": "shanxi",
    "太原": "taiyuan",
    "内蒙古": "neimenggu",
    "新疆": "xinjiang",
    "海南": "hainan",
    "海口": "haikou",
    "甘肃": "gansu",
    "兰州": "lanzhou",
    "东莞": "dongguan",
    "佛山": "foshan",
    "珠海": "zhuhai",
    "香港": "hongkong",
}
_PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市", "区", "县")
_PINYIN_PLACES = frozenset(_PLACES.values()) | {"hong kong", "xi an"}
_PLACES_BY_LENGTH = sorted(_PLACES, key=len, reverse=True)

# Words so common in company names that alone they say nothing (weak evidence only).
_GENERIC = frozenset(
    {
        "technology",
        "technologies",
        "tech",
        "trading",
        "international",
        "industrial",
        "industries",
        "electronics",
        "electric",
        "systems",
        "solutions",
        "services",
        "hotel",
        "hotels",
        "the",
        "and",
        "und",
    }
)
_GENERIC_CJK = ("科技", "技术", "贸易", "实业", "电子", "电器", "国际", "发展", "信息", "网络")

FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "foxmail.com",
        "aliyun.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "freenet.de",
        "aol.com",
        "proton.me",
        "protonmail.com",
    }
)


def _fold(text: str) -> str:
    """Full-width to half-width, case folded, accents off (ä -> a), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class CompanyName(msgspec.Struct, frozen=True):
    core: str  # what is left: "xiaomi", "小米", "siemens"
    place: str = ""  # a leading place, in pinyin: "beijing"
    legal_form: str = ""
    generic: bool = False  # the core is only generic words ("international trading")


@lru_cache(maxsize=8192)  # bounded: names come from users
def normalise_name(raw: str) -> CompanyName:
    text = _fold(raw)
    text = re.sub(r"[()（）\[\]【】]", " ", text)
    if _is_cjk(text):
        return _normalise_cjk(text)
    return _normalise_latin(text)


def _normalise_cjk(text: str) -> CompanyName:
    text = re.sub(r"[\s\W_]+", "", text)
    place = ""
    for name in _PLACES_BY_LENGTH:
        if text.startswith(name):
            place = _PLACES[name]
            text = text[len(name) :]
            for suffix in _PLACE_SUFFIXES:
                if text.startswith(suffix):
                    text = text[len(suffix) :]
                    break
            # "广东省深圳市...": a province, then its city
            for city in _PLACES_BY_LENGTH:
                if text.startswith(city):
                    place = _PLACES[city]
                    text = text[len(city) :]
                    for suffix in _PLACE_SUFFIXES:
                        if text.startswith(suffix):
                            text = text[len(suffix) :]
                            break
                    break
            break
    legal = ""
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS_CJK:
            if text.endswith(form) and len(text) > len(form):
                legal = legal or form
                text = text[: -len(form)]
                changed = True
    core = text
    for word in _GENERIC_CJK:
        if core.endswith(word) and len(core) > len(word) + 1:
            core = core[: -len(word)]
            break
    return CompanyName(core=core, place=place, legal_form=legal, generic=len(core) < 2)


def _normalise_latin(text: str) -> CompanyName:
    text = text.replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    legal = ""
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS_LATIN:
            plain = re.sub(r"[^\w\s]", " ", form).strip()
            plain = re.sub(r"\s+", " ", plain)
            if text.endswith(" " + plain):
                legal = legal or plain
                text = text[: -len(plain) - 1].strip()
                changed = True
    words = text.split()
    place = ""
    if len(words) > 1 and words[0] in _PINYIN_PLACES:
        place, words = words[0], words[1:]
    meaningful = [w for w in words if w not in _GENERIC and w != "and"]
    core = " ".join(meaningful or words)
    return CompanyName(core=core, place=place, legal_form=legal, generic=not meaningful)


# --- identifiers ----------------------------------------------------------------------------------

_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_valid(code: str) -> bool:
    """A Chinese unified social credit code (GB 32100-2015): 18 characters, the last a check digit."""
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in _CREDIT_CODE_CHARS for ch in code):
        return False
    total = sum(
        _CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(code[:17], _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


def normalise_tax_id(raw: str) -> str:
    return re.sub(r"[\s.\-/]", "", _fold(raw)).upper()


def domain_of(raw: str) -> str:
    """The organisation's own web domain from a URL, a bare domain or an e-mail; "" for free mail."""
    text = _fold(raw)
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    if not re.fullmatch(r"[\w.-]+\.[\w-]{2,}", text):
        return ""
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return "" if text in FREE_MAIL else text


def phone_of(raw: str, country: str) -> str:
    """E.164 ("+862150000000") when the number is valid for the country; "" otherwise."""
    if not raw.strip():
        return ""
    try:
        number = phonenumbers.parse(raw, (country or "CN").upper())
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- keys and scores ------------------------------------------------------------------------------


class Customer(msgspec.Struct, frozen=True, kw_only=True):
    """What is compared of an end customer."""

    company_name: str
    tax_id: str = ""
    website: str = ""  # a URL, a domain or an e-mail address
    phone: str = ""
    city: str = ""
    country: str = ""


class MatchKey(msgspec.Struct, frozen=True):
    kind: str  # tax | domain | phone | name | name_prefix
    value: str


def candidate_keys(customer: Customer) -> list[MatchKey]:
    """The keys to file a registration under and to look candidates up by (equality only)."""
    keys: list[MatchKey] = []
    if tax := normalise_tax_id(customer.tax_id):
        keys.append(MatchKey("tax", tax))
    if domain := domain_of(customer.website):
        keys.append(MatchKey("domain", domain))
    if phone := phone_of(customer.phone, customer.country):
        keys.append(MatchKey("phone", phone))
    name = normalise_name(customer.company_name)
    if name.core and _is_cjk(name.core):
        keys.append(MatchKey("name", name.core.replace(" ", "")))
        keys.append(MatchKey("name_prefix", name.core[:2]))
    elif name.core:
        keys.append(MatchKey("name", _skeleton(name.core.replace(" ", ""))))
        keys.extend(MatchKey("name_prefix", p) for p in _one_edit_variants(_skeleton(name.core.split()[0])))
    return sorted(set(keys), key=lambda k: (k.kind, k.value))


def _skeleton(word: str) -> str:
    """A Latin name's spelling for lookup: umlauts written out or not ("Mueller", "Muller" and
    "Müller" alike) and doubled letters once ("Sappphire", "Sapphire")."""
    word = word.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return re.sub(r"(.)\1+", r"\1", word)


def _one_edit_variants(word: str) -> set[str]:
    """The first word's head and the head with each letter dropped: two heads one typo apart
    (a letter missing, extra or wrong) share one of these, so a typo still finds its candidates."""
    head = word[:6]
    if len(head) < 4:
        return {head}
    return {head} | {head[:i] + head[i + 1 :] for i in range(len(head))}


class Evidence(msgspec.Struct, frozen=True):
    code: str  # tax_equal, tax_differs, domain_equal, phone_equal, name_similar, place_differs ...
    params: dict[str, object] = {}


class MatchResult(msgspec.Struct, frozen=True):
    score: int  # 0..100
    exact: bool  # an identity key is equal
    evidence: list[Evidence]


def name_similarity(a: CompanyName, b: CompanyName) -> int:
    if not a.core or not b.core:
        return 0
    if a.core == b.core:
        return 100
    left, right = a.core.replace(" ", ""), b.core.replace(" ", "")
    if _is_cjk(left) != _is_cjk(right):
        return 0
    token = fuzz.token_sort_ratio(a.core, b.core)
    plain = fuzz.ratio(left, right)
    # One name contained in the other ("小米" in "小米通讯") counts, but less than an equal name.
    contained = 88 if (left in right or right in left) and min(len(left), len(right)) >= 2 else 0
    return round(max(token, plain, contained))


def score(new: Customer, existing: Customer) -> MatchResult:
    """How surely two records are the same company, and why; symmetric."""
    evidence: list[Evidence] = []
    tax_a, tax_b = normalise_tax_id(new.tax_id), normalise_tax_id(existing.tax_id)
    domain_a, domain_b = domain_of(new.website), domain_of(existing.website)
    phone_a, phone_b = phone_of(new.phone, new.country), phone_of(existing.phone, existing.country)
    exact = False
    if tax_a and tax_b:
        if tax_a == tax_b:
            evidence.append(Evidence("tax_equal"))
            exact = True
        else:
            evidence.append(Evidence("tax_differs"))
    if domain_a and domain_a == domain_b:
        evidence.append(Evidence("domain_equal", {"domain": domain_a}))
        exact = True
    if phone_a and phone_a == phone_b:
        evidence.append(Evidence("phone_equal"))
        exact = True
    name_a, name_b = normalise_name(new.company_name), normalise_name(existing.company_name)
    similarity = name_similarity(name_a, name_b)
    if similarity:
        evidence.append(Evidence("name_similar", {"similarity": similarity}))
    places_differ = bool(name_a.place and name_b.place and name_a.place != name_b.place)
    cities_differ = bool(new.city and existing.city and _fold(new.city) != _fold(existing.city))
    if places_differ or cities_differ:
        evidence.append(Evidence("place_differs"))
    if exact:
        value = 100
    else:
        value = similarity
        if tax_a and tax_b:  # both gave a tax number and they differ: two companies of one name
            value = min(value, 40)
        if places_differ or cities_differ:
            value -= 25
        if name_a.generic or name_b.generic:
            value -= 20
    return MatchResult(score=max(0, min(100, value)), exact=exact, evidence=evidence)


class Verdict(StrEnum):
    BLOCK = "block"  # an identity key equals a protected registration's: refused at once
    REVIEW = "review"  # likely the same customer: the channel manager decides
    DISTINCT = "distinct"  # clearly another customer


class Policy(msgspec.Struct, frozen=True, kw_only=True):
    review_at: int = 85  # the default threshold: at or above, a channel manager looks
    block_exact_duplicates: bool = True


def classify(result: MatchResult, policy: Policy, *, other_protected: bool) -> Verdict:
    if result.exact and other_protected and policy.block_exact_duplicates:
        return Verdict.BLOCK
    if result.exact or result.score >= policy.review_at:
        return Verdict.REVIEW
    return Verdict.DISTINCT


def products_overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    """Registrations collide only when their product lines do; none named means all lines."""
    return not a or not b or bool(a & b)
