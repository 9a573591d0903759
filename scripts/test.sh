#!/usr/bin/env bash
# Install the dev and LLM extras and run the tests (the README's second command; .ci/run runs this).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh "[dev,llm]"
# The UI tests drive Debian's Chromium through Playwright (no browser download); they skip without it.
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; } || true
fi
export HF_HUB_OFFLINE=1
.venv/bin/ruff check src tests
.venv/bin/python -m pytest -q tests
# Every eval set and its gates (evals/gates.toml); a report set whose PDF is not in ../shared/external
# is skipped with a one-line reason. Stores are cached in .esgqa-eval/ by content hash.
.venv/bin/esgqa eval --all
