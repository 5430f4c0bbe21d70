"""Run a Java program and report the sockets it listens on, read from /proc (the oracle).

    python3 observe.py OUT.json java -cp app.jar Main

The program must print ``READY`` once its servers are up; it is then inspected and ended by
closing its standard input (and killed after a grace period).  OUT.json lists, for every
socket of the process in LISTEN state (tcp) or bound to a port (udp):
``{"proto": "tcp", "address": "0.0.0.0", "port": 18080}``, the address as /proc shows it
(IPv4-mapped IPv6 addresses written as their IPv4 form).  Independent of portaudit's own
/proc reader on purpose.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import time


def _sockets(pid: int) -> set[str]:
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            out.add(link[8:-1])
    return out


def _addr(hexaddr: str) -> str:
    raw = bytes.fromhex(hexaddr)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    a = ipaddress.IPv6Address(words)
    return str(a.ipv4_mapped) if a.ipv4_mapped else str(a)


def listening(pid: int) -> list[dict]:
    inodes = _sockets(pid)
    found = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        with open(f"/proc/{pid}/net/{proto}") as fh:
            next(fh)
            for line in fh:
                f = line.split()
                local, state, inode = f[1], f[3], f[9]
                if inode not in inodes:
                    continue
                if proto.startswith("tcp") and state != "0A":  # LISTEN
                    continue
                host, port = local.split(":")
                found.append({"proto": proto[:3], "address": _addr(host), "port": int(port, 16)})
    return sorted(found, key=lambda d: (d["proto"], d["port"], d["address"]))


def main() -> int:
    out, cmd = sys.argv[1], sys.argv[2:]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 60
    ready = False
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() == "READY":
            ready = True
            break
    found = listening(p.pid) if ready else []
    try:
        p.stdin.close()
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if not ready:
        sys.stderr.write("observe: the program did not get ready:\n" + "".join(lines[-30:]))
        return 1
    with open(out, "w") as fh:
        json.dump(found, fh, indent=1)
        fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
