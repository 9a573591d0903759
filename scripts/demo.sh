#!/usr/bin/env bash
# The README's first command: install into .venv, then answer sample questions on the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
HF_HUB_OFFLINE=1 .venv/bin/esgqa demo
