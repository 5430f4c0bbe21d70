"""Host inventory speed: `portaudit.runtime.host.inventory()` against `ss -lntupx` (iproute2, C, netlink)
on the same sockets, in the same run.  Opens N listeners (default 2000) on loopback, prints the ratio.

    .venv/bin/python benchmarks/bench_runtime.py [N]
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import time

from portaudit.runtime import host


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 256)), hard))
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        socks.append(s)
    found = host.inventory()
    mine = {s.getsockname()[1] for s in socks}
    assert mine <= {x.port for x in found.listeners}, "inventory missed sockets"
    t_ss = best(lambda: subprocess.run(["ss", "-lntupx"], capture_output=True, check=True))
    t_pa = best(host.inventory)
    print(f"listeners opened: {n}; inventory found {len(found.listeners)} listening sockets")
    print(f"ss -lntupx (with process names): {t_ss * 1000:.1f} ms")
    print(f"portaudit host inventory:        {t_pa * 1000:.1f} ms")
    print(f"ratio portaudit / ss: {t_pa / t_ss:.2f}")
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
