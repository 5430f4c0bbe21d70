"""The source input on the Go fixture programs (the same sources the binaries are built from):
source and binary analysis must agree on every listener they both resolve."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portaudit import scan
from portaudit.model import Bind
from portaudit.options import Options

from .conftest import OUT, ROOT, SRC

# (file, line of the listener call) -> (api, transport, bind, address, port, via).  Oracle: the Go
# sources under tests/fixtures/go/src and the net package documentation (an empty host is every local
# address).  The location is the net.Listen call (README: the listener API call); a wrapper's caller
# is in the flow (test below).
EXPECTED = {
    ("httpserver/main.go", 13): ("go http.ListenAndServe", "tcp", "all-interfaces", "0.0.0.0", 8081, None),
    ("listeners/main.go", 12): ("go net.Listen", "tcp", "all-interfaces", "0.0.0.0", 8080, None),
    ("listeners/main.go", 17): ("go net.Listen", "tcp", "loopback", "127.0.0.1", 9090, None),
    ("listeners/main.go", 22): ("go net.ListenPacket", "udp", "all-interfaces", "0.0.0.0", 5353, None),
    ("listeners/main.go", 27): ("go net.Listen", "unix", "unix", "@abstract", None, None),
    ("wrapper/main.go", 11): ("go net.Listen", "tcp", "all-interfaces", "0.0.0.0", 7070, "serve"),
    ("listenconfig/main.go", 14): ("go net.Listen", "tcp", "loopback", "::1", 6060, None),
    ("listenconfig/main.go", 20): ("go net.ListenPacket", "udp", "specific", "192.168.1.10", 6061, None),
    # through `var listen = net.Listen`; addr is "127.0.0.1:7171" unless a command-line argument
    # replaces it: a setting whose default is loopback
    ("indirect/main.go", 17): ("go net.Listen", "tcp", "loopback", "127.0.0.1", 7171, None),
}


def _cli_json(path) -> dict:
    # --root: the expected file names above are relative to the scanned folder
    out = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(path), "-f", "json", "--root", str(path)],
                         check=False, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def test_cli_json_on_go_sources():
    d = _cli_json(SRC.relative_to(ROOT))
    assert [t["errors"] for t in d["targets"]] == [[]]
    got = {}
    for f in d["findings"]:
        lst = f.get("listener")
        if lst is None:
            continue
        key = (f["location"]["file"], f["location"]["line"])
        assert key not in got, key
        got[key] = (lst["api"], lst["transport"], lst["bind"], lst["address"], lst["port"], lst["via"])
    assert got == EXPECTED
    assert not any(k[0].startswith("client/") for k in got)  # net.Dial is not a listener
    by_key = {(f["location"]["file"], f["location"]["line"]): f for f in d["findings"] if f.get("listener")}
    # the wrapper's flow: the net.Listen call, then main's serve("0.0.0.0:7070") (wrapper/main.go:19)
    flow = by_key[("wrapper/main.go", 11)]["listener"]["flow"]
    assert [(h["role"], h["location"]["line"]) for h in flow if h["role"] in ("api", "caller")] == \
        [("api", 11), ("caller", 19)]
    # the indirect one is a setting (os.Args[1]) whose default is shown
    assert "command-line argument" in by_key[("indirect/main.go", 17)]["listener"]["configurable"]


@pytest.mark.parametrize("program", ["listeners", "httpserver", "wrapper", "listenconfig"])
def test_source_and_binary_agree(gobin, program):
    src = scan.run([str(SRC / program)], Options())
    binary = scan.run([str(OUT / f"{program}_arm64_stripped")], Options())

    def shapes(report):
        return sorted((lst.transport, lst.bind.value, lst.address, lst.port)
                      for facts in report.facts for lst in facts.listeners)

    assert shapes(src) == shapes(binary) and shapes(src)
    assert all(lst.bind is not Bind.UNKNOWN for facts in binary.facts for lst in facts.listeners)
