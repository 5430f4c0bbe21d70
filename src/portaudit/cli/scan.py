"""``portaudit scan``: static analysis of apps, binaries and source trees."""

from __future__ import annotations

import logging
import os
import shutil
import sys

import click

from .. import baseline as baseline_mod
from .. import config as config_mod
from .. import formats
from .. import rules as rules_mod
from .. import suppress as suppress_mod
from ..errors import ConfigError, is_internal
from ..formats.text import oneline
from ..model import Confidence, Severity
from ..options import Options, set_limit
from ..report import Report, finding_sort_key, project_root
from ..live import RuntimeOptions
from ..scan import run
from . import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, NOTICE, setup_logging
from .runtime import Duration

SEVERITIES = [s.label for s in Severity]
CONFIDENCES = [c.label for c in Confidence]
log = logging.getLogger("portaudit")


def _fail(exc: ConfigError) -> None:
    """A configuration or baseline problem: one line, exit 2 (0 with --exit-zero)."""
    click.echo(f"portaudit: error: {oneline(str(exc))}", err=True)
    ctx = click.get_current_context(silent=True)
    sys.exit(EXIT_CLEAN if ctx is not None and ctx.params.get("exit_zero") else EXIT_ERROR)


def _rule_ids(values: tuple[str, ...], option: str) -> list[str]:
    for rid in values:
        if rid not in rules_mod.BY_ID:
            raise click.BadParameter(f"unknown rule id {rid!r}{config_mod.did_you_mean(rid, rules_mod.BY_ID)}; "
                                     "`portaudit rules` lists them", param_hint=option)
    return list(values)


def _outputs(specs: tuple[str, ...], fmt: str) -> tuple[list[tuple[str, str]], bool]:
    """[(format, path)] and whether stdout still gets the ``-f`` format."""
    outs = [formats.output_spec(s, fmt) for s in specs]
    plain = any(path == spec for spec, (_, path) in zip(specs, outs, strict=True))
    for name, _ in outs:
        if name not in formats.available():
            raise click.UsageError(f"format {name!r} is not available in this installation")
    return outs, not plain


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))  # bad paths: per-target errors
@click.option("-f", "--format", "fmt", type=click.Choice(list(formats.FORMATS)), default="console",
              show_default=True, help="Format on stdout (and of a plain --output FILE).")
@click.option("-o", "--output", "output_specs", multiple=True, metavar="[FORMAT:]PATH",
              help="Write a report to PATH: FORMAT:PATH (repeatable, e.g. -o sarif:r.sarif -o html:r.html; "
                   "stdout keeps -f), or a plain PATH in the -f format instead of stdout.")
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "never"]), default=None,
              help="Exit 1 when a finding has this severity or higher; never: findings do not fail "
                   "(default: config, else low).")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 (unless the command line is wrong): report only.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default=None,
              help="Report only findings at or above this severity (default: config, else info).")
@click.option("--min-confidence", type=click.Choice(CONFIDENCES), default=None,
              help="Report only findings at or above this confidence (default: config, else low).")
@click.option("--include", "includes", multiple=True, metavar="GLOB",
              help="Report only findings whose project-relative file or target matches GLOB (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Drop findings whose project-relative file or target matches GLOB (repeatable).")
@click.option("--exclude-rule", "exclude_rules", multiple=True, metavar="RULE",
              help="Do not run this rule (repeatable).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Project root: report paths relative to it (default: the git root, else the folder of "
                   "the configuration file, else the working directory).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Targets analysed in parallel (separate processes).")
@click.option("--timeout", type=click.FloatRange(0), default=300.0, show_default=True,
              help="Wall-time limit per target in seconds (0 = none).")
@click.option("--include-tests", is_flag=True, help="Source: report test and sample code at full severity.")
@click.option("--include-vendored", is_flag=True, help="Source: also scan vendored, generated and build folders.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (default: .portaudit.toml or pyproject.toml [tool.portaudit] "
                   "found from the first PATH upwards, then from the working directory).")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Drop findings whose fingerprint is in this baseline file.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False, writable=True),
              help="Write the current findings' fingerprints to FILE, keeping fields added to entries "
                   "still current (then exit 0 unless an input failed).")
@click.option("--no-inline-suppressions", is_flag=True,
              help="Ignore `portaudit: ignore[...]` comments in source.")
@click.option("-q", "--quiet", is_flag=True,
              help="Warnings and errors only on stderr; console output lists only targets with findings.")
@click.option("-v", "--verbose", count=True,
              help="More detail: listener details, fix, confidence, identifiers, fingerprint and "
                   "target notes; -vv also debug logging on stderr.")
@click.option("--color/--no-color", default=None, help="Colour console output (default: when stdout is a terminal).")
@click.option("--width", type=click.IntRange(40, 1000), default=None,
              help="Console width (default: the terminal's, else $COLUMNS, else 100).")
@click.option("--isolate/--no-isolate", default=True, show_default=True,
              help="Analyse each target in a child process, so a native crash, hang or memory "
                   "blow-up costs only that target.")
@click.option("--limit", "limits", multiple=True, metavar="NAME=VALUE",
              help="Override a resource limit, e.g. --limit max_ratio=500 --limit max_entry_bytes=1G "
                   "(names: see docs/security.md).")
@click.option("--device", "device", is_flag=True,
              help="Also read the app's live listeners from the Android device over adb and tie each "
                   "to its static finding (one app target).")
@click.option("--host", "host", is_flag=True,
              help="Also read this host's live listeners and tie those of processes whose code is under PATHS "
                   "to their static findings.")
@click.option("--serial", help="With --device: the device serial (default: the only one attached).")
@click.option("--probe", is_flag=True,
              help="With --device or --host: fingerprint the linked TCP listeners (handshakes only).")
@click.option("--watch", "watch", type=Duration(), default=None,
              help="With --host or --device: observe for DURATION (30s, 5m...), recording when each listener "
                   "opens and closes.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="With --watch: the SQLite file of open/close events [default: portaudit-watch.sqlite].")
def scan_command(paths, fmt, output_specs, fail_on, exit_zero, min_severity, min_confidence, includes, excludes,
                 exclude_rules, root, jobs, timeout, include_tests, include_vendored, config_file, no_config,
                 baseline_file, write_baseline, no_inline_suppressions, quiet, verbose, color, width, isolate,
                 limits, device, host, serial, probe, watch, db):
    """Scan APK/AAB/APKS/XAPK/DEX/JAR files, native libraries, IPAs and source trees.

    PATHS may be files or directories (searched recursively).  Paths in the report are relative
    to the project root (--root).
    """
    setup_logging(verbose, quiet)
    if fmt not in formats.available():
        raise click.UsageError(f"format {fmt!r} is not available in this installation")
    outputs, to_stdout = _outputs(output_specs, fmt)
    excluded_rules = _rule_ids(exclude_rules, "--exclude-rule")

    options = Options(jobs=jobs, include_tests=include_tests, include_vendored=include_vendored,
                      isolate=isolate)
    options.limits.timeout_seconds = timeout
    for item in limits:
        try:
            set_limit(options.limits, item)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--limit") from None

    cfg, cfg_path = _load_config(paths, config_file, no_config)
    cfg.disable = [*cfg.disable, *excluded_rules]
    cfg.include = [*cfg.include, *includes]
    cfg.exclude = [*cfg.exclude, *excludes]
    if cfg.enable is not None or cfg.disable:
        options.rules = [cls.id for cls in rules_mod.ALL if cfg.rule_enabled(cls.id)]
        if not options.rules:
            raise click.UsageError("every rule is turned off (configuration and --exclude-rule)")

    # the baseline is read before the scan so a broken file fails fast; writing one ignores the
    # configuration's (it may not exist yet)
    baseline_path = baseline_file or (None if write_baseline else cfg.baseline)
    known: set[str] | None = None
    if baseline_path:
        try:
            known = baseline_mod.load(baseline_path)
        except ConfigError as exc:
            _fail(exc)

    if device and host:
        raise click.UsageError("--device and --host are exclusive: one live system per run")
    if (probe or watch) and not (device or host):
        raise click.UsageError("--probe and --watch need --device or --host")
    live = RuntimeOptions(probe=probe, watch=watch, db=db or ("portaudit-watch.sqlite" if watch else None),
                          firewall=False)
    root_dir = project_root(paths, root, str(cfg_path) if cfg_path else None)
    if device:
        report = _scan_with_device(paths, options, root_dir, serial, live)
    elif host:
        report = _scan_with_host(paths, options, root_dir, live)
    else:
        report = run(paths, options, root=root_dir)

    suppressed = _filter(report, cfg, no_inline_suppressions, known, baseline_path, write_baseline)
    report.findings = [f for f in report.findings
                       if f.severity >= Severity.parse(min_severity or cfg.min_severity or "info")
                       and f.confidence >= Confidence.parse(min_confidence or cfg.min_confidence or "low")]
    report.findings.sort(key=finding_sort_key)

    opts = {"verbose": bool(verbose), "quiet": quiet, "suppressed": suppressed}
    render_failed = _write_reports(report, fmt, outputs, to_stdout, opts, color, width)

    code = _exit_code(report, fail_on or cfg.fail_on or "low", bool(write_baseline), render_failed)
    sys.exit(EXIT_CLEAN if exit_zero else code)


def _load_config(paths, config_file, no_config) -> tuple[config_mod.Config, str | None]:
    try:
        path = config_file or (None if no_config else config_mod.find_config(paths))
        if path:
            log.info("configuration: %s", path)
            return config_mod.load_config(path), str(path)
    except ConfigError as exc:
        _fail(exc)
    return config_mod.Config(), None


def _filter(report: Report, cfg, no_inline: bool, known: set[str] | None, baseline_path: str | None,
            write_baseline: str | None) -> list[tuple]:
    """Configuration, inline suppressions and the baseline; returns the suppressed findings."""
    suppressed: list[tuple] = []
    filtered = config_mod.apply(report.findings, cfg)
    for f, why in filtered.removed:
        suppressed.append((f, "external", why))
    findings = filtered.kept
    if not no_inline:
        inline = suppress_mod.apply(findings, report)
        for warning in inline.warnings:
            log.warning("warning: %s", warning)
        findings = inline.kept
        for f, sup in inline.suppressed:
            suppressed.append((f, "inSource", sup.reason or f"portaudit: ignore at {sup.file}:{sup.line}"))
        if inline.suppressed:
            log.log(NOTICE, "%d finding(s) suppressed by inline comments", len(inline.suppressed))
    if write_baseline:
        try:
            n = baseline_mod.write(write_baseline, findings)
        except OSError as exc:
            _fail(ConfigError(write_baseline, f"cannot write baseline: {exc.strerror or exc}"))
        log.log(NOTICE, "wrote %d fingerprint(s) to baseline %s", n, write_baseline)
    if known is not None:
        findings, gone = baseline_mod.split(findings, known)
        for f in gone:
            suppressed.append((f, "external", f"in baseline {baseline_path}"))
        if gone:
            log.log(NOTICE, "%d finding(s) suppressed by baseline %s", len(gone), baseline_path)
        elif known:
            log.warning("warning: baseline %s suppressed nothing: none of its %d fingerprint(s) matches a finding "
                        "(written for other code, or under another --root?)", baseline_path, len(known))
    report.findings = findings
    return suppressed


def _write_reports(report: Report, fmt: str, outputs: list[tuple[str, str]], to_stdout: bool,
                   opts: dict, color: bool | None, width: int | None) -> bool:
    """Render every requested report, then write them; returns True when one could not be written
    at all.  When rendering one format fails on a target, that target ends with an error and every
    format is rendered again, so all outputs of a run agree."""
    jobs: list[tuple[str, str | None]] = [(fmt, None)] if to_stdout else []
    jobs += list(outputs)
    for _ in range(len(report.targets) + 1):
        errors_before = sum(len(t.errors) for t in report.targets)
        texts: list[tuple[str | None, str | None, str]] = []
        for name, path in jobs:
            kw = dict(opts)
            if name == "console":
                kw["color"] = (path is None and sys.stdout.isatty()) if color is None else bool(color)
                kw["width"] = width or (shutil.get_terminal_size((100, 24)).columns if path is None else 100)
            try:
                texts.append((name, path, formats.render_contained(name, report, **kw)))
            except formats.RenderError as exc:
                log.error("%s", exc)
                texts.append((None, path, ""))
        if sum(len(t.errors) for t in report.targets) == errors_before:
            break
    failed = False
    for rendered, path, text in texts:
        if rendered is None:
            failed = True
        elif path is None:
            _stdout(text, rendered)
        else:
            try:
                with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
                    fh.write(text)
            except OSError as exc:
                click.echo(f"portaudit: error: {path}: cannot write: {exc.strerror or exc}", err=True)
                sys.exit(EXIT_ERROR)
    return failed


def _stdout(text: str, name: str) -> None:
    """Write to stdout; a reader that went away (``| head``) ends the output quietly."""
    encoding = (sys.stdout.encoding or "utf-8") if name == "console" else "utf-8"
    data = text.encode(encoding, "backslashreplace")
    try:
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            sys.stdout.write(data.decode(encoding))
        else:
            sys.stdout.flush()
            out.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _exit_code(report: Report, fail_on: str, wrote_baseline: bool, render_failed: bool) -> int:
    """The worst condition wins: internal error 3, unusable input 2, findings 1, else 0."""
    errors = [e for t in report.targets for e in t.errors]
    if render_failed or any(is_internal(e) for e in errors):
        return EXIT_INTERNAL
    if errors:
        return EXIT_ERROR
    if wrote_baseline or fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in report.findings) else EXIT_CLEAN


def _scan_with_device(paths, options, root, serial, live):
    """Scan with the single app target's live listeners on a device linked in before the rules."""
    from ..errors import InputError
    from ..live import device_report, scan_linked
    from ..runtime.owners import Package

    def gather(static):
        apps = [f for f in static if f.app and f.app.package and f.app.platform == "android"]
        if len(apps) != 1:
            raise click.UsageError("--device needs exactly one Android app among the inputs "
                                   f"(found {len(apps)} with a package name)")
        package = apps[0].app.package
        runtime = device_report(serial, package, live)
        for t in runtime.targets:  # device_report records failures (no device, adb gone) on its target
            for err in t.errors:
                log.error("%s: %s", t.path, err)
        log.info("linking %s to the listeners of %s on the device", apps[0].target.path, package)
        return runtime.facts[0], Package(package)

    try:
        return scan_linked(paths, options, root, gather).report
    except InputError as exc:
        raise click.UsageError(str(exc)) from None


def _scan_with_host(paths, options, root, live):
    """Scan with the live listeners of this host's processes running code under PATHS linked in."""
    from ..errors import InputError
    from ..live import host_report, scan_linked
    from ..runtime.owners import CodeTree

    tree = CodeTree([str(p) for p in paths])
    # this code's listeners only (inventoried, probed, reported); the host's others are `portaudit host`'s
    live.keep = lambda r: tree.belongs(r) is not None
    live.keep_note = ("listener(s) of processes whose code is not under the scanned paths left out "
                      "(`portaudit host` lists them)")

    def gather(static):
        facts = host_report(live).facts[0]
        if tree.unreadable:
            facts.target.notes.append(
                f"{tree.unreadable} process(es) could not be read (another user's, without root): not linked")
        pids = {r.process.pid for r in facts.runtime if r.process}
        log.info("linking %d listener(s) of %d process(es) running code under %s", len(facts.runtime), len(pids),
                 tree.label)
        return facts, tree

    try:
        return scan_linked(paths, options, root, gather).report
    except InputError as exc:
        raise click.UsageError(str(exc)) from None


COMMAND = scan_command
