"""``portaudit scan``: static analysis of apps, binaries and source trees."""

from __future__ import annotations

import sys

import click

from .. import formats
from ..model import Severity
from ..options import Options
from ..scan import run
from . import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, setup_logging

SEVERITIES = [s.label for s in Severity]


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(list(formats.FORMATS)), default="console",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True,
              help="Exit 1 when a finding has this severity or higher.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
              help="Report only findings at or above this severity.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
              help="Targets analysed in parallel (separate processes).")
@click.option("--timeout", type=click.FloatRange(0), default=300.0, show_default=True,
              help="Wall-time limit per target in seconds (0 = none).")
@click.option("--include-tests", is_flag=True, help="Source: report test and sample code at full severity.")
@click.option("--include-vendored", is_flag=True, help="Source: also scan vendored, generated and build folders.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; console output lists only targets with findings.")
@click.option("-v", "--verbose", count=True, help="More detail (evidence, fixes) and progress on stderr.")
@click.option("--color/--no-color", default=None, help="Colour console output (default: when stdout is a terminal).")
def scan_command(paths, fmt, output, fail_on, min_severity, jobs, timeout, include_tests,
                 include_vendored, quiet, verbose, color):
    """Scan APK/AAB/APKS/XAPK/DEX/JAR files, native libraries, IPAs and source trees.

    PATHS may be files or directories (searched recursively).
    """
    setup_logging(verbose, quiet)
    options = Options(jobs=jobs, include_tests=include_tests, include_vendored=include_vendored)
    options.limits.timeout_seconds = timeout
    if fmt not in formats.available():
        raise click.UsageError(f"format {fmt!r} is not available in this installation")
    report = run(paths, options)
    floor = Severity.parse(min_severity)
    report.findings = [f for f in report.findings if f.severity >= floor]
    opts = {"verbose": bool(verbose), "quiet": quiet}
    if fmt == "console":
        opts["color"] = sys.stdout.isatty() if color is None and not output else bool(color)
    text = formats.render(fmt, report, **opts)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    if report.failed_all():
        sys.exit(EXIT_ERROR)
    threshold = Severity.parse(fail_on)
    if any(f.severity >= threshold for f in report.findings):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


COMMAND = scan_command
