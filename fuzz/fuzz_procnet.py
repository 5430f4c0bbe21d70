"""Fuzz the /proc/net table parsers (portaudit.runtime.procnet.parse_table).

The first byte picks the table (tcp, tcp6, udp, udp6, unix); the rest is decoded as
read_tables reads the files (ASCII, undecodable bytes replaced).
Contract: only ProcNetError may come out (read_tables and the device inventory catch only it).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "procnet", "procnet"
TABLES = ("tcp", "tcp6", "udp", "udp6", "unix")


def test_one_input(data: bytes) -> None:
    from portaudit.runtime.procnet import ProcNetError, parse_table

    if not data:
        return
    name = TABLES[data[0] % len(TABLES)]
    text = data[1:].decode("ascii", "replace")
    with contextlib.suppress(ProcNetError):
        parse_table(name, text)


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.runtime.procnet"])
