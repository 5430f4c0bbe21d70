"""--watch: polls, open/close events in SQLite, how long and how often each listener was open."""

from __future__ import annotations

import json
import socket
import sqlite3

from .conftest import run_cli

from portaudit.errors import InputError
from portaudit.runtime import host
from portaudit.model.runtime import Inventory
from portaudit.runtime.watch import summary, watch


class _Toggler:
    """A real listener that the fake sleep opens and closes between polls."""

    def __init__(self):
        self.sock = None
        self.port = None
        self.t = 0.0

    def toggle(self, seconds):
        self.t += seconds
        if self.sock is None:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.port or 0))
            s.listen()
            self.port = s.getsockname()[1]
            self.sock = s
        else:
            self.sock.close()
            self.sock = None


def test_short_lived_listener_is_counted(tmp_path):
    tog = _Toggler()
    tog.toggle(0)  # open before the first poll
    db = str(tmp_path / "w.sqlite")
    res = watch(host.inventory, duration=5.0, interval=1.0, store_path=db, target="host:test",
                clock=lambda: tog.t, sleep=tog.toggle)
    if tog.sock:
        tog.sock.close()
    key = f"tcp 127.0.0.1:{tog.port}"
    lst = next(x for x in res.listeners if x.key() == key)
    # polls at t=0..5: open, closed, open, closed, open, closed -> 3 appearances
    assert res.polls == 6
    assert lst.seen["appearances"] == 3
    assert lst.seen["open_at_end"] is False
    db_rows = sqlite3.connect(db).execute("SELECT event FROM events WHERE key = ? ORDER BY ts", (key,)).fetchall()
    assert [r[0] for r in db_rows] == ["open", "close", "open", "close", "open", "close"]
    rows = {r["key"]: r for r in summary(db)}
    assert rows[key]["appearances"] == 3


def test_failing_poll_keeps_what_was_gathered(tmp_path):
    calls = {"n": 0}
    real = host.inventory()

    def poll():
        calls["n"] += 1
        if calls["n"] > 2:
            raise InputError("device PA0 not found")
        return Inventory(listeners=list(real.listeners))

    t = {"now": 0.0}
    res = watch(poll, duration=10, interval=1, store_path=str(tmp_path / "w.sqlite"),
                clock=lambda: t["now"], sleep=lambda s: t.__setitem__("now", t["now"] + s))
    assert res.polls == 2
    assert res.errors and "poll 3 failed" in res.errors[0] and "not found" in res.errors[0]
    assert len(res.listeners) == len(real.listeners) and res.listeners
    run = sqlite3.connect(str(tmp_path / "w.sqlite")).execute("SELECT polls, error FROM runs").fetchone()
    assert run[0] == 2 and "not found" in run[1]


def test_cli_watch_records_and_summarises(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    p = s.getsockname()[1]
    db = str(tmp_path / "cli.sqlite")
    try:
        res = run_cli("host", "--format", "json", "--no-firewall", "--watch", "1.5s", "--interval", "0.5s",
                      "--db", db)
    finally:
        s.close()
    data = json.loads(res.stdout)
    r = next(x for x in data["runtime"] if x["port"] == p and x["transport"] == "tcp")
    assert r["seen"]["appearances"] == 1 and r["seen"]["open_seconds"] > 0
    assert any("watched 1.5s" in n for n in data["targets"][0]["notes"])
    n = sqlite3.connect(db).execute("SELECT count(*) FROM listeners").fetchone()[0]
    assert n == len(data["runtime"])
