"""Shared plumbing for the atheris harnesses in this folder.

Each ``fuzz/fuzz_<name>.py`` defines ``test_one_input(data: bytes)`` and calls
:func:`main` when run as a script.  The harness raises (so libFuzzer records a
crash) when the code under test breaks its contract:

* a parser-level function raised something other than its documented error type
  (``InputError`` / ``LimitExceeded`` / ``DexError`` / ``FormatError`` /
  ``ProcNetError``), or
* an error or note reports an exception that a catch-all had to contain
  (``internal error (...)``, ``unreadable DEX (IndexError: ...)``...): the file
  was not crashed on, but a parser met input it does not handle.

The functions here do not need atheris, so ``tests/hardening`` replays every
harness on its seeds with plain pytest.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
THIRD_PARTY = ROOT / "tests" / ".cache" / "third_party"
ANDROGUARD = THIRD_PARTY / "androguard" / "usr" / "share" / "doc" / "androguard" / "examples"
WORK = Path(os.environ.get("PORTAUDIT_FUZZ_DIR", ROOT / "tests" / ".cache" / "fuzz"))

# Python exceptions that only reach a message when a catch-all contained them.
_CONTAINED = re.compile(
    r"\((?:struct\.error|[A-Z][A-Za-z]*Error|StopIteration|KeyError|RecursionError|"
    r"UnicodeDecodeError|AssertionError|NotImplementedError)(?::|\))")


class ContractViolation(AssertionError):
    """The code under test broke its error contract on this input."""


def is_bug_message(msg: str) -> bool:
    """True for a message that shows an exception escaped a parser (and was contained)."""
    text = str(msg)
    return text.startswith("internal error") or "internal error (" in text or bool(_CONTAINED.search(text))


def check_messages(messages: Iterable[str], where: str) -> None:
    for m in messages:
        if is_bug_message(m):
            raise ContractViolation(f"{where}: contained exception in message: {m}")


def only(allowed: tuple[type[BaseException], ...], fn: Callable, *args, **kwargs):
    """Call ``fn``; return its result, or None if it raised one of ``allowed``."""
    try:
        return fn(*args, **kwargs)
    except allowed:
        return None


def small_limits():
    """Limits small enough that one fuzz input cannot take much memory or time."""
    from portaudit.options import Limits

    return Limits(max_file_bytes=64 * 1024**2, max_entry_bytes=16 * 1024**2, max_total_bytes=64 * 1024**2,
                  max_entries=20_000, max_dex_bytes=16 * 1024**2, timeout_seconds=20.0)


# ----------------------------------------------------------------------- seeds
def _files(base: Path, patterns: Iterable[str], max_bytes: int) -> list[Path]:
    out: list[Path] = []
    if not base.is_dir():
        return out
    for pat in patterns:
        for p in sorted(base.glob(pat)):
            if p.is_file() and 0 < p.stat().st_size <= max_bytes and p not in out:
                out.append(p)
    return out


def _zip_members(archives: Iterable[Path], want: Callable[[str], bool],
                 max_bytes: int = 1 << 20) -> list[tuple[str, bytes]]:
    out = []
    for a in archives:
        try:
            with zipfile.ZipFile(a) as zf:
                for info in zf.infolist():
                    if want(info.filename) and info.file_size <= max_bytes:
                        out.append((f"{a.stem}-{info.filename.replace('/', '_')}", zf.read(info)))
        except (zipfile.BadZipFile, OSError, ValueError):
            continue
    return out


def android_apps(max_bytes: int = 256 * 1024) -> list[Path]:
    out = _files(FIXTURES / "android", ["**/*.apk", "**/*.apks", "**/*.aab", "**/*.xapk"], max_bytes)
    demo = ROOT / "src" / "portaudit" / "samples" / "demo.apk"
    if demo.is_file():
        out.append(demo)
    out += _files(ANDROGUARD, ["tests/*.apk", "android/*/bin/*.apk", "signing/apksig/*.apk"], 64 * 1024)[:40]
    return out


def _procnet_seeds() -> list[tuple[str, bytes]]:
    out = []
    for i, name in enumerate(("tcp", "tcp6", "udp", "udp6", "unix")):
        try:
            text = Path("/proc/net", name).read_bytes()[:16384]
        except OSError:
            continue
        out.append((name, bytes([i]) + text))
    return out


def _daemon_seeds() -> list[tuple[str, bytes]]:
    # the first byte picks the file name (fuzz_daemons.FILES): 0 torrc, 1 privoxy, 2 v2ray, 3 shadowsocks
    pkg = THIRD_PARTY / "daemons"
    picks = [(0, pkg / "tor" / "etc" / "tor" / "torrc"),
             (1, pkg / "privoxy" / "usr" / "share" / "privoxy" / "config")]
    picks += [(2, p) for p in _files(pkg / "v2ray", ["usr/share/v2ray/*.json"], 1 << 20)]
    picks += [(3, p) for p in _files(pkg / "shadowsocks-libev", ["**/*.json"], 1 << 20)]
    out = [(f"{i}-{p.name}", bytes([i]) + p.read_bytes()) for i, p in picks if p.is_file()]
    # pdnsd is not packaged in Debian 12: a configuration in pdnsd.conf(5)'s syntax
    out.append(("4-pdnsd.conf", b"\x04global { server_ip = 127.0.0.1; server_port = 1053; }\n"))
    return out


def seed_blobs(kind: str) -> list[tuple[str, bytes]]:
    """(name, bytes) of real inputs for one harness (small ones, so the fuzzer stays fast)."""
    helper = {"procnet": _procnet_seeds, "daemons": _daemon_seeds}.get(kind)
    if helper is not None:
        return helper()
    if kind in ("zip", "apk"):
        files = android_apps() + _files(FIXTURES / "ios" / "bin", ["*.ipa"], 1 << 20)
        if kind == "zip":
            return [(p.name, p.read_bytes()) for p in files]
        from fuzz.fuzz_apk import kind_byte

        return [(p.name, kind_byte(p) + p.read_bytes()) for p in files]
    if kind == "axml":
        apps = [p for p in android_apps() if p.suffix == ".apk"]
        mans = _zip_members(apps, lambda n: n == "AndroidManifest.xml")
        arscs = _zip_members(apps[:6], lambda n: n == "resources.arsc", 256 * 1024)
        return [(n, b"\x00" + d) for n, d in mans] + [(n, b"\x01" + d) for n, d in arscs]
    if kind == "proto_manifest":
        aabs = _files(FIXTURES / "android", ["**/*.aab"], 1 << 20)
        mans = _zip_members(aabs, lambda n: n.endswith("manifest/AndroidManifest.xml"))
        res = _zip_members(aabs, lambda n: n.endswith("resources.pb"))
        return [(n, b"\x00" + d) for n, d in mans] + [(n, b"\x01" + d) for n, d in res]
    if kind == "dex":
        out = [(f"{p.parent.name}-{p.name}", p.read_bytes())
               for p in _files(FIXTURES / "android", ["**/*.dex"], 64 * 1024)]
        small = _files(ANDROGUARD, ["tests/*.dex", "tests/fdroid/*.dex"], 48 * 1024)[:20]
        out += [(p.name, p.read_bytes()) for p in small]
        return out
    if kind == "elf":
        out = [(p.name, p.read_bytes()) for p in _files(FIXTURES / "native" / "bin", ["*"], 64 * 1024)]
        out += [(p.name, p.read_bytes()) for p in _files(
            THIRD_PARTY / "pyelftools" / "test" / "testfiles_for_unittests", ["*arm*", "*aarch64*"], 64 * 1024)[:15]
            if p.read_bytes()[:4] == b"\x7fELF"]
        return out
    if kind == "macho":
        return [(p.name, p.read_bytes()) for p in _files(FIXTURES / "ios" / "bin", ["*"], 1 << 20)
                if p.read_bytes()[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")]
    if kind == "plist":
        out = [(p.name, p.read_bytes()) for p in _files(FIXTURES / "ios" / "src", ["*.plist"], 1 << 20)]
        out += [(p.name, p.read_bytes()) for p in _files(ROOT / "tests" / "source" / "cases" / "config",
                                                         ["*.plist", "*.entitlements"], 1 << 20)]
        out += _zip_members(_files(FIXTURES / "ios" / "bin", ["*.ipa"], 1 << 20),
                            lambda n: n.endswith(("Info.plist", ".mobileprovision")))
        return out
    if kind == "source":
        from fuzz.fuzz_source import LANGS

        out = []
        cases = ROOT / "tests" / "source" / "cases"
        for p in _files(cases, ["*/*"], 64 * 1024):
            lang = {".java": "java", ".kt": "kotlin", ".swift": "swift", ".m": "objc", ".dart": "dart",
                    ".js": "javascript", ".ts": "typescript", ".c": "c", ".cpp": "cpp", ".cc": "cpp",
                    ".py": "python", ".go": "go"}.get(p.suffix)
            if lang in LANGS:
                out.append((p.name, bytes([LANGS.index(lang)]) + p.read_bytes()))
        return out
    if kind in ("render", "discover"):  # structured harnesses (fuzz/_make.py): any bytes are a start
        cases = _files(ROOT / "tests" / "source" / "cases", ["*/*"], 1 << 20)[:8]
        out = [(p.name, p.read_bytes()[:4096]) for p in cases]
        out += [(f"{p.parent.name}-{p.name}", p.read_bytes()[:4096])
                for p in _files(FIXTURES / "android", ["**/*.dex"], 64 * 1024)[:4]]
        out.append(("utf16-odd", "host\ud800name\x1b]0;t\x07\n\u202e\x9b\x00".encode("utf-16-le", "surrogatepass") * 8))
        return out
    raise KeyError(kind)


def prepare_corpus(name: str, kind: str) -> Path:
    """A corpus directory for ``name`` holding the real seeds (kept across runs)."""
    corpus = WORK / name / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for fname, blob in seed_blobs(kind):
        dest = corpus / f"seed-{fname}"
        if not dest.exists():
            dest.write_bytes(blob)
    return corpus


def main(name: str, kind: str, test_one_input: Callable[[bytes], None], instrument: Iterable[str]) -> None:
    """Run under atheris.  Extra command-line arguments go to libFuzzer; when no corpus
    directory is given, ``tests/.cache/fuzz/<name>/corpus`` (seeded with real files) is used."""
    import atheris

    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        argv.append(str(prepare_corpus(name, kind)))
    art = WORK / name / "crashes"
    art.mkdir(parents=True, exist_ok=True)
    if not any(a.startswith("-artifact_prefix=") for a in argv):
        argv.insert(1, f"-artifact_prefix={art}/")
    if not any(a.startswith("-max_len=") for a in argv):
        argv.insert(1, "-max_len=262144")
    import importlib

    with atheris.instrument_imports(include=["portaudit"]):
        for mod in instrument:
            importlib.import_module(mod)
    if os.environ.get("PORTAUDIT_FUZZ_KEEP_GOING"):
        test_one_input = keep_going(test_one_input, art)
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


def crash_key(exc: BaseException) -> str:
    """Exception type plus the innermost portaudit frame: one key per distinct bug."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/portaudit/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__}@{where}"


def keep_going(fn: Callable[[bytes], None], art: Path) -> Callable[[bytes], None]:
    """Record each distinct Python exception (input + traceback) and go on fuzzing
    (PORTAUDIT_FUZZ_KEEP_GOING=1); a native crash still ends the run."""
    import hashlib
    import traceback

    seen: set[str] = set()

    def wrapped(data: bytes) -> None:
        try:
            fn(data)
        except Exception as exc:  # noqa: BLE001
            key = crash_key(exc)
            if key in seen:
                return
            seen.add(key)
            digest = hashlib.sha1(data).hexdigest()
            (art / f"crash-{digest}").write_bytes(data)
            (art / f"crash-{digest}.txt").write_text(key + "\n" + "".join(traceback.format_exception(exc)))
            print(f"== distinct crash {key}: {art}/crash-{digest}", file=sys.stderr, flush=True)

    return wrapped


def replay(test_one_input: Callable[[bytes], None], paths: Iterable[Path]) -> None:
    """Run the harness on saved inputs (crash files, corpus) without atheris."""
    for p in paths:
        p = Path(p)
        files = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in files:
            test_one_input(f.read_bytes())


def tmpdir() -> Path:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else WORK
    d = base / f"portaudit-fuzz-{os.getpid()}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def cleanup(d: Path) -> None:
    shutil.rmtree(d, ignore_errors=True)
