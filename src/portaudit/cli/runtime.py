"""``portaudit host`` and ``portaudit device``: live listening-socket inventory."""

from __future__ import annotations

import re
import sys
import textwrap

import click

from .. import formats
from ..model import Severity
from ..probe import ProbeLimits
from ..live import RuntimeOptions, device_report, host_report
from . import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, setup_logging

INVENTORY_WIDTH = 80  # the console design target (docs/ci.md)

SEVERITIES = [s.label for s in Severity]
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")


class Duration(click.ParamType):
    name = "DURATION"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return float(value)
        m = _DURATION.match(str(value))
        if not m:
            self.fail(f"{value!r} is not a duration (examples: 30, 30s, 5m, 1h)", param, ctx)
        n = float(m.group(1))
        return n * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[m.group(2)]


def _common(fn):
    opts = [
        click.option("-f", "--format", "fmt", type=click.Choice(list(formats.FORMATS)), default="console",
                     show_default=True, help="Output format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                     help="Write the report to FILE instead of stdout."),
        click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True,
                     help="Exit 1 when a finding has this severity or higher."),
        click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
                     help="Report only findings at or above this severity."),
        click.option("--watch", "watch", type=Duration(), default=None,
                     help="Poll for DURATION (30s, 5m...) and record open/close events."),
        click.option("--interval", type=Duration(), default="1s", show_default=True,
                     help="Time between polls in --watch mode."),
        click.option("--db", type=click.Path(dir_okay=False), default=None,
                     help="SQLite file for --watch events [default: portaudit-watch.sqlite]."),
        click.option("--probe", is_flag=True,
                     help="Fingerprint every TCP listener found (TLS, HTTP, WebSocket, JDWP, adb, DevTools)."),
        click.option("--target", "targets", multiple=True, metavar="HOST:PORT",
                     help="Also probe this address (repeatable). Nothing else is ever contacted."),
        click.option("--allow-remote", is_flag=True,
                     help="Let --target and --reach connect beyond loopback and this machine's own addresses."),
        click.option("--reach", metavar="ADDRESS",
                     help="Connect to ADDRESS at each TCP listener's port: which ones accept from outside."),
        click.option("--from-netns", metavar="NAME",
                     help="Linux, root: make --reach and --target connections from network namespace NAME."),
        click.option("--firewall/--no-firewall", default=True, show_default=True,
                     help="Read nftables/iptables and say whether inbound traffic is filtered."),
        click.option("--timeout", type=click.FloatRange(0.05), default=2.0, show_default=True,
                     help="Timeout of each probe socket operation, seconds."),
        click.option("--probe-deadline", type=click.FloatRange(0.1), default=10.0, show_default=True,
                     help="Time limit for fingerprinting one service, seconds."),
        click.option("--max-bytes", type=click.IntRange(64), default=65536, show_default=True,
                     help="Bytes read at most from one probe connection."),
        click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True,
                     help="Services probed at the same time."),
        click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr."),
        click.option("-v", "--verbose", count=True, help="More detail and progress on stderr."),
        click.option("--color/--no-color", default=None, help="Colour console output."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _options(watch, interval, db, probe, targets, allow_remote, reach, from_netns, firewall, timeout,
             probe_deadline, max_bytes, concurrency) -> RuntimeOptions:
    return RuntimeOptions(
        watch=watch, interval=interval, db=db or ("portaudit-watch.sqlite" if watch else None), probe=probe,
        targets=list(targets), allow_remote=allow_remote, reach=reach, from_netns=from_netns,
        firewall=firewall,
        limits=ProbeLimits(timeout=timeout, deadline=probe_deadline, max_bytes=max_bytes),
        concurrency=concurrency,
    )


def _emit(report, fmt, output, fail_on, min_severity, quiet, verbose, color) -> None:
    if fmt not in formats.available():
        raise click.UsageError(f"format {fmt!r} is not available in this installation")
    floor = Severity.parse(min_severity)
    report.findings = [f for f in report.findings if f.severity >= floor]
    opts = {"verbose": bool(verbose), "quiet": quiet}
    if fmt == "console":
        opts["color"] = sys.stdout.isatty() if color is None and not output else bool(color)
    text = formats.render(fmt, report, **opts)
    if fmt == "console":
        text = _inventory_table(report) + text
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # as `scan -o`: one line, exit 2, never a traceback
            click.echo(f"portaudit: error: {output}: cannot write: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_ERROR)
    else:
        sys.stdout.write(text)
    for t in report.targets:
        for err in t.errors:
            click.echo(f"portaudit: {t.path}: {err}", err=True)
    if report.failed_all():
        sys.exit(EXIT_ERROR)
    if any(f.severity >= Severity.parse(fail_on) for f in report.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _inventory_table(report) -> str:
    """A plain inventory listing ahead of the findings (console format only)."""
    lines = []
    for facts in report.facts:
        rows = [r for r in facts.runtime if hasattr(r, "endpoint")]
        missed = [t for t in (facts.stats or {}).get("targets", []) if not t["reachable"]]
        for t in missed:  # asked for by name: always shown, not behind -v
            lines.extend(textwrap.wrap(f"--target {t['target']}: {t['detail']}", INVENTORY_WIDTH,
                                       subsequent_indent="    "))
        if missed:
            lines.append("")
        if not rows:
            continue
        lines.append(f"{facts.target.path}: {len(rows)} listener(s)")
        width = min(max(len(r.endpoint()) for r in rows), 44)
        for r in rows:
            p = r.process
            who = " ".join(x for x in [
                p.package if p and p.package else None,
                (p.name if p and p.name else None),
                (f"pid={p.pid}" if p and p.pid is not None else None),
                (f"uid={r.uid}" if r.uid is not None else None)] if x) or "-"
            extra = []
            if r.probe:
                extra.append(f"probe={r.probe.get('protocol') or '?'} auth={r.probe.get('requires_auth')}")
            if r.reach:
                extra.append(f"reach={'yes' if r.reach.get('accepted') else 'no'}")
            if r.firewall:
                extra.append(f"filtered={r.firewall.get('filtered')}")
            if r.seen:
                extra.append(f"open={r.seen['open_seconds']}s x{r.seen['appearances']}")
            head = f"  {_fit(r.endpoint(), width):<{width}} {r.bind.value:<14} {r.state:<6} "
            tail = f"{who} {' '.join(extra)}".rstrip()
            if len(head) + len(tail) <= INVENTORY_WIDTH:
                lines.append(head + tail)
            else:  # keep within 80 columns: owner and extras wrap under the endpoint
                lines.append(head.rstrip())
                lines.extend(textwrap.wrap(tail, INVENTORY_WIDTH, initial_indent="      ",
                                           subsequent_indent="      ", break_on_hyphens=False))
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def _fit(text: str, width: int) -> str:
    """A long endpoint (a UNIX socket path) keeps its start and its end, within ``width`` columns."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[:keep // 3] + "…" + text[len(text) - (keep - keep // 3):]


@click.command("host")
@_common
@click.option("--no-unix", is_flag=True, help="Leave UNIX-domain sockets out.")
def host_command(fmt, output, fail_on, min_severity, watch, interval, db, probe, targets, allow_remote, reach,
                 from_netns, firewall, timeout, probe_deadline, max_bytes, concurrency, quiet, verbose, color,
                 no_unix):
    """Listening sockets of this machine, with pid and process name.

    Linux reads /proc/net (inode, UID) and psutil; macOS and Windows use psutil.
    """
    setup_logging(verbose, quiet)
    opts = _options(watch, interval, db, probe, targets, allow_remote, reach, from_netns, firewall, timeout,
                    probe_deadline, max_bytes, concurrency)
    opts.include_unix = not no_unix
    try:
        report = host_report(opts)
    except Exception as exc:  # InputError and friends: one line, no traceback
        from ..errors import InputError

        if isinstance(exc, InputError):
            raise click.UsageError(str(exc)) from None
        raise
    _emit(report, fmt, output, fail_on, min_severity, quiet, verbose, color)


@click.command("device")
@_common
@click.option("-s", "--serial", help="Device serial (default: the only attached device, or $ANDROID_SERIAL).")
@click.option("-p", "--package", help="Only this package's listeners.")
@click.option("--apk", type=click.Path(exists=True, dir_okay=False),
              help="With --package: scan this APK statically and link runtime listeners to code.")
@click.option("--adb-host",
              help="adb server host [default: $ADB_SERVER_SOCKET / $ANDROID_ADB_SERVER_HOST / 127.0.0.1].")
@click.option("--adb-port", type=click.IntRange(1, 65535),
              help="adb server port [default: $ADB_SERVER_SOCKET / $ANDROID_ADB_SERVER_PORT / 5037].")
@click.option("--keep-adb-server", is_flag=True,
              help="Leave running an adb server this run had to start (by default it is stopped at the end).")
def device_command(fmt, output, fail_on, min_severity, watch, interval, db, probe, targets, allow_remote, reach,
                   from_netns, firewall, timeout, probe_deadline, max_bytes, concurrency, quiet, verbose, color,
                   serial, package, apk, adb_host, adb_port, keep_adb_server):
    """Listening sockets of an Android device through adb (/proc/net, pm, ps).

    Probes reach device ports through `adb forward`.
    """
    setup_logging(verbose, quiet)
    if apk and not package:
        raise click.UsageError("--apk needs --package (the package whose listeners are linked)")
    opts = _options(watch, interval, db, probe, targets, allow_remote, reach, from_netns, firewall, timeout,
                    probe_deadline, max_bytes, concurrency)
    opts.keep_adb_server = keep_adb_server
    from ..errors import InputError

    try:
        report = device_report(serial, package, opts, adb_host=adb_host, adb_port=adb_port)
        if apk:
            from ..live import scan_linked
            from ..runtime.owners import Package

            live_facts = report.facts[0]
            report = scan_linked([apk], None, None, lambda _static: (live_facts, Package(package))).report
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    _emit(report, fmt, output, fail_on, min_severity, quiet, verbose, color)


COMMANDS = [host_command, device_command]
