"""Render docs/security/authorization.md from docs/security/authorization.toml (the matrix the tests run).

Run: .venv/bin/python scripts/render_authorization.py   (CI checks the result is committed)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.access.matrix import actors_for, load_matrix  # noqa: E402

OUTPUT = ROOT / "docs" / "security" / "authorization.md"


def render() -> str:
    matrix = load_matrix()
    lines = [
        "# Authorization matrix",
        "",
        "Generated from `authorization.toml` by `scripts/render_authorization.py`; the tests in",
        "`tests/api/test_authorization_matrix.py` check every cell below on SQLite and PostgreSQL.",
        "",
        "The channel: `M` (manufacturer) supplies `D1` and `D2` (tier-1 distributors); `D1A` and `D2A` are",
        "tier-2 dealers under them; `S1` and `S1B` are stores under `D1A`, `S2` a store under `D2A`.",
        "Actors are named after their organisation and role (`d1_buyer` is a buyer at `D1`; `token_*` are",
        "API tokens). A cell is the HTTP status the request answers when it concerns an object of that",
        "organisation; 404 means the object is invisible and answers exactly like a missing one.",
        "",
        "| actor | organisation | roles | sees |",
        "| --- | --- | --- | --- |",
    ]
    for actor in matrix.actors.values():
        kind = "API token" if actor.token else "person"
        lines.append(
            f"| `{actor.name}` ({kind}) | {actor.organisation} | {', '.join(actor.roles)} | {', '.join(sorted(actor.sees))} |"
        )
    total = 0
    for route in matrix.routes:
        lines += ["", f"## `{route.key}`", ""]
        actors = actors_for(route, matrix)
        if route.object:
            lines.append(
                f"Object: {route.object}. "
                + ("Lists are checked to name nobody invisible." if route.scan else "")
            )
            lines.append("")
            lines.append("| actor | " + " | ".join(matrix.targets) + " |")
            lines.append("| --- |" + " --- |" * len(matrix.targets))
            for actor in actors:
                cells = [str(route.expected(actor, target)) for target in matrix.targets]
                total += len(cells)
                lines.append(f"| `{actor.name}` | " + " | ".join(cells) + " |")
        else:
            if route.scan:
                lines += ["Lists are checked to name nobody invisible.", ""]
            lines.append("| actor | status |")
            lines.append("| --- | --- |")
            for actor in actors:
                total += 1
                lines.append(f"| `{actor.name}` | {route.expected(actor, None)} |")
    lines += ["", f"{len(matrix.routes)} routes, {total} cases.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
