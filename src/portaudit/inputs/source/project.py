"""The whole tree: follows what one file left open -- a parameter (its callers, in any file), a field
(every write), a method result (its returns) -- to a bounded depth, and turns drafts into listeners.

Each distinct caller chain is its own listener; the hops on the way are its flow.  Questions to other
files are asked in batches, one child process per file per round (:mod:`.contain`), so a file that
hangs the parser costs a note here too.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeGuard

from ...model import Hop, Listener, Location
from ...options import Options
from ...values import FromField, FromParam, FromReturn, Unknown, Value, describe, one_of
from . import contain
from .draft import Draft, to_listener
from .family import Caller, CallRef, FieldRef, FnInfo
from .flowvals import JoinParam, Symbolic, leaves, substitute
from .jvm_outline import Outline
from .settings import Settings

MAX_ROUNDS = 6  # steps followed out from a listener call (wrappers, fields, returns)
MAX_CALLERS = 16  # callers followed per function
MAX_DRAFTS = 4000
MAX_FILES_PER_QUESTION = 200
CACHE_BYTES = 256 * 1024**2  # source text kept in memory for the cross-file questions

FAMILY = {"java": "jvm", "kotlin": "jvm", "javascript": "js", "typescript": "js", "tsx": "js", "python": "python",
          "go": "go", "dart": "dart", "swift": "apple", "objc": "apple", "c": "c", "cpp": "c"}


class Project:
    def __init__(self, root: Path, code: list[Any], options: Options, outline: Outline, settings: Settings,
                 sources: dict[str, bytes], anchors: tuple[bytes, ...] = ()):
        self.root = root
        self.code = code
        self.by_rel = {f.rel: f for f in code}
        self.options = options
        self.outline = outline
        self.settings = settings
        self.sources = sources  # rel -> text of files read (those worth keeping)
        self.anchors = anchors  # simple names of app classes descending from catalogue classes
        self.notes: list[str] = []
        self.seconds = 20.0
        self.workers = 1
        self._answers: dict[tuple[str, str, str], Any] = {}
        self._unreadable: set[str] = set()
        self._cached = sum(len(v) for v in sources.values())

    # -- files ------------------------------------------------------------------------------
    def text(self, rel: str) -> bytes | None:
        got = self.sources.get(rel)
        if got is not None:
            return got
        if rel in self._unreadable:
            return None
        f = self.by_rel.get(rel)
        if f is None:
            return None
        try:
            data = f.path.read_bytes()
        except OSError:
            return None
        if len(data) > self.options.limits.max_source_file_bytes:
            self._unreadable.add(rel)
            return None
        text = data.decode("utf-8", "replace").encode("utf-8").replace(b"\0", b" ")
        if self._cached + len(text) <= CACHE_BYTES:
            self.sources[rel] = text
            self._cached += len(text)
        return text

    def files_mentioning(self, lang: str, words: list[str], also: tuple[str, ...] = (),
                         home: str | None = None) -> list[str]:
        """Files of ``lang``'s family that contain every word (and ``home``, the word that names the
        declaring module or class, unless they are in ``also``); ``also`` are always included."""
        fam = FAMILY.get(lang)
        pats = [re.compile(rb"\b" + re.escape(w.encode()) + rb"\b") for w in words if w]
        home_pat = re.compile(rb"\b" + re.escape(home.encode()) + rb"\b") if home else None
        first = [w.encode() for w in words if w]
        out = [r for r in also if r in self.by_rel]
        for f in self.code:
            if FAMILY.get(f.lang) != fam or f.rel in out:
                continue
            data = self.text(f.rel)
            if data is None or not all(w in data for w in first):
                continue
            if all(p.search(data) for p in pats) and (home_pat is None or home_pat.search(data)):
                out.append(f.rel)
            if len(out) >= MAX_FILES_PER_QUESTION:
                self.notes.append(f"more than {MAX_FILES_PER_QUESTION} files mention {'/'.join(words)}; "
                                  f"the others were not searched")
                break
        return out

    # -- questions -------------------------------------------------------------------------
    def _files_for(self, kind: str, subject: Any) -> list[str]:
        if kind == "callers":
            fn: FnInfo = subject
            if fn.private:
                return [fn.file]
            word = fn.name if fn.kind != "ctor" else (fn.owner or "").rsplit(".", 1)[-1]
            return self.files_mentioning(fn.lang, [word], self._near(fn.file, fn.lang), self._home(fn))
        if kind == "field":
            ref: FieldRef = subject
            if ref.private and ref.file:
                return [ref.file]
            owner_word = ref.owner.rsplit(".", 1)[-1] if FAMILY.get(ref.lang) == "jvm" else None
            return self.files_mentioning(ref.lang, [ref.name], (ref.file,) if ref.file else (),
                                         owner_word if owner_word and owner_word[:1].isupper() else None)
        ref2: CallRef = subject
        homes = self.declaring_files(ref2)
        return homes or self.files_mentioning(ref2.lang, [ref2.name])[:8]

    def _near(self, rel: str, lang: str) -> tuple[str, ...]:
        """Files whose calls reach a function without naming its module: the file itself, and for Go
        its package (the folder)."""
        if FAMILY.get(lang) != "go":
            return (rel,)
        folder = posixpath.dirname(rel)
        return tuple(f.rel for f in self.code if f.lang == "go" and posixpath.dirname(f.rel) == folder)

    @staticmethod
    def _home(fn: FnInfo) -> str | None:
        """The word another file must contain to reach ``fn``: its module (Python, JS), its class
        (JVM methods), its package (Go)."""
        fam = FAMILY.get(fn.lang)
        if fam in ("python", "js"):
            stem = posixpath.splitext(posixpath.basename(fn.file))[0]
            return posixpath.basename(posixpath.dirname(fn.file)) if stem in ("__init__", "index") else stem
        if fam == "jvm" and fn.kind == "method" and fn.owner:
            return fn.owner.rsplit(".", 1)[-1]
        if fam == "go":
            return posixpath.basename(posixpath.dirname(fn.file)) or None
        return None

    def declaring_files(self, ref: CallRef) -> list[str]:
        if FAMILY.get(ref.lang) == "jvm" and ref.owner:
            out = []
            for cls in self.outline.ancestors(ref.owner):
                c = self.outline.classes.get(cls)
                if c is not None and c.file not in out:
                    out.append(c.file)
            if not out and ref.owner.rsplit(".", 1)[0] in self.outline.packages:
                out = [f for _pkg, f in self.outline.functions.get(ref.name, []) if _pkg == ref.owner]
            return out
        if ref.owner and ref.owner in self.by_rel:
            return [ref.owner]
        return []

    def seed(self, rel: str, answers: dict[tuple[str, str], Any]) -> None:
        """Answers a file gave about itself while it was analysed."""
        for (kind, sid), ans in answers.items():
            self._answers[(rel, kind, sid)] = ans

    def ask(self, questions: list[tuple[str, Any]]) -> None:
        """Answer every (kind, subject) question not answered yet, one child per file."""
        per_file: dict[str, list[tuple[str, Any]]] = {}
        for kind, subject in questions:
            for rel in self._files_for(kind, subject):
                key = (rel, kind, subject.id)
                if key not in self._answers:
                    self._answers[key] = None
                    per_file.setdefault(rel, []).append((kind, subject))
        if not per_file:
            return
        items = list(per_file.items())
        results = contain.run(items, self._answer_file, seconds=self.seconds, workers=self.workers)
        for (rel, qs), res in zip(items, results, strict=True):
            if isinstance(res, contain.Failed):
                self.notes.append(f"{rel}: {res.note} (while following values into this file)")
                continue
            for (kind, subject), ans in zip(qs, res, strict=True):
                self._answers[(rel, kind, subject.id)] = ans

    def _answer_file(self, item: tuple[str, list[tuple[str, Any]]]) -> list[Any]:
        from .detect import FileScan

        rel, qs = item
        f = self.by_rel[rel]
        data = self.text(rel)
        if data is None:
            return [None for _ in qs]
        scan = FileScan(rel, f.lang, data, self.origin_for(f), self)
        out: list[Any] = []
        for kind, subject in qs:
            try:
                if kind == "callers":
                    out.append(scan.callers(subject))
                elif kind == "field":
                    out.append(scan.field_facts(subject))
                else:
                    out.append(scan.returns(subject))
            except RecursionError:
                out.append(None)
        return out

    def origin_for(self, f: Any) -> Any:
        from ...model import Origin
        return Origin(kind=f.origin)

    def answers(self, kind: str, subject: Any) -> list[tuple[str, Any]]:
        return [(rel, a) for (rel, k, sid), a in self._answers.items() if k == kind and sid == subject.id
                and a is not None]

    # -- expansion -------------------------------------------------------------------------
    def listeners(self, drafts: list[Draft]) -> list[Listener]:
        out = []
        for d in self.expand(drafts):
            lst = to_listener(d)
            if lst is not None:
                out.append(lst)
        return out

    def expand(self, drafts: list[Draft]) -> list[Draft]:
        done: list[Draft] = []
        pending = list(drafts)
        for _round in range(MAX_ROUNDS):
            todo: list[tuple[Draft, Symbolic]] = []
            for d in pending:
                leaf = _next_leaf(d)
                if leaf is None:
                    done.append(d)
                else:
                    todo.append((d, leaf))
            if not todo:
                pending = []
                break
            self.ask([q for d, leaf in todo if (q := self._question(d, leaf)) is not None])
            pending = []
            for d, leaf in todo:
                pending += self._step(d, leaf)
            if len(pending) + len(done) > MAX_DRAFTS:
                self.notes.append(f"more than {MAX_DRAFTS} caller chains; the rest were not followed")
                pending = pending[:max(0, MAX_DRAFTS - len(done))]
        for d in pending:  # out of steps: what is left is unknown, and says why
            _close(d, lambda leaf: Unknown(f"{describe(leaf)} (not followed further: more than "
                                           f"{MAX_ROUNDS} steps from the listener call)"))
            done.append(d)
        return done

    def _question(self, d: Draft, leaf: Symbolic) -> tuple[str, Any] | None:
        if isinstance(leaf, FromParam):
            fn = d.symbols.get(leaf.function) if leaf.function is not None else None
            return ("callers", fn) if isinstance(fn, FnInfo) else None
        if isinstance(leaf, FromField):
            ref = d.symbols.get(leaf.field)
            return ("field", ref) if isinstance(ref, FieldRef) else None
        ref2 = d.symbols.get(leaf.method)
        return ("returns", ref2) if isinstance(ref2, CallRef) else None

    def _step(self, d: Draft, leaf: Symbolic) -> list[Draft]:
        if isinstance(leaf, FromParam):
            fn = d.symbols.get(leaf.function) if leaf.function is not None else None
            if not isinstance(fn, FnInfo):
                return [_replaced(d, lambda x: Unknown(describe(x)) if x == leaf else None)]
            return self._through_callers(d, fn, join=isinstance(leaf, JoinParam))
        if isinstance(leaf, FromField):
            return [self._through_field(d, leaf)]
        return [self._through_return(d, leaf)]

    def _callers(self, fn: FnInfo) -> list[Caller]:
        out: list[Caller] = []
        for _rel, callers in sorted(self.answers("callers", fn), key=lambda x: x[0]):
            out += callers
        return out[:MAX_CALLERS]

    def _through_callers(self, d: Draft, fn: FnInfo, join: bool) -> list[Draft]:
        callers = self._callers(fn)

        def is_mine(x: Value) -> TypeGuard[FromParam]:
            return isinstance(x, FromParam) and x.function == fn.id

        def arg(c: Caller, x: FromParam) -> Value:
            return c.args.get(x.index, Unknown("argument not passed"))

        chosen = d.bound.get(fn.id)
        if chosen is not None:  # this chain already went through one caller of fn: the same one again
            return [_replaced(d, lambda x: arg(chosen, x) if is_mine(x) else None)]
        if not callers:
            def fallback(x: Value) -> Value | None:
                if not is_mine(x):
                    return None
                default = fn.defaults[x.index] if x.index < len(fn.defaults) else None
                if default is not None:
                    return default
                return Unknown(f"{describe(x)}: {fn.note or 'no caller found in the tree'}")
            nd = _replaced(d, fallback)
            if any(fn.defaults):
                nd.hops.append(Hop("assignment", fn.location, f"default of a parameter of {fn.name}(); no caller "
                                                              f"found"))
            return [nd]
        name = _display(fn)
        if join:
            nd = _replaced(d, lambda x: one_of(arg(c, x) for c in callers) if is_mine(x) else None)
            for c in callers[:4]:
                nd.symbols.update(c.symbols)
                nd.hops.append(Hop("caller", c.location, f"{name} called: {c.text}"))
            return [nd]
        out = []
        for c in callers:
            def into(x: Value, c: Caller = c) -> Value | None:
                return arg(c, x) if is_mine(x) else None
            nd = _replaced(d, into)
            nd.symbols.update(c.symbols)
            nd.bound[fn.id] = c
            nd.via = nd.via or name
            nd.hops.append(Hop("wrapper", c.location, f"{name} called: {c.text}"))
            nd.hops.extend(c.hops[:6])
            out.append(nd)
        return out

    def _through_field(self, d: Draft, leaf: FromField) -> Draft:
        ref = d.symbols.get(leaf.field)
        if not isinstance(ref, FieldRef):
            return _replaced(d, lambda x: Unknown(describe(x)) if x == leaf else None)
        facts = [(rel, f) for rel, f in sorted(self.answers("field", ref), key=lambda x: x[0])]
        decl = next((f for _rel, f in facts if f.declared), None)
        writes: list[tuple[Value, Location, str]] = []
        syms: dict[str, Any] = {}
        ctor_only = True
        for _rel, f in facts:
            writes += f.writes
            syms.update(f.symbols)
            ctor_only = ctor_only and f.ctor_only
        hops: list[Hop] = []
        if decl is not None and decl.final and decl.initializer is not None:
            value = decl.initializer
            if decl.init_location is not None:
                hops.append(Hop("field-write", decl.init_location, f"{ref.name} (final)"))
        else:
            all_writes = list(writes)
            if decl is not None and decl.initializer is not None:
                all_writes.insert(0, (decl.initializer, decl.init_location or Location(), f"{ref.name} initialiser"))
            if not all_writes:
                value = Unknown(f"field {ref.owner}.{ref.name} is never written in the code scanned")
            else:
                final_like = decl is not None and (decl.final or ctor_only)
                vals = [w if final_like else _join_params(w) for w, _loc, _how in all_writes]
                value = one_of(vals)
                if isinstance(value, Unknown):
                    value = Unknown(f"field {ref.owner}.{ref.name} is written with a value not known here "
                                    f"({value.reason})")
                for _w, loc, how in all_writes[:6]:
                    if loc.file:
                        hops.append(Hop("field-write", loc, how))
        nd = _replaced(d, lambda x: value if x == leaf else None)
        nd.symbols.update(syms)
        nd.hops.extend(hops)
        return nd

    def _through_return(self, d: Draft, leaf: FromReturn) -> Draft:
        ref = d.symbols.get(leaf.method)
        if not isinstance(ref, CallRef):
            return _replaced(d, lambda x: Unknown(describe(x)) if x == leaf else None)
        got = [a for _rel, a in self.answers("returns", ref) if a[0] is not None]
        if not got:
            value: Value = Unknown(f"result of {ref.name}() (its code was not found in the tree)")
            nd = _replaced(d, lambda x: value if x == leaf else None)
            return nd
        value, loc, syms = got[0]
        nd = _replaced(d, lambda x: value if x == leaf else None)
        nd.symbols.update(syms)
        if loc is not None:
            nd.hops.append(Hop("return", loc, f"{ref.name}() returns this"))
        return nd


def _display(fn: FnInfo) -> str:
    if fn.kind == "ctor":
        return (fn.owner or "").rsplit(".", 1)[-1] or "<init>"
    return fn.name


def _next_leaf(d: Draft) -> Symbolic | None:
    for v in (d.host, d.port):
        for leaf in leaves(v):
            return leaf
    return None


def _replaced(d: Draft, fn: Callable[[Value], Value | None]) -> Draft:
    nd = dataclasses.replace(d, hops=list(d.hops), symbols=dict(d.symbols), guards=list(d.guards),
                             bound=dict(d.bound))
    nd.host = substitute(d.host, fn)
    nd.port = substitute(d.port, fn)
    return nd


def _close(d: Draft, fn: Callable[[Value], Value | None]) -> None:
    d.host = substitute(d.host, fn)
    d.port = substitute(d.port, fn)


def _join_params(v: Value) -> Value:
    """Parameters inside a field write are joined over their callers (a setter's callers give
    the field's possible values), not split into one listener each."""
    def mark(x: Value) -> Value | None:
        if isinstance(x, FromParam) and not isinstance(x, JoinParam):
            return JoinParam(x.index, x.name, x.function)
        return None
    return substitute(v, mark) or v

