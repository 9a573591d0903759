"""One settings object: defaults < ESGQA_* environment < CLI flags.

Nested sections use a double underscore in the environment, e.g.
`ESGQA_RETRIEVAL__K=8` or `ESGQA_UI__PORT=7861`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class RetrievalSettings(BaseModel):
    k: int = 8  # passages handed to the answerer
    candidates: int = 30  # per retriever (BM25 and dense) before fusion
    rrf_k: int = 60  # reciprocal-rank-fusion constant
    rows: int = Field(24, description="table rows handed to the cell reader: the rows among the k passages, "
                      "topped up from the fused candidates. Chosen by `benchmarks/fit.py --cv` (leave one tuning "
                      "report out): 10 rows 0.580, 16 0.608, 24 0.619, 32 0.613; the right row often ranks 11th-30th")
    per_page: int = Field(2, description="passages of one PDF page among the first places before other pages' "
                          "best (0: no limit); table pages are cut into many passages that rank together")


class AnswerSettings(BaseModel):
    backend: str = "extractive"
    # Below this support score the report is taken not to disclose the answer.
    min_support: float = 0.5


class LLMSettings(BaseModel):
    """For the `openai` (any OpenAI-compatible server) and `llamacpp` (in-process GGUF) backends."""

    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "local"
    api_key: SecretStr = SecretStr("not-needed")  # ESGQA_LLM__API_KEY; never logged or shown
    model_path: Path | None = None  # the GGUF file for `llamacpp`
    max_tokens: int = 256
    timeout_s: float = 60.0
    temperature: float = 0.0
    passages: int = 5  # passages shown to the model (of the retrieved k)
    passage_chars: int = 900  # each cut to this length
    n_ctx: int = 4096  # `llamacpp` context window


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 7860
    auth: SecretStr | None = None  # "user:password": required when host is not loopback
    max_upload_mb: int = 50


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESGQA_", env_nested_delimiter="__")

    store: Path = Path(".esgqa")
    corpus: Path = REPO_ROOT / "corpus"
    collection: str = "esgqa"
    # A Chroma server shared by a team (`chroma run --host H --port P --path DIR`), e.g.
    # ESGQA_CHROMA_URL=http://127.0.0.1:8000; unset, the store is embedded under `store/chroma`.
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    ui: UISettings = UISettings()
    eval_cache: Path = Field(Path(".esgqa-eval"), description="stores built by `esgqa eval`, one per set of "
                             "source files, keyed by their content hashes")
