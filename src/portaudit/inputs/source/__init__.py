"""Source trees: the same listener facts from Java, Kotlin, Swift, Objective-C, Dart, JS/TS, C/C++,
Python and Go, plus AndroidManifest.xml / Info.plist / .entitlements in the tree.

``analyze(target, options)``:

1. walks ``target.path`` (a directory or one file) and skips what should be skipped (:mod:`.walk`);
2. reads every code file once: a cheap outline of the Java / Kotlin classes (:mod:`.jvm_outline`),
   the app's settings (:mod:`.settings`), and a keyword test that keeps only files that may hold a
   listener (candidates);
3. analyses each candidate in a forked child with a time and memory limit (:mod:`.contain`,
   :mod:`.detect` and the family modules), giving drafts whose values may still be open;
4. follows what they left open through the whole tree (:mod:`.project`) and makes the listeners.

One bad file never fails the tree: it becomes a line in ``target.notes``.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path
from typing import Any

from ...model import Facts, Origin, Target
from ...options import Options
from . import config, contain, lang, walk
from .jvm_outline import Outline, outline
from .settings import Settings

log = logging.getLogger("portaudit")

JVM = ("java", "kotlin")
# A file is binary, not source, when more than this share of its first 8 KiB is NUL bytes.
BINARY_NUL_SHARE = 0.02


def analyze(target: Target, options: Options) -> Facts:
    start = time.perf_counter()
    root = Path(target.path)
    facts = Facts(target=target)
    files, notes, stats = walk.collect(root, options)
    target.notes.extend(notes)
    code = [f for f in files if f.kind == "code"]
    configs = [f for f in files if f.kind == "config"]
    settings_files = [f for f in files if f.kind in ("settings", "config") and not f.rel.endswith(".entitlements")]
    project, early, texts, read_notes = prepare(root, code, settings_files, options)
    candidates = [f for f in code if f.rel not in early]
    results = scan_files(project, candidates, texts, read_notes)
    parsed = 0
    drafts = []
    for f in code:
        res = early.get(f.rel) or results.get(f.rel)
        if res is None:
            continue
        file_drafts, debug, file_notes, was_parsed = res[:4]
        if len(res) > 4:
            project.seed(f.rel, res[4])
        parsed += was_parsed
        for n in file_notes:
            target.notes.append(f"{f.rel}: {n}")
            if n.startswith("cannot read"):  # an unreadable input gets its line on stderr (README "Bad input")
                log.warning("warning: %s: %s", root / f.rel if root.is_dir() else root, n)
        drafts += file_drafts
        facts.debug.extend(debug)
    facts.listeners = project.listeners(drafts)
    target.notes.extend(project.notes)
    target.notes.extend(project.settings.notes)
    app, cfg_notes = config.read_configs(configs, root)
    facts.app = app
    target.notes.extend(cfg_notes)
    # -- hook (inputs/daemons): tor / v2ray / shadowsocks / privoxy / pdnsd configurations in the tree
    #    and torrc / privoxy directives in code strings
    from .. import daemons
    facts.listeners.extend(daemons.scan_tree(root, [f.path for f in code], target.notes))
    facts.listeners.sort(key=lambda x: (x.location.file or "", x.location.line or 0, x.location.column or 0,
                                        [h.location.short() for h in x.flow]))
    facts.debug.sort(key=lambda x: (x.location.file or "", x.location.line or 0))
    stats.update({"files_parsed": parsed, "files_candidate": len(candidates), "config_files": len(configs),
                  "seconds": round(time.perf_counter() - start, 4)})
    facts.stats["source"] = stats
    return facts


def warm() -> None:
    """Load the catalogue, every grammar and its queries now, so that forked children inherit them."""
    from .catalog import catalogue
    from .detect import call_query, name_query

    catalogue()
    for name in ("java", "kotlin", "swift", "objc", "dart", "javascript", "typescript", "tsx", "c", "cpp",
                 "python", "go"):
        lang.parser(name)
        name_query(name)
        call_query(name)


def _limit(options: Options) -> float:
    limit = options.limits.max_parse_seconds
    if options.limits.timeout_seconds:
        limit = min(limit, options.limits.timeout_seconds / 2)
    return limit


def _workers() -> int:
    if os.environ.get("PORTAUDIT_SOURCE_SEQUENTIAL"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def prepare(root: Path, code: list[Any], settings_files: list[Any], options: Options):
    """Read every code file once: early results (skipped / not a candidate), the JVM outline, the
    settings, and the project that later questions go to."""
    from .catalog import catalogue, known_classes, library_supers, worth_parsing

    early: dict[str, tuple] = {}
    texts: dict[str, bytes] = {}
    read_notes: dict[str, list[str]] = {}
    outlines = []
    for f in code:
        got = read_source(str(f.path), options.limits.max_source_file_bytes)
        if len(got) == 4:
            early[f.rel] = got
            continue
        data, read_notes[f.rel] = got
        texts[f.rel] = data
        if f.lang in JVM:
            outlines.append(outline(f.rel, f.lang, data))
    catalogue()
    jvm = Outline(outlines, library_supers(), known_classes())
    anchors = tuple(sorted({c.rsplit(".", 1)[-1].encode() for c in jvm.descendants_of(set(known_classes()))}))
    settings = Settings()
    settings.read(settings_files)
    langs = {f.rel: f.lang for f in code}
    project = Project(root, code, options, jvm, settings,
                      {r: d for r, d in texts.items() if langs[r] in JVM}, anchors)
    project.seconds = _limit(options)
    project.workers = _workers()
    for f in code:
        if f.rel in early:
            continue
        extra = anchors if f.lang in JVM else ()
        if not worth_parsing(texts[f.rel], f.lang, extra):
            early[f.rel] = ([], [], read_notes[f.rel], 0)
    return project, early, texts, read_notes


from .project import Project  # noqa: E402 - after the helpers it imports lazily


def read_source(path: str, max_bytes: int) -> tuple:
    """(text as UTF-8 bytes, notes) of a source file, or an early result when it is not read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO named x.py would block the read for ever
            return [], [], ["skipped: not a regular file"], 0
        size = os.path.getsize(path)
        if size > max_bytes:
            return [], [], [f"skipped: {size} bytes, over the source file limit of {max_bytes}"], 0
        with open(path, "rb") as fh:
            src = fh.read()
    except OSError as exc:
        return [], [], [f"cannot read: {exc.strerror or exc}"], 0
    notes = []
    head = src[:8192]
    nuls = head.count(b"\0")
    if nuls > max(8, BINARY_NUL_SHARE * len(head)):
        return [], [], ["skipped: binary content (NUL bytes) in a source file"], 0
    if b"\0" in src:
        # a stray NUL does not stop javac or a script interpreter; read it as a space (columns kept)
        count = src.count(b"\0")
        notes.append(f"{count} NUL byte(s) read as spaces")
        src = src.replace(b"\0", b" ")
    try:
        src.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(f"invalid UTF-8 at byte {exc.start}; scanned with replacement characters")
        src = src.decode("utf-8", "replace").encode("utf-8")
    return src, notes


def scan_files(project: "Project", files: list[Any], texts: dict[str, bytes],
               read_notes: dict[str, list[str]]) -> dict[str, tuple]:
    """Phase one: each candidate file in its own child, largest first."""
    items = sorted(files, key=lambda f: -len(texts.get(f.rel, b"")))

    def one(f: Any) -> tuple:
        return analyse_text(f.rel, f.lang, texts[f.rel], Origin(kind=f.origin), project, read_notes[f.rel])

    out = {}
    results = contain.run(items, one, seconds=project.seconds, workers=project.workers)
    for f, res in zip(items, results, strict=True):
        if isinstance(res, contain.Failed):
            res = ([], [], read_notes[f.rel] + [f"skipped: {res.note}"], 0)
        out[f.rel] = res
    return out


def analyse_text(rel: str, lang_name: str, src: bytes, origin: Origin, project: "Project | None",
                 notes: list[str]) -> tuple:
    """(drafts, debug services, notes, parsed 0/1) for one file's text; never raises."""
    from .detect import FileScan

    notes = list(notes)
    try:
        scan = FileScan(rel, lang_name, src, origin, project)
        if scan.root.has_error:
            bad = _error_fraction(scan.root)
            if bad > 0.5:
                return [], [], notes + [f"does not parse as {lang_name} ({bad:.0%} of it is syntax errors); skipped"], 1
            notes.append(f"syntax errors in {lang_name} parse; scanned the parts that parse")
        scan.run()
        answers = scan.local_answers(scan.drafts)
        return [d.freeze() for d in scan.drafts], scan.debug, notes + scan.notes, 1, answers
    except RecursionError:
        return [], [], notes + ["nests too deeply to analyse"], 1
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - contain a bug to this one file
        return [], [], notes + [f"internal error ({type(exc).__name__}: {exc}); file skipped"], 1


def scan_file(path: str, rel: str, lang_name: str, origin_kind: str, max_bytes: int):
    """(listeners, debug services, notes, parsed 0/1) for one file on its own, with the per-file
    limits (``lang.PARSE_SECONDS``); never raises.  Used by the fuzz harness."""
    from .catalog import worth_parsing

    got = read_source(path, max_bytes)
    if len(got) == 4:
        return got
    src, notes = got
    if not worth_parsing(src, lang_name):
        return [], [], notes, 0
    options = Options()
    code = [walk.SrcFile(Path(path), rel, "code", origin_kind, lang_name)]
    project = Project(Path(path), code, options, Outline([outline(rel, lang_name, src)] if lang_name in JVM else [],
                                                         {}), Settings(), {rel: src})
    project.seconds = lang.PARSE_SECONDS

    def one(_x: Any) -> tuple:
        drafts, debug, file_notes, parsed = analyse_text(rel, lang_name, src, Origin(kind=origin_kind), project,
                                                         notes)[:4]
        return project.listeners(drafts), debug, file_notes + project.notes, parsed

    (res,) = contain.run([None], one, seconds=lang.PARSE_SECONDS)
    if isinstance(res, contain.Failed):
        return [], [], notes + [f"skipped: {res.note}"], 0
    return res


def _error_fraction(root) -> float:
    total = max(1, root.end_byte - root.start_byte)
    bad = 0
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            bad += n.end_byte - n.start_byte
            continue
        if n.has_error:
            stack.extend(n.children)
    return bad / total
