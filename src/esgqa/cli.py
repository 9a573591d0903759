"""`esgqa` command line. Errors are one line on stderr: exit 2 for bad input, 1 otherwise."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from esgqa.loading import InputError, StoreError, one_line
from esgqa.settings import Settings
from esgqa.types import DocumentInfo


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        print(f"esgqa: error: {message} (see esgqa --help)", file=sys.stderr)
        raise SystemExit(2)


K_RANGE = (1, 100)  # as esgqa.assistant.K_MIN / K_MAX (not imported: --help stays fast)


def passages_k(text: str) -> int:
    """--k: passages per answer, 1 to 100."""
    low, high = K_RANGE
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, not {text!r}") from None
    if not low <= k <= high:
        raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {k}")
    return k


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="esgqa", description="Cited answers and cross-checks for ESG reports, offline.")
    p.add_argument("--store", type=Path, help="index folder (default .esgqa, env ESGQA_STORE)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--backend", choices=["extractive", "openai", "llamacpp"],
                   help="answer backend (default extractive, env ESGQA_ANSWER__BACKEND)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("ingest", help="index report files or folders (default: the bundled corpus)")
    s.add_argument("paths", nargs="*", type=Path)
    s.add_argument("--name", help="the document's name (one file only; default: the file name without extension)")

    s = sub.add_parser("ask", help="answer one question with citations")
    s.add_argument("question")
    s.add_argument("--document", action="append",
                   help="restrict to one document (its file stem); twice or more: one answer per document")
    s.add_argument("--k", type=passages_k, help="passages to retrieve (1 to 100)")
    s.add_argument("--after", action="append", metavar="PREVIOUS",
                   help="an earlier question of the conversation (repeatable, oldest first): answers a "
                        "follow-up such as 'And in 2021?' as the whole question")
    s.add_argument("--compare", action="store_true",
                   help="one answer per document: those the question names, else every document")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("search", help="ranked passages and table rows for a query (no answer)")
    s.add_argument("query")
    s.add_argument("--document", help="restrict to one document (its file stem)")
    s.add_argument("--k", type=passages_k, default=10, help="results (1 to 100, default 10)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("docs", help="list indexed documents")
    s.add_argument("--json", action="store_true")
    s.add_argument("--set", nargs="+", metavar=("NAME", "FIELD=VALUE"),
                   help="correct a document's detected company or year: --set NAME company=ACME year=2023")

    s = sub.add_parser("eval", help="run golden question sets against esgqa and the naive baseline; check gates")
    s.add_argument("--all", action="store_true", help="every set: bundled, paraphrases and evals/reports/*.jsonl")
    s.add_argument("--set", dest="sets", action="append", help="a set by name (e.g. takkt) or JSONL path (repeatable)")
    s.add_argument("--json", action="store_true", help="print the results as one JSON object")
    s.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    s.add_argument("--record", action="store_true", help="raise the recorded levels in evals/gates.toml where beaten")
    s.add_argument("--results", type=Path, default=None, help="results folder (default evals/results)")

    s = sub.add_parser("demo", help="ingest the bundled corpus and answer sample questions")

    s = sub.add_parser("batch", help="answer a questionnaire (CSV / XLSX / JSONL); re-run to resume")
    s.add_argument("input", type=Path)
    s.add_argument("-o", "--output", type=Path, required=True, help="answered file (.csv, .xlsx or .jsonl)")
    s.add_argument("--document", help="restrict to one document (its file stem)")
    s.add_argument("--workers", type=int, default=1, help="questions answered in parallel (default 1)")

    s = sub.add_parser("check", help="verify claims against the report, or audit its own figures (--consistency)")
    s.add_argument("claims", nargs="?", type=Path, help="claims file (.csv, .xlsx or .jsonl) with a 'claim' column")
    s.add_argument("-o", "--output", type=Path, help="checked claims (.csv, .xlsx or .jsonl)")
    s.add_argument("--consistency", action="store_true", help="audit the indexed report's figures instead")
    s.add_argument("--document", help="restrict to one document (its file stem)")
    s.add_argument("--json", action="store_true", help="with --consistency: print {\"findings\": [...]}")

    s = sub.add_parser("remove", help="take a document out of the index")
    s.add_argument("name", help="the document's name (as esgqa docs lists it)")

    s = sub.add_parser("reindex", help="read a document again from the file it was ingested from")
    s.add_argument("name", help="the document's name (as esgqa docs lists it)")

    s = sub.add_parser("serve", help="the chat UI (Gradio); binds 127.0.0.1 unless --host says otherwise")
    s.add_argument("--host", help="interface to bind (default 127.0.0.1, env ESGQA_UI__HOST)")
    s.add_argument("--port", type=int, help="port (default 7860, env ESGQA_UI__PORT)")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    """Defaults < ESGQA_* environment < CLI flags."""
    settings = Settings()
    if args.store:
        settings = settings.model_copy(update={"store": args.store})
    if args.backend:
        settings = settings.model_copy(update={"answer": settings.answer.model_copy(update={"backend": args.backend})})
    ui = {k: v for k in ("host", "port") if (v := getattr(args, k, None)) is not None}
    if ui:
        settings = settings.model_copy(update={"ui": settings.ui.model_copy(update=ui)})
    return settings


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        print(f"esgqa: error: {err}", file=sys.stderr)
        if args.debug:
            raise
        return 2
    except StoreError as err:
        print(f"esgqa: error: {err}", file=sys.stderr)
        if args.debug:
            raise
        return 1
    except KeyboardInterrupt:
        print("esgqa: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the contract is one line, not a traceback
        if args.debug:
            raise
        print(f"esgqa: internal error: {one_line(err, kind=True)} (rerun with --debug)", file=sys.stderr)
        return 1


def _assistant(args: argparse.Namespace, *, create: bool = True):
    from esgqa.assistant import Assistant

    return Assistant(settings_from(args), create=create)


def _reader(args: argparse.Namespace):
    """The assistant for a command that answers from the store: an empty (or missing) store is
    an error naming it, never filled with the bundled report behind the user's back."""
    assistant = _assistant(args, create=False)
    assistant.require_documents()
    return assistant


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from esgqa.assistant import check_name
    from esgqa.loading import find_files

    paths = args.paths or [settings_from(args).corpus]
    files = find_files(paths)
    if not files:
        raise InputError(f"no .pdf, .md or .txt files in {', '.join(map(str, paths))}")
    if args.name is not None:
        check_name(args.name)
        if len(files) != 1:
            raise InputError(f"--name needs exactly one file, not {len(files)}")
    assistant = _assistant(args)
    failed = []
    for path in files:
        started = time.perf_counter()
        try:
            doc, passages = assistant.prepare(path)
        except InputError as err:
            print(f"esgqa: error: {err}", file=sys.stderr)
            failed.append(path)
            continue
        with tqdm(total=len(passages), desc=doc.name[:40], unit="chunk", file=sys.stderr,
                  disable=None, leave=False) as bar:
            res = assistant.index.add(doc, passages, bar.update, name=args.name, started=started)
        state = "unchanged" if res.unchanged else f"+{res.added} -{res.removed}"
        print(f"{res.document}: {res.total} chunks ({state}), {len(doc.pages)} page(s)", flush=True)
        if res.note:
            print(f"esgqa: {path}: {res.note}", file=sys.stderr)
    return 2 if failed else 0


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _reader(args)
    documents = args.document or []
    if args.compare or len(documents) > 1:
        return _compare(assistant, args, documents)
    if not documents and not args.after:
        from esgqa.answer.company import named_documents

        named = named_documents(args.question, assistant.index.catalog())
        if len(named) > 1:  # "Compare TAKKT's and Kingsoft Cloud's ...": one answer per company
            return _compare(assistant, args, named)
    answer = assistant.ask(args.question, document=documents[0] if documents else None, k=args.k,
                           history=args.after)
    if answer.grounding and answer.grounding.get("fallback"):
        why = answer.grounding.get("error") or answer.grounding.get("reason")
        print(f"esgqa: warning: the {assistant.settings.answer.backend} answer was not used ({why}); "
              "answered extractively", file=sys.stderr)
    if args.json:
        print(json.dumps(answer.json_dict(), ensure_ascii=False))
    else:
        print(format_answer(answer))
    return 0


def _compare(assistant, args: argparse.Namespace, documents: list[str]) -> int:
    """One row per document: its answer and where it comes from (each asked of its report alone)."""
    rows = assistant.compare(args.question, documents, k=args.k)
    if args.json:
        print(json.dumps({"question": args.question,
                          "rows": [{"document": d, **a.json_dict()} for d, a in rows]}, ensure_ascii=False))
        return 0
    if rows and rows[0][1].rewritten:
        print(f"Answered as: {rows[0][1].rewritten}")
    for name, a in rows:
        where = a.citations[0].locator() if a.citations else "no passage"
        text = " ".join(a.answer.split())
        print(f"{name}\t{text[:200]}{'…' if len(text) > 200 else ''}\t[{where}]")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    assistant = _reader(args)
    hits = assistant.search(args.query, document=args.document, k=args.k)
    if args.json:
        print(json.dumps([p.model_dump(exclude={"cells"}) | {"locator": p.locator()} for p in hits],
                         ensure_ascii=False))
        return 0
    for rank, p in enumerate(hits, 1):
        snippet = " ".join(p.text.split())
        more = "…" if len(snippet) > 160 else ""
        print(f"{rank:>3}  {p.score:.4f}  {p.locator()}  [{p.kind}]  {snippet[:160]}{more}")
    if not hits:
        print("esgqa: nothing matches", file=sys.stderr)
    return 0


def format_answer(answer) -> str:
    lines = [f"Answered as: {answer.rewritten}", ""] if answer.rewritten else []
    lines += [answer.answer, ""]
    for c in answer.citations:
        where = c.document + (f", p. {c.page_label or c.page}" if c.page else "")
        where += f", § {c.section}" if c.section else ""
        quote = " ".join(c.text.split())
        lines.append(f"[{c.n}] {where}: \"{quote[:400]}{'…' if len(quote) > 400 else ''}\"")
    return "\n".join(lines)


def cmd_docs(args: argparse.Namespace) -> int:
    assistant = _reader(args)
    if args.set:
        _set_info(assistant, args.set)
    docs = assistant.index.documents()
    if args.json:
        print(json.dumps([d.model_dump() for d in docs], ensure_ascii=False))
    else:
        for d in docs:
            pages = f"{d.pages} pages" if d.pages else "no pages"
            state = "complete" if d.complete else "INCOMPLETE"
            took = f"{d.ingest_seconds:.1f} s" if d.ingest_seconds is not None else "-"
            print(f"{d.name}\t{d.company or '-'}\t{d.year or '-'}\t{d.kind}\t{pages}\t{d.chunks} chunks\t"
                  f"{d.tables} table rows\t{took}\t{state}\t{d.title}\t{d.source}")
    for d in docs:
        if not d.complete:
            print(f"esgqa: {d.name} is INCOMPLETE: {incomplete(d)}", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    removed = _reader(args).remove(args.name)
    print(f"esgqa: removed {args.name} ({removed} chunks)", file=sys.stderr)
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    res = _reader(args).reindex(args.name)
    state = "unchanged" if res.unchanged else f"+{res.added} -{res.removed}"
    print(f"esgqa: re-indexed {res.document}: {res.total} chunks ({state})", file=sys.stderr)
    return 0


def _set_info(assistant, spec: list[str]) -> None:
    """`--set NAME company=ACME year=2023`: correct what was detected at ingest."""
    name, *pairs = spec
    assistant.check_document(name)
    if not pairs:
        raise InputError("--set NAME needs company=VALUE and/or year=YYYY")
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in ("company", "year"):
            raise InputError(f"--set: '{pair}' is not company=VALUE or year=YYYY")
        fields[key] = value.strip()
    year = fields.get("year")
    if year is not None and not (year.isdigit() and 1900 <= int(year) <= 2100):
        raise InputError(f"--set: year must be a year such as 2023, not {year!r}")
    n = assistant.index.set_info(name, company=fields.get("company"), year=int(year) if year else None)
    print(f"esgqa: {name}: {', '.join(f'{k}={v}' for k, v in fields.items())} ({n} chunks)", file=sys.stderr)


def incomplete(d: DocumentInfo) -> str:
    """Why a document is incomplete and how to finish it."""
    source = d.source or "its file"
    return f"its ingest did not finish ({d.unfinished()} stored); run esgqa ingest {source} to complete it"


def cmd_demo(args: argparse.Namespace) -> int:
    from esgqa.assistant import SAMPLE_QUESTIONS

    assistant = _assistant(args)
    assistant.ensure_corpus()
    for q in SAMPLE_QUESTIONS:
        print(f"Q: {q}")
        print(format_answer(assistant.ask(q)))
        print()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from esgqa.evals import run as ev
    from esgqa.evals.sets import EVALS_DIR, all_set_paths, find_set, load_set

    settings = settings_from(args)
    if args.all and args.sets:
        raise InputError("give --all or --set, not both")
    paths = all_set_paths() if args.all else [find_set(s) for s in args.sets] if args.sets else [
        EVALS_DIR / "golden.jsonl"]
    cache = ev.StoreCache(settings, baseline=not args.no_baseline)
    gates = ev.load_gates()
    runs, failures = [], []
    for path in paths:
        es = load_set(path, settings.corpus)
        if es.skip:
            print(f"esgqa eval: {es.skip}", file=sys.stderr)
            continue
        if not args.json:
            print(f"esgqa eval: {es.name} ({es.split}, {len(es.items)} questions)", file=sys.stderr, flush=True)
        run = ev.run_set(es, cache)
        runs.append(run)
        failures += ev.check_gates(es.name, run.metrics, gates)
    out_dir = args.results or EVALS_DIR / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"sets": {r.eval_set.name: {"split": r.eval_set.split, **r.metrics, "ingest": r.ingest,
                                       "misses": ev.misses(r)} for r in runs},
            "macro": ev.macro(runs), "failures": failures}
    (out_dir / "eval.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    table, last = ev.summary_table(runs), ev.macro_line(runs)
    miss_lines = [f"- {name} {x['id']}: {x['question']} — expected {x['expected']} p.{x['pages']}: {x['why']}"
                  for name, d in data["sets"].items() for x in d["misses"]]
    (out_dir / "eval.md").write_text(table + "\n\n" + last + "\n\n" + "\n".join(miss_lines) + "\n")
    if args.record:
        ev.record_levels(runs)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(table)
        print(last)
    for f in failures:
        print(f"esgqa eval: gate failed: {f}", file=sys.stderr)
    print(f"esgqa eval: {'FAIL' if failures else 'PASS'} (misses of tuning and bundled sets in {out_dir / 'eval.md'})",
          file=sys.stderr)
    return 1 if failures else 0


def cmd_batch(args: argparse.Namespace) -> int:
    from esgqa.batch import run_batch

    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    assistant = _reader(args)
    summary = run_batch(assistant, args.input, args.output, document=args.document, workers=args.workers)
    print(f"esgqa batch: {summary.line(args.output)}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if args.consistency and args.claims:
        raise InputError("give either a claims file or --consistency, not both")
    if not args.consistency and not args.claims:
        raise InputError("give a claims file (with -o OUTPUT) or --consistency")
    if args.claims and not args.output:
        raise InputError("checking claims needs -o OUTPUT")
    assistant = _reader(args)
    if args.claims:
        from esgqa.crosscheck import check_claims, summary

        checks = check_claims(assistant, args.claims, args.output, document=args.document)
        print(f"esgqa check: {len(checks)} claims: {summary(checks)}; wrote {args.output}", file=sys.stderr)
        return 0
    from esgqa.audit import audit

    assistant.check_document(args.document)
    findings = audit(assistant.index, args.document)
    failed = [f for f in findings if f.status == "fail"]
    if args.json:
        print(json.dumps({"findings": [f.model_dump() for f in findings]}, ensure_ascii=False))
    else:
        for f in findings:
            where = f.citations[0].locator() if f.citations else ""
            print(f"{f.status.upper():4}  {f.kind:14} {f.message}  [{where}]")
    print(f"esgqa check: {len(findings)} findings, {len(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def cmd_serve(args: argparse.Namespace) -> int:
    from esgqa import ui

    full = settings_from(args)
    settings = full.ui
    if settings.host not in LOOPBACK and not settings.auth:
        raise InputError(f"refusing to serve on {settings.host} without auth: set ESGQA_UI__AUTH=user:password "
                         "(or serve on 127.0.0.1)")
    ui.credentials(settings)
    assistant = _assistant(args)
    if full.store == Settings.model_fields["store"].default and not full.chroma_url:
        assistant.ensure_corpus()  # the app's first start on the default store shows the bundled report
    elif assistant.index.is_empty():
        print(f"esgqa: the store {full.store if not full.chroma_url else full.chroma_url} is empty; "
              "add reports in the app's Documents tab or with esgqa ingest", file=sys.stderr)
    assistant.warm()  # model, indexes and caches loaded before the first question, not during it
    print(f"esgqa: serving on http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    ui.launch(assistant)
    return 0


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "docs": cmd_docs, "demo": cmd_demo, "eval": cmd_eval,
            "batch": cmd_batch, "check": cmd_check, "serve": cmd_serve,
            "remove": cmd_remove, "reindex": cmd_reindex}
COMMANDS["search"] = cmd_search

if __name__ == "__main__":
    raise SystemExit(main())
