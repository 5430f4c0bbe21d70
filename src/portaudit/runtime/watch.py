"""``--watch``: poll the inventory, record open/close events in SQLite, summarise.

Schema (one file may hold many runs)::

    runs(id, target, started, ended, interval, polls, error)
    events(run_id, ts, event 'open'|'close', key, listener JSON)
    listeners(run_id, key, first_seen, last_seen, open_seconds, appearances, listener JSON)

``appearances`` counts how many separate times a listener opened (a port that
opens and closes five times in the window appears 5 times); ``open_seconds`` is
the total time it was seen open, measured between polls (a listener shorter
than one interval is caught only if a poll lands inside it).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import InputError
from ..model.runtime import Inventory, RuntimeListener

log = logging.getLogger("portaudit")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, target TEXT, started REAL, ended REAL,
    interval REAL, polls INTEGER, error TEXT);
CREATE TABLE IF NOT EXISTS events (run_id INTEGER, ts REAL, event TEXT, key TEXT, listener TEXT);
CREATE TABLE IF NOT EXISTS listeners (run_id INTEGER, key TEXT, first_seen REAL, last_seen REAL,
    open_seconds REAL, appearances INTEGER, listener TEXT, PRIMARY KEY (run_id, key));
"""


@dataclass
class _Track:
    listener: RuntimeListener
    first_seen: float
    last_seen: float
    opened_at: float | None
    open_seconds: float = 0.0
    appearances: int = 1


@dataclass
class WatchResult:
    listeners: list[RuntimeListener] = field(default_factory=list)
    polls: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None
    events: int = 0


class WatchStore:
    def __init__(self, path: str):
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)

    def start(self, target: str, interval: float) -> int:
        cur = self.db.execute("INSERT INTO runs (target, started, interval, polls) VALUES (?, ?, ?, 0)",
                              (target, time.time(), interval))
        self.db.commit()
        if cur.lastrowid is None:  # sqlite3 sets it after every INSERT that succeeded
            raise sqlite3.Error("the new run row has no id")
        return cur.lastrowid

    def event(self, run_id: int, ts: float, kind: str, lst: RuntimeListener) -> None:
        self.db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                        (run_id, ts, kind, lst.key(), json.dumps(lst.to_dict(), default=str)))

    def finish(self, run_id: int, polls: int, tracks: dict[str, _Track], error: str | None) -> None:
        for key, t in tracks.items():
            self.db.execute("INSERT OR REPLACE INTO listeners VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (run_id, key, t.first_seen, t.last_seen, round(t.open_seconds, 3), t.appearances,
                             json.dumps(t.listener.to_dict(), default=str)))
        self.db.execute("UPDATE runs SET ended = ?, polls = ?, error = ? WHERE id = ?",
                        (time.time(), polls, error, run_id))
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def watch(poll: Callable[[], Inventory], duration: float, interval: float = 1.0, store_path: str | None = None,
          target: str = "", clock: Callable[[], float] = time.monotonic,
          sleep: Callable[[float], None] = time.sleep) -> WatchResult:
    """Poll ``poll()`` every ``interval`` seconds for ``duration`` seconds.

    A poll that raises (device gone, adb died) ends the watch; what was gathered so
    far is kept and summarised, and the error is returned.
    """
    result = WatchResult()
    store = None
    run_id = 0  # the store's run, when there is a store
    if store_path:
        try:
            store = WatchStore(store_path)
        except sqlite3.Error as exc:
            raise InputError(f"watch database {store_path}: {exc}") from exc
        result.run_id = run_id = store.start(target, interval)
    tracks: dict[str, _Track] = {}
    open_now: set[str] = set()
    start = clock()
    wall0 = time.time()
    error: str | None = None
    try:
        while True:
            t = clock()
            ts = wall0 + (t - start)
            try:
                inv = poll()
            except InputError as exc:
                error = f"poll {result.polls + 1} failed, stopping the watch: {exc}"
                break
            result.polls += 1
            for e in inv.errors:
                if e not in result.errors:
                    result.errors.append(e)
            current = {lst.key(): lst for lst in inv.listeners}
            for key, lst in current.items():
                tr = tracks.get(key)
                if tr is None:
                    tracks[key] = _Track(lst, ts, ts, ts)
                    if store:
                        store.event(run_id, ts, "open", lst)
                    result.events += 1
                else:
                    if key not in open_now:
                        tr.appearances += 1
                        tr.opened_at = ts
                        if store:
                            store.event(run_id, ts, "open", lst)
                        result.events += 1
                    else:
                        tr.open_seconds += ts - tr.last_seen
                    tr.last_seen = ts
                    tr.listener = _merge(tr.listener, lst)
            for key in open_now - set(current):
                tr = tracks[key]
                tr.opened_at = None
                if store:
                    store.event(run_id, ts, "close", tr.listener)
                result.events += 1
            open_now = set(current)
            if t - start >= duration:
                break
            sleep(max(0.0, min(interval, duration - (clock() - start))))
    except KeyboardInterrupt:
        result.notes.append("watch interrupted")
    finally:
        if error:
            result.errors.append(error)
            log.error("%s", error)
        for key, tr in tracks.items():
            tr.listener.seen = {
                "first_seen": round(tr.first_seen, 3), "last_seen": round(tr.last_seen, 3),
                "open_seconds": round(tr.open_seconds, 3), "appearances": tr.appearances,
                "open_at_end": key in open_now and error is None,
            }
        if store:
            store.finish(run_id, result.polls, tracks, error)
            store.close()
    result.listeners = [tr.listener for tr in tracks.values()]
    return result


def _merge(old: RuntimeListener, new: RuntimeListener) -> RuntimeListener:
    """Keep the newest socket data but do not lose an owner learned earlier."""
    if new.process is None and old.process is not None:
        new.process = old.process
    return new


def summary(db_path: str, run_id: int | None = None) -> list[dict]:
    """Rows of the ``listeners`` table of one run (the last one by default)."""
    db = sqlite3.connect(db_path)
    try:
        if run_id is None:
            row = db.execute("SELECT max(id) FROM runs").fetchone()
            run_id = row[0]
        rows = db.execute("SELECT key, first_seen, last_seen, open_seconds, appearances FROM listeners "
                          "WHERE run_id = ? ORDER BY key", (run_id,)).fetchall()
        names = ("key", "first_seen", "last_seen", "open_seconds", "appearances")
        return [dict(zip(names, r, strict=True)) for r in rows]
    finally:
        db.close()
