#!/usr/bin/env bash
# Sets up everything and runs the test suites (unit, integration, API) on SQLite, or on PostgreSQL
# when TEST_DATABASE_URL names a database (its public schema is dropped and rebuilt).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/e2e for the browser tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/system-packages.sh
scripts/bootstrap.sh
exec .venv/bin/pytest "$@"
