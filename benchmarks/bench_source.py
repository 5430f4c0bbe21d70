"""portaudit's source input against semgrep with an equivalent rule set, on one large real tree.

The tree (built once into $TMPDIR/portaudit-bench-source-tree: outside the checkout, because semgrep
never scans git-ignored paths of the repository it runs in): the Python standard library of the
interpreter running this script (real code with many servers, clients and tests), plus the
third-party packages the tests fetch from the registries (bottle, bandit sdists; http-server npm).
Both tools scan every file (tests and vendored folders included, an empty .semgrepignore switches
off semgrep's default ignores).  Both run as fresh processes, one after the other, in this run;
the ratio is wall-clock semgrep / portaudit.

Also measures one file child at a time against one per CPU (inputs/source/contain.py).

    .venv/bin/python benchmarks/bench_source.py [--tree DIR] [--no-crossover]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "tests" / ".cache"
TREE = Path(os.environ.get("TMPDIR", "/tmp")) / "portaudit-bench-source-tree"
SEMGREP_RULES = ROOT / "benchmarks" / "semgrep"
VENV_BIN = Path(sys.executable).parent
SOURCE_SUFFIXES = {".py", ".c", ".h", ".js", ".ts", ".go", ".java", ".kt", ".swift", ".m", ".dart", ".cpp"}

PORTAUDIT_SNIPPET = r"""
import json, sys
from portaudit.inputs.source import analyze
from portaudit.model import Target
from portaudit.options import Options
facts = analyze(Target(sys.argv[1], "source"), Options(include_tests=True, include_vendored=True))
out = [{"file": l.location.file, "line": l.location.line, "bind": l.bind.value, "api": l.api,
        "address": l.address, "port": l.port, "alternatives": l.alternatives,
        "flow": len(l.flow), "configurable": l.configurable} for l in facts.listeners]
out += [{"file": d.location.file, "line": d.location.line, "bind": "debug", "api": d.detail,
         "address": None, "port": None, "alternatives": []} for d in facts.debug]
json.dump({"listeners": out, "stats": facts.stats.get("source", {}), "notes": len(facts.target.notes)},
          sys.stdout)
"""


def build_tree(dest: Path) -> Path:
    if dest.is_dir() and (dest / ".complete").exists():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = {"site-packages", "__pycache__", "lib-dynload"}
    for dirpath, dirnames, filenames in os.walk(stdlib):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith("config-")]
        rel = Path(dirpath).relative_to(stdlib)
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES:
                target = dest / "cpython-Lib" / rel / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / name, target)
    try:
        sys.path.insert(0, str(ROOT))
        from tests.source.fetch_inputs import fetch

        inputs = fetch()
        for name in ("bottle", "bandit", "http-server"):
            if (inputs / name).is_dir():
                shutil.copytree(inputs / name, dest / name, dirs_exist_ok=True)
    except Exception as exc:  # noqa: BLE001 - registries unreachable: the stdlib alone is still a large real tree
        print(f"(third-party inputs not added: {exc})", file=sys.stderr)
    (dest / ".semgrepignore").write_text(
        "# empty: scan everything, like portaudit --include-tests --include-vendored\n")
    (dest / ".complete").write_text("ok\n")
    return dest


def run_portaudit(tree: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PORTAUDIT_SNIPPET, str(tree)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return time.perf_counter() - t0, json.loads(out.stdout)


def run_semgrep(tree: Path) -> tuple[float, dict]:
    exe = VENV_BIN / "semgrep"
    if not exe.exists():
        exe = Path(shutil.which("semgrep") or "semgrep")
    t0 = time.perf_counter()
    out = subprocess.run([str(exe), "scan", "--config", str(SEMGREP_RULES), "--json", "--metrics=off",
                          "--disable-version-check", "--quiet", "--no-git-ignore", "-j", str(os.cpu_count() or 1),
                          "--timeout", "0", "--max-target-bytes", "4000000", str(tree)],
                         capture_output=True, text=True, cwd=tree, check=False)
    took = time.perf_counter() - t0
    if not out.stdout.strip():
        raise SystemExit(f"semgrep failed: {out.stderr[-2000:]}")
    return took, json.loads(out.stdout)


def sequential_vs_parallel(tree: Path) -> tuple[float, float]:
    """Wall seconds of the whole scan with one file child at a time, and with one per CPU."""
    env = dict(os.environ, PORTAUDIT_SOURCE_SEQUENTIAL="1")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", PORTAUDIT_SNIPPET, str(tree)], capture_output=True, check=True,
                   cwd=ROOT, env=env)
    seq = time.perf_counter() - t0
    par, _ = run_portaudit(tree)
    return seq, par


def compare(pa: dict, sg: dict, tree: Path) -> None:
    pa_lines: dict[tuple[str, int], dict] = {}
    for x in pa["listeners"]:
        pa_lines.setdefault((x["file"], x["line"]), x)
    sg_lines: dict[tuple[str, int], set[str]] = {}
    for r in sg["results"]:
        path = Path(r["path"])
        rel = (path if not path.is_absolute() else path.relative_to(tree)).as_posix()
        sg_lines.setdefault((rel, r["start"]["line"]), set()).add(r["check_id"].rsplit(".", 1)[-1])
    both = set(pa_lines) & set(sg_lines)
    only_pa = set(pa_lines) - set(sg_lines)
    only_sg = set(sg_lines) - set(pa_lines)
    sg_all = {k for k, v in sg_lines.items() if any(c.endswith("-all") or c == "c-inaddr-any" for c in v)}
    pa_all = {k for k, v in pa_lines.items() if v["bind"] == "all-interfaces"
              or (v["bind"] == "conditional" and "all-interfaces" in v["alternatives"])}
    print("\nWhat each finds (locations = file:line)")
    print(f"  {'':44} {'portaudit':>10} {'semgrep':>10}")
    print(f"  {'listener / debug locations':44} {len(pa_lines):>10} {len(sg_lines):>10}")
    print(f"  {'  found by both':44} {len(both):>10} {len(both):>10}")
    print(f"  {'  found by this tool only':44} {len(only_pa):>10} {len(only_sg):>10}")
    print(f"  {'claimed all-interfaces':44} {len(pa_all):>10} {len(sg_all):>10}")
    print(f"  {'  ... claimed by both':44} {len(pa_all & sg_all):>10} {len(pa_all & sg_all):>10}")
    classes = Counter(v["bind"] for v in pa_lines.values())
    print("  portaudit bind classes: " + ", ".join(f"{k} {v}" for k, v in classes.most_common()))
    sg_all_pa = Counter(pa_lines[k]["bind"] if k in pa_lines else "(not a listener for portaudit)"
                        for k in sg_all)
    print("  semgrep all-interfaces claims, as portaudit classifies them: "
          + ", ".join(f"{k} {v}" for k, v in sg_all_pa.most_common()))
    by_rule = Counter(c for k in only_sg for c in sg_lines[k])
    print("  semgrep-only locations by rule: " + ", ".join(f"{k} {v}" for k, v in by_rule.most_common()))
    print("\n  samples, semgrep only:")
    for k in sorted(only_sg)[:12]:
        print(f"    {k[0]}:{k[1]}  {sorted(sg_lines[k])}  | {_line(tree, k)}")
    print("  samples, portaudit only:")
    for k in sorted(only_pa)[:12]:
        v = pa_lines[k]
        print(f"    {k[0]}:{k[1]}  {v['bind']} {v['address']}:{v['port']}  | {_line(tree, k)}")
    print("  samples, all-interfaces per semgrep but not per portaudit:")
    for k in sorted(sg_all - pa_all)[:12]:
        v = pa_lines.get(k, {})
        print(f"    {k[0]}:{k[1]}  portaudit: {v.get('bind')} {v.get('address')}  | {_line(tree, k)}")


def _line(tree: Path, key: tuple[str, int]) -> str:
    try:
        return (tree / key[0]).read_text("utf-8", "replace").splitlines()[key[1] - 1].strip()[:90]
    except (OSError, IndexError):
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=None, help="scan this tree instead of the default one")
    ap.add_argument("--no-crossover", action="store_true")
    args = ap.parse_args()
    tree = args.tree or build_tree(TREE)
    n_files = sum(1 for p in tree.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    print(f"tree: {tree} ({n_files} files, {size / 1e6:.1f} MB), {os.cpu_count()} CPUs")
    t_sg, sg = run_semgrep(tree)
    t_pa, pa = run_portaudit(tree)
    st = pa["stats"]
    print(f"\n{'tool':12} {'wall s':>8}")
    print(f"{'semgrep':12} {t_sg:8.2f}   ({len(sg['results'])} results, {len(sg.get('errors', []))} errors, "
          f"semgrep {sg.get('version', '?')})")
    print(f"{'portaudit':12} {t_pa:8.2f}   ({len(pa['listeners'])} facts; {st.get('files_candidate')} source "
          f"files, {st.get('files_parsed')} parsed after the keyword pre-filter)")
    print(f"speed-up: {t_sg / t_pa:.1f}x (target >= 5x)")
    t_pa2, _ = run_portaudit(tree)
    print(f"portaudit second run (warm file cache): {t_pa2:.2f} s")
    compare(pa, sg, tree)
    if not args.no_crossover:
        seq, par = sequential_vs_parallel(tree)
        print(f"\none file child at a time: {seq:.2f} s; one per CPU: {par:.2f} s")


if __name__ == "__main__":
    main()
