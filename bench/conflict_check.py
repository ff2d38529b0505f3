"""CONFLICT-1 and CONFLICT-2 (docs/performance.md): the conflict check among a million registrations.

    .venv/bin/python -m bench.conflict_check --database postgresql [--registrations 1000000]
    .venv/bin/python -m bench.conflict_check --database sqlite

Builds a scratch database (PostgreSQL: the database ``bench_conflict``, dropped and recreated;
SQLite: a temporary file) through the project's migrations, loads synthetic active registrations of
Chinese, English and German companies (names with legal forms and city prefixes, credit codes,
domains, phones; names drawn with a skewed distribution, as real ones are), drops and rebuilds the
key index to time it, then plants side A of every labelled pair of tests/data/company_pairs.csv under
a partner of its own and checks side B as another partner through the service's conflict check.

Prints: load and index build times; the p50/p99 of the conflict check; precision and recall on the
labelled pairs as found through the index at this size; how many probes also hit an unrelated
background registration; on PostgreSQL the p50/p99 of a raw-name trigram query (pg_trgm, GIN) in
the same run and the ratio of the two medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
from rich.progress import Progress

from bench.scratch import scratch_database, sqlite_path
from deal_registration.evaluation import read_pairs

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "company_pairs.csv"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
PRODUCT_LINES = ["ovens", "hobs", "hoods", "dishwashers", "fridges", "coffee"]
KEY_INDEX = "dealreg_registration_key_lookup"

CN_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "天津", "重庆"]
CN_INDUSTRIES = ["科技", "贸易", "电器", "餐饮管理", "酒店管理", "建材", "信息技术", "食品", "家居", "物流"]
CN_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
EN_SYLLABLES = [
    "kor",
    "van",
    "tek",
    "lum",
    "dar",
    "bel",
    "sol",
    "nor",
    "mar",
    "fen",
    "gal",
    "hal",
    "jor",
    "kel",
    "lin",
    "mon",
    "nex",
    "pal",
    "quin",
    "ros",
    "sar",
    "tal",
    "ul",
    "ver",
    "wyn",
    "zan",
    "bro",
    "cal",
    "den",
    "eld",
    "fir",
    "gor",
    "hav",
    "ist",
    "kan",
    "lor",
    "mer",
    "nol",
    "orb",
    "pry",
]
EN_WORDS = ["Systems", "Foods", "Hotels", "Trading", "Kitchens", "Holdings", "Retail", "Logistics"]
EN_FORMS = ["Inc.", "Ltd", "LLC", "Co., Ltd.", "Limited", "Corp."]
DE_WORDS = ["Haustechnik", "Gastronomie", "Küchen", "Handels", "Elektro", "Hotelbedarf"]
DE_FORMS = ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K."]


def _skewed(rnd: random.Random, items: list[str]) -> str:
    # Real names crowd on a few popular characters and syllables: index ~ the square of a uniform.
    return items[int(len(items) * rnd.random() ** 2)]


class Background:
    """Synthetic registrations that share no characters or syllables with the labelled pairs."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        labelled = "".join(p.a.company_name + p.b.company_name for p in read_pairs(PAIRS))
        common = (
            "安宝北博昌辰成诚创达大德鼎东丰福富港高广国海豪合和恒宏鸿华辉汇佳嘉建金锦京晶精久聚骏凯康科"
            "蓝乐力立联良林龙隆茂明铭南宁鹏平普旗启润瑞森善尚盛圣世顺泰腾天通同万旺威伟文祥翔新信星兴"
            "鑫旭亚炎阳耀一亿益易英永优宇裕源远跃云泽展长正志智中众卓"
        )
        self.chars = [c for c in dict.fromkeys(common) if c not in labelled]
        self.syllables = [s for s in EN_SYLLABLES if s not in labelled.lower()]

    def customer(self, n: int) -> dict[str, str]:
        rnd = self.rnd
        kind = rnd.random()
        if kind < 0.5:
            brand = "".join(_skewed(rnd, self.chars) for _ in range(rnd.choice((2, 2, 3))))
            city = rnd.choice(CN_CITIES) if rnd.random() < 0.4 else ""
            name = f"{city}{brand}{rnd.choice(CN_INDUSTRIES)}{rnd.choice(CN_FORMS)}"
            country, phone = "CN", f"+86 13{rnd.randrange(10)} {rnd.randrange(10**8):08d}"
            tax = f"91{rnd.randrange(10**6):06d}{rnd.randrange(36**10):010X}" if rnd.random() < 0.6 else ""
            web = f"{brand.encode('unicode_escape').decode()[2:10]}{n}.com.cn" if rnd.random() < 0.4 else ""
        else:
            brand = "".join(_skewed(rnd, self.syllables) for _ in range(rnd.choice((2, 3)))).title()
            if kind < 0.8:
                name = f"{brand} {rnd.choice(EN_WORDS)} {rnd.choice(EN_FORMS)}"
                country, phone = "GB", f"+44 20 7{rnd.randrange(10**7):07d}"
            else:
                name = f"{brand} {rnd.choice(DE_WORDS)} {rnd.choice(DE_FORMS)}"
                country, phone = "DE", f"+49 30 {rnd.randrange(10**7, 10**8)}"
            tax = f"{country}{rnd.randrange(10**9):09d}" if rnd.random() < 0.5 else ""
            web = f"{brand.lower()}{n}.example" if rnd.random() < 0.5 else ""
        return {
            "company_name": name,
            "tax_id": tax,
            "website": web,
            "phone": phone if rnd.random() < 0.4 else "",
            "city": "",
            "country": country,
        }


def _registration(
    number: str, programme: UUID, partner: UUID, customer: dict[str, str], lines: list[str]
) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "number": number,
        "programme_id": programme,
        "partner_id": partner,
        "partner_path": f"AURORA/P{partner.int % 10**6:06d}/",
        "status": "protected",
        "customer": json.dumps(customer, ensure_ascii=False),
        "product_lines": json.dumps(lines),
        "estimated_value": "50000",
        "currency": "CNY",
        "expected_close": None,
        "notes": "",
        "registered_by": "bench",
        "decided_by": "",
        "decision_reason": "",
        "protected_until": NOW + timedelta(days=90),
        "extensions_used": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _keys_of(customer: dict[str, str]) -> list[tuple[str, str]]:
    from deal_registration.matching import Customer, candidate_keys

    return [(k.kind, k.value) for k in candidate_keys(Customer(**customer))]


def _rows(
    count: int, seed: int, programme: UUID, partners: list[UUID]
) -> Iterator[tuple[dict[str, Any], list[tuple[str, str]]]]:
    background = Background(seed)
    rnd = random.Random(seed + 1)
    for n in range(count):
        customer = background.customer(n)
        lines = rnd.sample(PRODUCT_LINES, rnd.choice((1, 1, 2)))
        row = _registration(f"B{n:09d}", programme, rnd.choice(partners), customer, lines)
        yield row, _keys_of(customer)


class Loader:
    """Bulk loads registrations and their keys below the ORM: the load is setup, not the measure."""

    columns: list[str]

    async def open(self) -> None: ...

    async def load(self, batch: list[tuple[dict[str, Any], list[tuple[str, str]]]]) -> None: ...

    async def sql(self, statement: str) -> float:
        raise NotImplementedError

    async def close(self) -> None: ...


class SQLiteLoader(Loader):
    def __init__(self, path: str) -> None:
        self.path = path

    async def open(self) -> None:
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.columns = [r[1] for r in self.db.execute("PRAGMA table_info(dealreg_registration)")]

    @staticmethod
    def _value(value: Any) -> Any:
        # Piccolo keeps UUIDs and timestamps as text on SQLite.
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, datetime):
            return value.isoformat()
        return value

    async def load(self, batch: list[tuple[dict[str, Any], list[tuple[str, str]]]]) -> None:
        marks = ",".join("?" * len(self.columns))
        insert = f"INSERT INTO dealreg_registration ({','.join(self.columns)}) VALUES ({marks})"  # noqa: S608 (column names from the schema)
        self.db.executemany(
            insert,
            [tuple(self._value(row[c]) for c in self.columns) for row, _ in batch],
        )
        self.db.executemany(
            "INSERT INTO dealreg_registration_key (registration_id, kind, value) VALUES (?,?,?)",
            [(str(row["id"]), kind, value) for row, keys in batch for kind, value in keys],
        )
        self.db.commit()

    async def sql(self, statement: str) -> float:
        started = time.perf_counter()
        self.db.execute(statement)
        self.db.commit()
        return time.perf_counter() - started

    async def close(self) -> None:
        self.db.close()


class PostgresLoader(Loader):
    def __init__(self, url: str) -> None:
        self.url = url

    async def open(self) -> None:
        import asyncpg

        self.db = await asyncpg.connect(self.url)
        self.columns = [
            r["column_name"]
            for r in await self.db.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'dealreg_registration' ORDER BY ordinal_position"
            )
        ]

    async def load(self, batch: list[tuple[dict[str, Any], list[tuple[str, str]]]]) -> None:
        await self.db.copy_records_to_table(
            "dealreg_registration",
            records=[tuple(row[c] for c in self.columns) for row, _ in batch],
            columns=self.columns,
        )
        await self.db.copy_records_to_table(
            "dealreg_registration_key",
            records=[(row["id"], kind, value) for row, keys in batch for kind, value in keys],
            columns=["registration_id", "kind", "value"],
        )

    async def sql(self, statement: str) -> float:
        started = time.perf_counter()
        await self.db.execute(statement)
        return time.perf_counter() - started

    async def close(self) -> None:
        await self.db.close()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def run(database: str, count: int, seed: int) -> None:
    url = await scratch_database(database, "bench_conflict")
    loader: Loader = PostgresLoader(url) if database == "postgresql" else SQLiteLoader(sqlite_path(url))
    # The services find the engine through piccolo_conf, which reads DATABASE_URL on import.
    from channel.transactions import engine, is_postgres
    from deal_registration import matching
    from deal_registration.services.registrations import find_conflicts

    if is_postgres():  # as the server runs: a connection pool
        await engine().start_connection_pool(min_size=2, max_size=4)
    await loader.open()
    programme = uuid4()
    partners = [UUID(int=10**6 + n) for n in range(400)]
    print(
        f"CONFLICT-{'1' if database == 'postgresql' else '2'} on {database}: {count:,} active registrations"
    )

    await loader.sql(f"DROP INDEX {KEY_INDEX}")
    started = time.perf_counter()
    batch: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
    with Progress() as progress:
        task = progress.add_task("loading registrations", total=count)
        for item in _rows(count, seed, programme, partners):
            batch.append(item)
            if len(batch) == 20_000:
                await loader.load(batch)
                progress.advance(task, len(batch))
                batch = []
        if batch:
            await loader.load(batch)
            progress.advance(task, len(batch))
    load_seconds = time.perf_counter() - started
    build = await loader.sql(f"CREATE INDEX {KEY_INDEX} ON dealreg_registration_key (kind, value)")
    await loader.sql("ANALYZE")
    keys_per_registration = await _key_count(loader) / count
    print(
        f"  load {load_seconds:.0f} s; key index build {build:.1f} s ({keys_per_registration:.1f} keys each)"
    )

    pairs = read_pairs(PAIRS)
    planted = []
    for n, pair in enumerate(pairs):
        side_a = msgspec.to_builtins(pair.a)
        row = _registration(f"L{n:09d}", programme, UUID(int=2 * 10**6 + n), side_a, ["ovens"])
        planted.append((row, _keys_of(side_a)))
    await loader.load(planted)

    policy = matching.Policy()
    probes = [(n, pair, pair.b) for n, pair in enumerate(pairs)]
    for _, _, customer in probes[:20]:  # warm the connection pool and caches
        await find_conflicts(None, UUID(int=3 * 10**6), customer, frozenset({"ovens"}), policy)
    timings: list[float] = []
    confusion = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    background_hits = 0
    candidates_seen: list[int] = []
    for n, pair, customer in probes:
        started = time.perf_counter()
        found = await find_conflicts(None, UUID(int=3 * 10**6 + n), customer, frozenset({"ovens"}), policy)
        timings.append(time.perf_counter() - started)
        own = UUID(int=2 * 10**6 + n)
        flagged = any(other["partner_id"] == own for other, _, _ in found)
        background_hits += any(other["number"].startswith("B") for other, _, _ in found)
        candidates_seen.append(len(found))
        same = pair.same
        confusion[("t" if flagged == same else "f") + ("p" if flagged else "n")] += 1
    precision = confusion["tp"] / max(1, confusion["tp"] + confusion["fp"])
    recall = confusion["tp"] / max(1, confusion["tp"] + confusion["fn"])
    p50, p99 = statistics.median(timings), _percentile(timings, 0.99)
    print(f"  conflict check over {len(probes)} probes: p50 {_ms(p50)}, p99 {_ms(p99)}")
    print(
        f"  through the index: precision {precision:.3f}, recall {recall:.3f} "
        f"({confusion}); probes that also hit a background registration: {background_hits}"
    )
    if database == "postgresql":
        await _trigram_baseline(loader, [c.company_name for _, _, c in probes], p50)
    else:
        print("  target: p99 <= 250 ms")
    await loader.close()
    if is_postgres():
        await engine().close_connection_pool()


async def _key_count(loader: Loader) -> int:
    if isinstance(loader, SQLiteLoader):
        return int(loader.db.execute("SELECT count(*) FROM dealreg_registration_key").fetchone()[0])
    assert isinstance(loader, PostgresLoader)
    return int(await loader.db.fetchval("SELECT count(*) FROM dealreg_registration_key"))


async def _trigram_baseline(loader: Loader, names: list[str], check_p50: float) -> None:
    assert isinstance(loader, PostgresLoader)
    await loader.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    build = await loader.sql(
        "CREATE INDEX bench_registration_name_trgm ON dealreg_registration "
        "USING gin ((customer->>'company_name') gin_trgm_ops)"
    )
    await loader.sql("ANALYZE dealreg_registration")
    query = (
        "SELECT id, customer FROM dealreg_registration "
        "WHERE (customer->>'company_name') % $1 AND status = 'protected'"
    )
    for name in names[:20]:
        await loader.db.fetch(query, name)
    timings = []
    for name in names:
        started = time.perf_counter()
        await loader.db.fetch(query, name)
        timings.append(time.perf_counter() - started)
    p50, p99 = statistics.median(timings), _percentile(timings, 0.99)
    print(f"  raw-name trigram query (pg_trgm GIN, built in {build:.1f} s): p50 {_ms(p50)}, p99 {_ms(p99)}")
    print(
        f"  ratio of medians (check / trigram): {check_p50 / p50:.2f} "
        "(target <= 0.20; absolute: p50 <= 10 ms, p99 <= 50 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(run(args.database, args.registrations, args.seed))


if __name__ == "__main__":
    main()
