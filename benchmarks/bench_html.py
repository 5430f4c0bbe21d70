"""Report rendering: the HTML (and every other format) against the JSON renderer, same run, same report.

Issue 14 measured 42 s for HTML against 16 s for JSON on 10,000 findings on one long source line (the
HTML renderer re-read the file for every finding).  Here a real file on disk holds one line with N
listener calls, and a report (built from the model, as the format tests do) holds one finding per
call; each format renders it (best of 3) and the ratio to JSON is printed for N = 1,000 and 10,000:
a constant ratio means time linear in the report.

    .venv/bin/python benchmarks/bench_html.py [N ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from portaudit import formats
from portaudit.baseline import assign_ids
from portaudit.model import Bind, Facts, Listener, Location, Target
from portaudit.report import Report
from portaudit.rules import evaluate

CALL = 'new ServerSocket(8080, 50, InetAddress.getByName("0.0.0.0")); '


def report_for(n: int, tmp: Path) -> Report:
    src = tmp / "src"
    src.mkdir(exist_ok=True)
    line = "class A { void f() throws Exception { " + CALL * n + "} }"
    (src / "A.java").write_text(line + "\n")
    target = Target(path=str(src), kind="source")
    listeners = [Listener(api="java.net.ServerSocket(int,int,InetAddress)", transport="tcp", bind=Bind.ALL,
                          address="0.0.0.0", port=8080,
                          location=Location(file="A.java", line=1, column=39 + i * len(CALL),
                                            end_column=39 + (i + 1) * len(CALL) - 2, snippet=CALL.strip()),
                          evidence=CALL.strip()) for i in range(n)]
    facts = Facts(target=target, listeners=listeners)
    report = Report(targets=[target], facts=[facts], findings=evaluate(facts))
    report.rebase(str(tmp))
    assign_ids(report.findings, report.facts)
    return report


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(sizes: list[int]) -> None:
    print(f"{'findings':>9} {'format':>8} {'seconds':>9} {'vs json':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            report = report_for(n, Path(tmp))
            assert len(report.findings) == n
            base = best(lambda report=report: formats.render("json", report))
            for name in formats.FORMATS:
                secs = base if name == "json" else best(
                    lambda name=name, report=report: formats.render(name, report, width=100))
                print(f"{n:>9} {name:>8} {secs:>9.3f} {secs / base:>7.2f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
