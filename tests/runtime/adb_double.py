"""A stand-in for the adb server: speaks the adb *host* protocol (the one adbutils and
the adb client use on port 5037) and replays captured command output for one device.

Supported: host:version, host:devices[-l], host:tport:serial:S, host:transport:S,
host-serial:S:{features,get-state,forward:...,list-forward,killforward:...,killforward-all},
host:list-forward, and in transport mode shell:<command> (output looked up in
``outputs``; unknown commands answer like a missing binary).  Forwards are real:
the double listens on the local port and relays to the "device", which is this
machine (optionally a network namespace of it).
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))

from portaudit.probe import netns as _netns


class AdbDouble:
    def __init__(self, serial: str = "PA0TEST0", state: str = "device", outputs: dict | None = None,
                 netns: str | None = None):
        self.devices = {serial: state} if serial else {}
        self.serial = serial
        self.outputs = dict(outputs or {})
        self.netns = netns
        self.gone_after: int | None = None  # device disappears after this many shell commands
        self.shell_count = 0
        self.commands: list[str] = []
        self.forwards: dict[int, str] = {}
        self.forward_log: list[str] = []
        self._fwd_socks: dict[int, socket.socket] = {}
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    # -- protocol helpers ---------------------------------------------------------------
    @staticmethod
    def _recv_exact(conn, n):
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def _read_cmd(self, conn) -> str:
        n = int(self._recv_exact(conn, 4), 16)
        return self._recv_exact(conn, n).decode()

    @staticmethod
    def _block(text: str) -> bytes:
        data = text.encode()
        return b"%04x" % len(data) + data

    def _okay(self, conn, text: str | None = None):
        conn.sendall(b"OKAY" + (self._block(text) if text is not None else b""))

    def _fail(self, conn, text: str):
        conn.sendall(b"FAIL" + self._block(text))

    # -- server ----------------------------------------------------------------------------
    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _device_ok(self, conn, serial: str) -> bool:
        if self.gone_after is not None and self.shell_count >= self.gone_after:
            self.devices.pop(serial, None)
        state = self.devices.get(serial)
        if state is None:
            self._fail(conn, f"device '{serial}' not found")
            return False
        if state == "unauthorized":
            self._fail(conn, "device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\n"
                             "Try 'adb kill-server' if that seems wrong.\nOtherwise check for a confirmation "
                             "dialog on your device.")
            return False
        if state != "device":
            self._fail(conn, "device offline")
            return False
        return True

    def _handle(self, conn):
        try:
            with conn:
                transport = None
                while True:
                    cmd = self._read_cmd(conn)
                    self.commands.append(cmd)
                    if transport is None:
                        if cmd == "host:version":
                            self._okay(conn, "0029")
                            return
                        if cmd in ("host:devices", "host:devices-l"):
                            if self.gone_after is not None and self.shell_count >= self.gone_after:
                                self.devices.pop(self.serial, None)
                            self._okay(conn, "".join(f"{s}\t{st}\n" for s, st in self.devices.items()))
                            return
                        if cmd.startswith("host:tport:serial:"):
                            serial = cmd.split(":", 3)[3]
                            if not self._device_ok(conn, serial):
                                return
                            conn.sendall(b"OKAY" + struct.pack("<Q", 1))
                            transport = serial
                            continue
                        if cmd.startswith("host:transport:"):
                            serial = cmd.split(":", 2)[2]
                            if not self._device_ok(conn, serial):
                                return
                            self._okay(conn)
                            transport = serial
                            continue
                        if cmd == "host:list-forward":
                            self._okay(conn, self._forward_text())
                            return
                        if cmd.startswith("host-serial:"):
                            _, serial, rest = cmd.split(":", 2)
                            if not self._device_ok(conn, serial):
                                return
                            self._host_serial(conn, rest)
                            return
                        self._fail(conn, f"unknown host service '{cmd}'")
                        return
                    if cmd.startswith("shell:"):
                        self.shell_count += 1
                        command = cmd[6:]
                        out = self.outputs.get(command)
                        if callable(out):
                            out = out()
                        if out is None:
                            out = f"/system/bin/sh: {command.split()[0]}: inaccessible or not found\n"
                        self._okay(conn)
                        conn.sendall(out.encode() if isinstance(out, str) else out)
                        return
                    self._fail(conn, f"unsupported service '{cmd}'")
                    return
        except (EOFError, OSError, ValueError):
            return

    def _forward_text(self) -> str:
        return "".join(f"{self.serial} tcp:{lp} {remote}\n" for lp, remote in self.forwards.items())

    def _host_serial(self, conn, rest: str):
        if rest == "features":
            self._okay(conn, "shell_v2,cmd,stat_v2")
        elif rest == "get-state":
            self._okay(conn, "device")
        elif rest == "list-forward":
            self._okay(conn, self._forward_text())
        elif rest.startswith("forward:"):
            spec = rest[len("forward:"):]
            spec = spec.removeprefix("norebind:")
            local, remote = spec.split(";", 1)
            self.forward_log.append(remote)
            self._start_forward(int(local.split(":")[1]), remote)
            conn.sendall(b"OKAYOKAY")
        elif rest.startswith("killforward:"):
            lp = int(rest.split(":")[2])
            with self._lock:
                known = self.forwards.pop(lp, None)
                s = self._fwd_socks.pop(lp, None)
            if s:
                s.close()
            if known is None:
                self._fail(conn, f"listener 'tcp:{lp}' not found")
                return
            conn.sendall(b"OKAYOKAY")
        elif rest == "killforward-all":
            for lp in list(self._fwd_socks):
                self._fwd_socks.pop(lp).close()
            self.forwards.clear()
            conn.sendall(b"OKAYOKAY")
        else:
            self._fail(conn, f"unsupported host-serial service '{rest}'")

    # -- forwards: real relays ---------------------------------------------------------------
    def _start_forward(self, local: int, remote: str):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", local))
        s.listen(8)
        with self._lock:
            self.forwards[local] = remote
            self._fwd_socks[local] = s

        def accept_loop():
            while True:
                try:
                    c, _ = s.accept()
                except OSError:
                    return
                threading.Thread(target=self._relay, args=(c, remote), daemon=True).start()

        threading.Thread(target=accept_loop, daemon=True).start()

    def _relay(self, client, remote: str):
        try:
            if self.netns:
                _netns.enter(self.netns)  # this thread only
            kind, _, where = remote.partition(":")
            if kind == "tcp":
                up = socket.create_connection(("127.0.0.1", int(where)), timeout=5)
            elif kind == "localabstract":
                up = socket.socket(socket.AF_UNIX)
                up.connect("\0" + where)
            else:
                client.close()
                return
        except OSError:
            client.close()
            return
        up.settimeout(None)

        def pump(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for x in (a, b):
                    with contextlib.suppress(OSError):
                        x.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(client, up), daemon=True).start()
        pump(up, client)
        client.close()
        up.close()

    def close(self):
        self._stop = True
        self.sock.close()
        for s in self._fwd_socks.values():
            s.close()
