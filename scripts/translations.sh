#!/usr/bin/env bash
# Re-extracts the portal's text into portal/locale/messages.pot and brings every catalogue up to date;
# run it after adding or changing text, then translate the new entries in each messages.po.
# A new language: .venv/bin/pybabel init -i portal/locale/messages.pot -d portal/locale -l <locale>,
# then add the locale to SUPPORTED_LOCALES in portal/i18n.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYBABEL=.venv/bin/pybabel
POT=portal/locale/messages.pot
if [ ! -x "$PYBABEL" ]; then
  echo "$PYBABEL not found; run scripts/bootstrap.sh first" >&2; exit 1
fi

# File names without line numbers, sorted by place, no wrapping: a diff shows only changed text.
new_pot=$(mktemp)
trap 'rm -f "$new_pot"' EXIT
"$PYBABEL" --quiet extract -F babel.cfg -o "$new_pot" \
  --project="Channel Portal" --copyright-holder="Channel Portal" \
  --add-comments=Translators: --add-location=file --sort-by-file --no-wrap .

# Keep the old template when only its creation date differs, so an unchanged source changes no file.
if [ -f "$POT" ] && diff -q -I '^"POT-Creation-Date: ' "$POT" "$new_pot" >/dev/null; then
  echo "$POT is up to date"
else
  cat "$new_pot" >"$POT"
  echo "wrote $POT"
fi

# Exact matches only: a guessed (fuzzy) translation is worse than none. Entries whose text left the
# sources are dropped; git keeps them.
"$PYBABEL" --quiet update -i "$POT" -d portal/locale \
  --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --no-wrap

# What is left to translate, per catalogue.
for po in portal/locale/*/LC_MESSAGES/messages.po; do
  .venv/bin/python - "$po" <<'PY'
import sys

from babel.messages.pofile import read_po

with open(sys.argv[1], "rb") as handle:
    catalog = read_po(handle)
entries = [m for m in catalog if m.id]
todo = [m for m in entries if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))]
print(f"{sys.argv[1]}: {len(todo)} of {len(entries)} messages to translate")
PY
done
