#!/usr/bin/env bash
# Sets up everything and runs the demo: SQLite database, demo channel, server on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/system-packages.sh
scripts/bootstrap.sh
exec .venv/bin/portal demo "$@"
