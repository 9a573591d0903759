"""LLM backends behind the same Answerer interface, with every figure checked against its citations.

`openai` talks to any OpenAI-compatible server through langchain-openai; `llamacpp` runs a GGUF
model in-process through llama-cpp-python (the `llm` extra). Both are LangChain chat models, so
the answerer sees one interface. Citations are always retrieved passages chosen by number; an
answer whose figures are not all in the passages it cites is not shown: the extractive answer is,
and `grounding` in the JSON says why. A down, slow or misconfigured server does the same.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from esgqa.answering import ExtractiveAnswerer
from esgqa.figures import numbers_in, text_contains_figure
from esgqa.index import Index
from esgqa.loading import InputError, one_line
from esgqa.prompts import NOT_DISCLOSED_REPLY, SYSTEM, sanitize, user_message
from esgqa.settings import Settings
from esgqa.types import Answer, Passage

_REF = re.compile(r"\[(\d+)\]")
_SAYS_UNDISCLOSED = re.compile(r"\bnot (disclosed|stated|provided|available|mentioned|reported)\b|"
                               r"\bdo(es)? not (disclose|state|provide|mention|report)\b", re.I)


def make_chat_model(settings: Settings) -> BaseChatModel:
    llm, backend = settings.llm, settings.answer.backend
    if backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as err:
            raise InputError("the openai backend needs langchain-openai: pip install 'esgqa[llm]'") from err
        return ChatOpenAI(
            base_url=llm.base_url, api_key=llm.api_key.get_secret_value(), model=llm.model, temperature=llm.temperature,
            max_tokens=llm.max_tokens, timeout=llm.timeout_s, max_retries=0,
            # llama.cpp's server reads `max_tokens` from the body and ignores max_completion_tokens
            extra_body={"max_tokens": llm.max_tokens},
        )
    if backend == "llamacpp":
        if not llm.model_path or not llm.model_path.exists():
            raise InputError(f"the llamacpp backend needs a GGUF file: set ESGQA_LLM__MODEL_PATH "
                             f"(now {llm.model_path or 'unset'})")
        return LlamaCppChat(model_path=str(llm.model_path), max_tokens=llm.max_tokens,
                            temperature=llm.temperature, n_ctx=llm.n_ctx)
    raise InputError(f"unknown LLM backend '{backend}'")


class LlamaCppChat(BaseChatModel):
    """A GGUF model in-process, as a LangChain chat model (loaded once, calls serialised)."""

    model_path: str
    max_tokens: int = 256
    temperature: float = 0.0
    n_ctx: int = 4096

    _llama: Any = None
    _lock: Any = None

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        if self._lock is None:
            object.__setattr__(self, "_lock", threading.Lock())
        with self._lock:
            if self._llama is None:
                try:
                    from llama_cpp import Llama
                except ImportError as err:
                    raise InputError("the llamacpp backend needs llama-cpp-python: pip install 'esgqa[llm]'") from err
                object.__setattr__(self, "_llama", Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False))
            roles = {"system": "system", "human": "user", "ai": "assistant"}
            out = self._llama.create_chat_completion(
                messages=[{"role": roles.get(m.type, "user"), "content": m.content} for m in messages],
                max_tokens=self.max_tokens, temperature=self.temperature, stop=stop)
        usage = out.get("usage") or {}
        message = AIMessage(content=out["choices"][0]["message"]["content"] or "", response_metadata={
            "token_usage": usage, "finish_reason": out["choices"][0].get("finish_reason")})
        return ChatResult(generations=[ChatGeneration(message=message)])


class LLMAnswerer:
    """Answers from the model when every figure it states is in a passage it cites."""

    def __init__(self, index: Index, settings: Settings, chat_model: BaseChatModel | None = None) -> None:
        self.name = settings.answer.backend
        self.settings = settings.llm
        self.model = chat_model or make_chat_model(settings)
        self.fallback = ExtractiveAnswerer(index, settings.answer.min_support)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        shown = [(p, sanitize(p.text)[: self.settings.passage_chars]) for p in passages[: self.settings.passages]]
        messages = [SystemMessage(SYSTEM), HumanMessage(user_message(question, shown))]
        t0 = time.perf_counter()
        try:
            reply = self.model.invoke(messages)
        except Exception as err:  # noqa: BLE001 - any failure of the model means: answer extractively
            return self._fall_back(question, passages, {"error": one_line(err, kind=True)})
        llm_ms = round((time.perf_counter() - t0) * 1000, 1)
        text = str(reply.content).strip()
        usage = (reply.response_metadata or {}).get("token_usage") or {}
        info: dict[str, Any] = {"checked": True, "llm_ms": llm_ms, "completion_tokens": usage.get("completion_tokens"),
                                "llm_answer": text}
        # Every figure must be in a passage the answer cites (a figure from the question is no exception,
        # a name from it is: "Scope 3").
        figures = [f for f in numbers_in(_REF.sub(" ", text)) if not _named_in(question, text, f)]
        if not text or NOT_DISCLOSED_REPLY.lower() in text.lower()[: len(NOT_DISCLOSED_REPLY) + 20] or (
                _SAYS_UNDISCLOSED.search(text) and not figures):
            return self._not_disclosed(question, passages, info)
        cited = sorted({int(n) for n in _REF.findall(text) if 1 <= int(n) <= len(shown)})
        if not cited and figures:  # small models often leave citations out: cite the passages stating them
            cited = [i for i, (_, t) in enumerate(shown, start=1) if any(text_contains_figure(t, f) for f in figures)]
            info["attributed"] = True
            text = f"{text} " + "".join(f"[{i}]" for i in cited)
        unsupported = [f.text for f in figures if not any(text_contains_figure(shown[i - 1][1], f) for i in cited)]
        info |= {"cited": cited, "figures": [f.text for f in figures], "unsupported": unsupported}
        if unsupported:
            return self._fall_back(question, passages, info | {
                "reason": f"figures not in the cited passages: {', '.join(unsupported)}"})
        if not cited:
            return self._fall_back(question, passages, info | {"reason": "the answer cites no passage"})
        renumber = {old: new for new, old in enumerate(cited, start=1)}
        body = _REF.sub(lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "", text)
        citations = [shown[i - 1][0].cite(renumber[i], shown[i - 1][1]) for i in cited]
        return Answer(question=question, answer=body, abstained=False, citations=citations, backend=self.name,
                      figure=figures[0].text if figures else None, confidence=1.0, grounding=info)

    def _fall_back(self, question: str, passages: list[Passage], info: dict) -> Answer:
        ans = self.fallback.answer(question, passages)
        info = {"checked": "error" not in info, **info, "fallback": "extractive"}
        return ans.model_copy(update={"grounding": info, "backend": f"extractive (fallback from {self.name})"})

    def _not_disclosed(self, question: str, passages: list[Passage], info: dict) -> Answer:
        ans = self.fallback._abstain(question, passages, 0.0)
        return ans.model_copy(update={"backend": self.name, "grounding": info | {"not_disclosed": True}})


def _named_in(question: str, text: str, f) -> bool:
    """'Scope 3' in the answer, as in the question: a name, not a figure."""
    word = re.search(r"([A-Za-z]+)\s*$", text[:f.start])
    return bool(word) and f"{word.group(1)} {f.text}".lower() in question.lower()


