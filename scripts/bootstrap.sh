#!/usr/bin/env bash
# Installs the locked environment into .venv; sourced by the demo and test scripts.
# Needs only python3 (>= 3.11) and access to PyPI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UV_VERSION=0.13.9
if ! command -v python3 >/dev/null; then
  echo "python3 (3.11 or newer) is required" >&2; exit 1
fi
python3 - <<'PY' || { echo "Python 3.11 or newer is required" >&2; exit 1; }
import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  python3 -m venv .tools
  .tools/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON_DOWNLOADS=never
.tools/bin/uv sync --frozen --quiet --python python3
