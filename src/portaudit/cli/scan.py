"""``portaudit scan``: static analysis of apps, binaries and source trees."""

from __future__ import annotations

import logging
import sys

import click

from .. import baseline as baseline_mod
from .. import config as config_mod
from .. import formats
from .. import rules as rules_mod
from .. import suppress as suppress_mod
from ..config import ConfigError
from ..model import Severity
from ..options import Options, set_limit
from ..report import finding_sort_key
from ..scan import run
from . import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, setup_logging

SEVERITIES = [s.label for s in Severity]
log = logging.getLogger("portaudit")


def _fail(exc: ConfigError) -> None:
    click.echo(f"portaudit: error: {exc}", err=True)
    sys.exit(EXIT_ERROR)


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))  # bad paths: per-target errors
@click.option("-f", "--format", "fmt", type=click.Choice(list(formats.FORMATS)), default="console",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding has this severity or higher (default: config, else low).")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default=None,
              help="Report only findings at or above this severity (default: config, else info).")
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
              help="Write the current findings' fingerprints to FILE (then exit 0 unless every input failed).")
@click.option("--no-inline-suppressions", is_flag=True,
              help="Ignore `portaudit: ignore[...]` comments in source.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; console output lists only targets with findings.")
@click.option("-v", "--verbose", count=True, help="More detail: listener details, fix, confidence, identifiers, fingerprint and "
                   "target notes; -vv also debug logging on stderr.")
@click.option("--color/--no-color", default=None, help="Colour console output (default: when stdout is a terminal).")
@click.option("--isolate/--no-isolate", default=True, show_default=True,
              help="Analyse each target in a child process, so a native crash, hang or memory "
                   "blow-up costs only that target.")
@click.option("--limit", "limits", multiple=True, metavar="NAME=VALUE",
              help="Override a resource limit, e.g. --limit max_ratio=500 --limit max_entry_bytes=1G "
                   "(names: see docs/security.md).")
@click.option("--device", "device", is_flag=True,
              help="Also read the app's live listeners from the Android device over adb and tie each "
                   "to its static finding (one app target).")
@click.option("--serial", help="With --device: the device serial (default: the only one attached).")
@click.option("--probe", is_flag=True, help="With --device: fingerprint the app's TCP listeners (handshakes only).")
def scan_command(paths, fmt, output, fail_on, min_severity, jobs, timeout, include_tests,
                 include_vendored, config_file, no_config, baseline_file, write_baseline,
                 no_inline_suppressions, quiet, verbose, color, isolate, limits, device, serial, probe):
    """Scan APK/AAB/APKS/XAPK/DEX/JAR files, native libraries, IPAs and source trees.

    PATHS may be files or directories (searched recursively).
    """
    setup_logging(verbose, quiet)
    if fmt not in formats.available():
        raise click.UsageError(f"format {fmt!r} is not available in this installation")

    # configuration
    cfg = config_mod.Config()
    try:
        path = config_file or (None if no_config else config_mod.find_config(paths))
        if path:
            cfg = config_mod.load_config(path)
            log.info("configuration: %s", path)
    except ConfigError as exc:
        _fail(exc)
    for warning in cfg.warnings:
        log.warning("warning: %s", warning)

    options = Options(jobs=jobs, include_tests=include_tests, include_vendored=include_vendored,
                      isolate=isolate)
    options.limits.timeout_seconds = timeout
    for item in limits:
        try:
            set_limit(options.limits, item)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--limit") from None
    if cfg.enable is not None or cfg.disable:
        options.rules = [cls.id for cls in rules_mod.ALL if cfg.rule_enabled(cls.id)]

    # the baseline is read before the scan so a broken file fails fast
    baseline_path = baseline_file or cfg.baseline
    known: set[str] | None = None
    if baseline_path:
        try:
            known = baseline_mod.load(baseline_path)
        except ConfigError as exc:
            _fail(exc)

    report = run(paths, options)
    if device:
        report = _link_device(report, serial, probe)

    # configuration, inline suppressions, baseline, severity floor
    suppressed: list[tuple] = []
    filtered = config_mod.apply(report.findings, cfg)
    for f, why in filtered.removed:
        suppressed.append((f, "external", why))
    findings = filtered.kept
    if not no_inline_suppressions:
        inline = suppress_mod.apply(findings, report.targets)
        for warning in inline.warnings:
            log.warning("warning: %s", warning)
        findings = inline.kept
        for f, sup in inline.suppressed:
            suppressed.append((f, "inSource", sup.reason or f"portaudit: ignore at {sup.file}:{sup.line}"))
        if inline.suppressed:
            log.warning("%d finding(s) suppressed by inline comments", len(inline.suppressed))
    if write_baseline:
        try:
            n = baseline_mod.write(write_baseline, findings)
        except OSError as exc:
            _fail(ConfigError(write_baseline, f"cannot write baseline: {exc.strerror or exc}"))
        log.warning("wrote %d fingerprint(s) to baseline %s", n, write_baseline)
    if known is not None:
        findings, gone = baseline_mod.split(findings, known)
        for f in gone:
            suppressed.append((f, "external", f"in baseline {baseline_path}"))
        log.warning("%d finding(s) suppressed by baseline %s", len(gone), baseline_path)
    floor = Severity.parse(min_severity or cfg.min_severity or "info")
    report.findings = [f for f in findings if f.severity >= floor]
    report.findings.sort(key=finding_sort_key)

    opts = {"verbose": bool(verbose), "quiet": quiet, "suppressed": suppressed}
    if fmt == "console":
        opts["color"] = sys.stdout.isatty() if color is None and not output else bool(color)
    text = formats.render(fmt, report, **opts)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            click.echo(f"portaudit: error: {output}: cannot write: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_ERROR)
    else:
        sys.stdout.write(text)
    if report.failed_all():
        sys.exit(EXIT_ERROR)
    if write_baseline:
        sys.exit(EXIT_CLEAN)
    threshold = Severity.parse(fail_on or cfg.fail_on or "low")
    if any(f.severity >= threshold for f in report.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _link_device(report, serial, probe):
    """Tie the single app target's static findings to its live listeners on a device."""
    from ..errors import InputError
    from ..runtime.link import link
    from ..runtime.pipeline import RuntimeOptions, device_report

    apps = [f for f in report.facts if f.app and f.app.package and f.app.platform == "android"]
    if len(apps) != 1:
        raise click.UsageError("--device needs exactly one Android app among the inputs "
                               f"(found {len(apps)} with a package name)")
    package = apps[0].app.package
    try:
        runtime = device_report(serial, package, RuntimeOptions(probe=probe))
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    for t in runtime.targets:  # device_report records failures (no device, adb gone) on its target
        for err in t.errors:
            log.error("%s: %s", t.path, err)
    log.info("linking %s to the listeners of %s on the device", apps[0].target.path, package)
    return link(report, runtime.facts[0], package).report


COMMAND = scan_command
