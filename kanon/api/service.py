"""What the API does, apart from HTTP: assess, risk by disclosure, rewrite, history jobs, storage.

``Assistant`` holds the pipelines (one per reasoner, built on first use from
settings) and runs them under one lock: the stages are not promised to be
thread-safe, and one text at a time keeps latency predictable. Texts live
only in memory for the duration of a request, unless the caller asked for
``store``; a long history is stored for its run (``kanon.api.history_runs``) and
deleted once its result is read or after the retention period.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Any, Callable

from reasoners import generalise as rewrite
from reasoners.generalise import llm_rewrites, mentions
from kanon.api import advice
from kanon.api.history_runs import Accepted, HistoryRuns
from records.errors import InputError, KanonError
from records.types import Assessment, Post
from kanon.report import assessment_to_json, describe_k, label_words
from flows.settings import Settings

log = logging.getLogger(__name__)

# Histories with more texts than this are assessed in the background (202 + a poll URL).
HISTORY_SYNC_MAX = 5
MAX_HISTORY = 200  # texts in one history

WARM_UP_TEXT = "I'm a 34 year old nurse in Leeds and my husband and I have two kids."


class Assistant:
    """The API's service object: pipelines by reasoner, a lock, the job table, the store."""

    def __init__(
        self,
        settings: Settings,
        pipeline: Any = None,
        *,
        build: Callable[[Settings, str, str | None], Any] | None = None,
        history_sync_max: int = HISTORY_SYNC_MAX,
        use_prefect: bool = True,
    ) -> None:
        self.settings = settings
        self._build = build or _build_pipeline
        self._pipelines: dict[str, Any] = {}
        self.default_reasoner = settings.reasoner
        self.detector: str | None = None  # every pipeline uses the default pipeline's detector
        if pipeline is not None:
            self.default_reasoner = pipeline.reasoner.name
            self.detector = pipeline.detector.name
            self._pipelines[self.default_reasoner] = pipeline
        self._lock = threading.RLock()
        self.history_sync_max = history_sync_max
        self.runs = HistoryRuns(settings.database_url, use_prefect=use_prefect)
        self._engine: Any = None
        self._llm: Any = None

    # --- pipelines --------------------------------------------------------------------

    def pipeline(self, reasoner: str | None = None) -> Any:
        name = self.default_reasoner if reasoner is None else reasoner  # "" is refused when built
        with self._lock:
            if name not in self._pipelines:
                pipe = self._build(self.settings, name, self.detector)
                if self.detector is None:
                    self.detector = pipe.detector.name
                self._pipelines[name] = pipe
                # an alias ("stat") and the registered name share one pipeline
                self._pipelines.setdefault(pipe.reasoner.name, pipe)
            return self._pipelines[name]

    def warm_up(self) -> None:
        """Load the detector and run one text through, so the first request is not the slow one."""
        pipe = self.pipeline()
        with self._lock:
            pipe.load()
            pipe.assess([Post(id="warm-up", text=WARM_UP_TEXT)])

    def ready_version(self) -> str | None:
        """The default pipeline's version without waiting for the lock; None before it is built."""
        pipe = self._pipelines.get(self.default_reasoner)
        return pipe.version if pipe is not None else None

    # --- assess -----------------------------------------------------------------------

    def _assess_one(self, pipe: Any, post: Post) -> Assessment:
        with self._lock:
            result = pipe.assess([post])[0]
        if isinstance(result, KanonError):
            raise result
        return result

    def assess(self, text: str, reasoner: str | None = None, store: bool = False) -> dict[str, Any]:
        pipe = self.pipeline(reasoner)
        post = Post(id=_stored_id(text) if store else "text", text=text)
        a = self._assess_one(pipe, post)
        data = assessment_to_json(post, a)
        data["disclosure_risk"] = self.disclosure_risk(pipe, post, a)
        if store:
            data["stored"] = {"post_id": self._store(pipe, post, a)}
        return data

    def disclosure_risk(self, pipe: Any, post: Post | None, a: Assessment,
                        scores: advice.Scores | None = None) -> list[dict[str, Any]]:
        """For each disclosure: k without it (and without every mention of its detail); see ``advice``."""
        if post is not None and scores is None:
            scores = self._scores(pipe, a)
        return advice.disclosure_risk(post.text if post is not None else None, a, scores)

    # --- history ----------------------------------------------------------------------

    def history_posts(self, text: str, history: list[str]) -> list[Post]:
        if len(history) + 1 > MAX_HISTORY:
            raise InputError(f"a history holds at most {MAX_HISTORY} texts, got {len(history) + 1}")
        from records.text import check_text

        pipe = self.pipeline()
        texts = [*history, text]
        for t in texts:
            check_text(t, pipe.max_chars)
        return [Post(id=f"h{i}", text=t) for i, t in enumerate(texts)]

    def assess_history(self, posts: list[Post], reasoner: str | None = None) -> dict[str, Any]:
        pipe = self.pipeline(reasoner)
        with self._lock:
            a = pipe.assess_history("history", posts)
        return self.render_history(a, {p.id: p for p in posts})

    def render_history(self, a: Assessment, by_post: dict[str, Post]) -> dict[str, Any]:
        """The JSON of a history's assessment, each disclosure with its post id and span text."""
        data = assessment_to_json(None, a)
        for d, disc in zip(data["disclosures"], a.disclosures):
            d["post_id"] = disc.post_id
            d["text"] = disc.text_in(by_post[disc.post_id]) if disc.post_id in by_post else None
        data["disclosure_risk"] = self.disclosure_risk(self.pipeline(), None, a)
        return data

    def start_history(self, posts: list[Post], reasoner: str | None = None) -> Accepted:
        """Store a long history and start ``assess_history`` over its ids; the caller polls."""
        pipe = self.pipeline(reasoner)  # an unknown reasoner fails now, as a 400, not later
        from flows.pipeline_factory import DEFAULT_FACTORY

        options = {"detector": pipe.detector.name, "reasoner": pipe.reasoner.name}
        return self.runs.submit([p.text for p in posts], DEFAULT_FACTORY, options)

    def run_status(self, run_id: str) -> dict[str, Any]:
        return self.runs.status(run_id, self.render_history)

    # --- rewrite ----------------------------------------------------------------------

    def rewrite(self, text: str, span_ids: list[int] | None, reasoner: str | None = None) -> dict[str, Any]:
        pipe = self.pipeline(reasoner)
        post = Post(id="text", text=text)
        a = self._assess_one(pipe, post)
        scores = self._scores(pipe, a)
        risk = self.disclosure_risk(pipe, post, a, scores)
        n = len(a.disclosures)
        if span_ids:
            bad = [i for i in span_ids if not 0 <= i < n]
            if bad:
                raise UnknownSpan(f"{len(bad)} span id(s) are not disclosures of this text "
                                 f"(its disclosures are 0 to {n - 1})" if n else "this text has no disclosures")
            chosen = list(dict.fromkeys(span_ids))
        else:
            chosen = [risk[0]["disclosure_id"]] if risk else []
        jobs: list[tuple[int, rewrite.Candidate, str, str]] = []
        removals: list[list[tuple[int, int]]] = []
        for i in chosen:
            for c, scope, t, removes in advice.candidates(text, a, i):
                jobs.append((i, c, scope, t))
                if removes:
                    removals.append(removes)
        # the model rewrites the same stretch the grounded rewrites cover ("in Lyon, France")
        stretched = [(i, mentions.as_one(a.disclosures, i, *mentions.stretch(text, a.disclosures, a.attributes, i)))
                     for i in chosen]
        llm_info = self._llm_rewrites(text, stretched, jobs)
        scores.fill_removals(text, removals)
        scores.fill([t for *_, t in jobs])
        by_span: dict[int, list[dict[str, Any]]] = {i: [] for i in chosen}
        for i, c, scope, new_text in jobs:
            s = scores.get(new_text)
            if s is not None:
                by_span[i].append(advice.alternative(c, scope, new_text, s, a))
        risk_of = {r["disclosure_id"]: r for r in risk}
        rewrites = []
        for i in chosen:
            d = a.disclosures[i]
            # largest k first; on a tie, grounded before the model's, then as proposed
            alts = sorted(by_span[i], key=lambda x: (-x["k"], x["source"] != "grounded"))
            rewrites.append(
                {
                    "disclosure_id": i,
                    "label": d.label,
                    "label_name": label_words(d.label),
                    "start": d.start,
                    "end": d.end,
                    "text": text[d.start:d.end],
                    "factor": risk_of[i]["factor"],
                    "alternatives": alts,
                }
            )
        return {
            "k": a.k,
            "k_low": a.k_low,
            "k_high": a.k_high,
            "summary": describe_k(a.k, a.k_low, a.k_high),
            "llm": llm_info,
            "rewrites": rewrites,
            "reasoner": a.reasoner,
            "detector": a.detector,
        }

    def _llm_rewrites(
        self, text: str, spans: list[tuple[int, Any]], jobs: list[tuple[int, rewrite.Candidate, str, str]]
    ) -> dict[str, Any] | bool:
        """Up to three rewrites per span from the configured language model, added to ``jobs``.

        False when no model is configured; otherwise the model and prompt used, and
        the error code when the backend failed (the grounded rewrites still answer).
        """
        if not self.settings.llm or not spans:
            return False
        from records.errors import BackendError
        from reasoners.llm import GenerationRequest, Message

        prompt = llm_rewrites.rewrite_prompt()
        info: dict[str, Any] = {"prompt": prompt.id, "prompt_sha256": prompt.sha256}
        try:
            backend = self._llm_backend()
            info["model"] = backend.model_id
            requests = [
                GenerationRequest(
                    messages=tuple(llm_rewrites.rewrite_messages(prompt, text, d)),
                    n=1, max_tokens=300, temperature=0.7,
                )
                for _, d in spans
            ]
            answers = backend.generate(requests)
        except BackendError as e:
            log.warning("rewrite: language model failed: %s", e.code)
            info["error"] = e.code
            return info
        added = 0
        for (i, d), completions in zip(spans, answers):
            span = text[d.start:d.end]
            known = {c.replacement.lower() for j, c, *_ in jobs if j == i}
            for r in llm_rewrites.parse_rewrites(completions[0].text if completions else "", span):
                if r.lower() in known:
                    continue
                c = rewrite.Candidate(r, "abstraction", "llm", f"rewrite by a language model ({prompt.id})", "llm")
                jobs.append((i, c, "this mention", rewrite.apply(text, d.start, d.end, r)))
                added += 1
        info["rewrites"] = added
        return info

    def _llm_backend(self) -> Any:
        with self._lock:
            if self._llm is None:
                from flows.components import build_llm_backend

                self._llm = build_llm_backend(self.settings)
            return self._llm

    def _scores(self, pipe: Any, a: Assessment) -> advice.Scores:
        return advice.Scores(lambda texts: self._score(texts, pipe), a,
                             lambda texts, kept: self._score(texts, pipe, kept))

    def _score(self, texts: list[str], pipe: Any, kept: list[list[Any]] | None = None) -> list[Assessment | None]:
        """k of each rewritten text, through the same pipeline (no leave-one-out needed)."""
        if not texts:
            return []
        scorer = dataclasses.replace(pipe, with_contributions=False, timings={})
        posts = [Post(id=f"r{i}", text=t if t.strip() else ".") for i, t in enumerate(texts)]
        with self._lock:
            if kept is None:
                results = scorer.assess(posts)
            else:  # the disclosures already found, moved to the new text (see ``advice.Scores``)
                results = scorer.assess_detected(
                    posts, [[d.model_copy(update={"post_id": p.id}) for d in ds] for p, ds in zip(posts, kept)])
        return [r if isinstance(r, Assessment) else None for r in results]

    # --- store ------------------------------------------------------------------------

    def _store(self, pipe: Any, post: Post, a: Assessment) -> str:
        from storage import repository as repo
        from storage.engine import create_engine
        from storage.migrate import upgrade

        with self._lock:
            if self._engine is None:
                upgrade(self.settings.database_url)
                self._engine = create_engine(self.settings.database_url)
            added = repo.add_posts(self._engine, [Post(id=post.id, text=post.text, source="api")])
            if added.existing and added.existing[0] != post.id:
                return added.existing[0]  # the same text, stored earlier under another id
            repo.save_assessment(self._engine, post.id, a, pipe.version)
        return post.id


class UnknownSpan(InputError):
    """A span id the text has no disclosure for: nothing by that id here (404)."""

    code = "not_found"


def _stored_id(text: str) -> str:
    from storage.repository import new_post_id

    return new_post_id()


def _build_pipeline(settings: Settings, reasoner: str, detector: str | None) -> Any:
    from flows.components import build_pipeline

    return build_pipeline(settings, detector=detector, reasoner=reasoner)
