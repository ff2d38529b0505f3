"""Run pip-audit on the locked dependencies and say how many were actually audited.

pip-audit reports "No known vulnerabilities found" even when it could reach no vulnerability
service and audited nothing (every package "not found"). This wrapper prints the real coverage,
fails on any known vulnerability, and warns loudly when nothing could be checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as requirements:
        subprocess.run(
            [
                str(ROOT / ".tools/bin/uv"),
                "export",
                "--frozen",
                "--no-hashes",
                "--no-emit-project",
                "--format",
                "requirements-txt",
            ],
            cwd=ROOT,
            check=True,
            stdout=requirements,
        )
        result = subprocess.run(
            [
                str(ROOT / ".venv/bin/pip-audit"),
                "--requirement",
                requirements.name,
                "--no-deps",
                "--disable-pip",
                "--progress-spinner",
                "off",
                "--format",
                "json",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr or result.stdout)
        return 1
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"pip-audit: {audited} of {len(dependencies)} locked packages audited, {len(vulnerable)} vulnerable"
    )
    if audited == 0:
        print(
            "WARNING: no vulnerability service was reachable from this machine (PyPI's JSON API and OSV); "
            "nothing was audited. Run scripts/audit_dependencies.py where they are reachable."
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
