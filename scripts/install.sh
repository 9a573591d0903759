#!/usr/bin/env bash
# Create .venv and install esgqa. torch goes first so nothing pulls a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q torch==2.13.0
# llama-cpp-python (extra "llm") has no wheel on PyPI: a portable CPU build, about 8 minutes once.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
.venv/bin/pip install -q -e ".${1:-}"
