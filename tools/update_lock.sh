#!/bin/sh
# Regenerate requirements.lock, the whole Python environment (every transitive dependency, exact versions),
# from the dependencies in pyproject.toml: resolve them in a fresh Python 3.11 venv, then freeze it.
# Run from the repository root after changing a dependency in pyproject.toml:  sh tools/update_lock.sh
# tests/test_environment.py checks that the lock pins every declared dependency and is closed.
set -e
PYTHON="${PYTHON:-python3.11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet ".[test,browser]"
{
  sed -n '/^#/p' requirements.lock 2>/dev/null | sed '/^# ---- end of header/q'
  "$work/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v -i '^bigmed-utils' | LC_ALL=C sort -f
} > requirements.lock.new
mv requirements.lock.new requirements.lock
echo "requirements.lock: $(grep -c '==' requirements.lock) packages"
