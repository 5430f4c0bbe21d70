"""Fuzz the embedded-daemon configuration readers (portaudit.inputs.daemons).

The first byte picks the file name the bytes are found under (torrc, privoxy's config, a v2ray or
shadowsocks JSON, pdnsd.conf, or a name no daemon claims); the rest is the file.  Each input goes
through what the Android container and the source walker do with a configuration:
``daemons.detect`` then ``daemons.listeners`` tied to a shipped executable, every parser directly
on the decoded text, and ``string_listeners`` (torrc / privoxy directives in a string literal).
Contract: nothing raises, and no note reports a contained exception; every listener serialises.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "daemons", "daemons"
FILES = ("assets/torrc", "assets/privoxy/config", "res/raw/v2ray_config.json", "assets/shadowsocks.json",
         "assets/pdnsd.conf", "assets/notes.txt")
BINARIES = ["lib/arm64-v8a/libtor.so", "lib/arm64-v8a/libprivoxy.so", "lib/arm64-v8a/libv2ray.so",
            "lib/arm64-v8a/libss-local.so", "lib/arm64-v8a/libpdnsd.so"]


def test_one_input(data: bytes) -> None:
    from portaudit.inputs import daemons

    if not data:
        return
    name = FILES[data[0] % len(FILES)]
    body = data[1:]
    found, notes = daemons.listeners([(name, body)], BINARIES)
    H.check_messages(notes, "daemons.listeners")
    text = body.decode("utf-8", "replace")
    for parse in daemons.PARSERS.values():
        for port in parse(text):
            assert port.port is None or 0 <= port.port <= 65535, port
    found += daemons.string_listeners("Main.java:1", text)
    for lst in found:
        json.dumps(lst.to_dict())


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.daemons"])
