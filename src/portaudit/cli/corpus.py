"""``portaudit corpus``: scan thousands of apps into a resumable SQLite store, then compute
prevalence statistics and export the results."""

from __future__ import annotations

import functools
import os
import shlex
import sys

import click

from ..options import Options
from . import EXIT_CLEAN, EXIT_ERROR, setup_logging


@click.group("corpus")
def corpus_group() -> None:
    """Corpus-scale runs: scan many apps into a store, then stats and export.

    \b
    portaudit corpus scan ~/apks --db results.sqlite        # all cores
    portaudit corpus scan apps.txt --db results.sqlite      # a list file, one path a line
    portaudit corpus scan ~/apks --db r.sqlite --dask-local 8
    portaudit corpus scan ~/apks --db r.sqlite --scheduler tcp://host:8786
    portaudit corpus stats --db results.sqlite --format html -o report.html
    portaudit corpus export --db results.sqlite --format parquet -o findings.parquet
    """


def _fail(message: str) -> None:
    click.echo(f"portaudit: {message}", err=True)
    sys.exit(EXIT_ERROR)


# optional packages of corpus mode (the "corpus" extra) -> what needs them
OPTIONAL = {"pyarrow": "Parquet export", "dask": "Dask execution", "distributed": "Dask execution",
            "matplotlib": "the plots of the HTML statistics"}


def _needs_extras(fn):
    """A missing optional package is one line naming it and the extra that brings it."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ModuleNotFoundError as exc:
            top = (exc.name or "").split(".")[0]
            if top not in OPTIONAL:
                raise
            _fail(f"{OPTIONAL[top]} needs the Python package {top}, which is not installed: "
                  "pip install 'portaudit[corpus]'")
    return wrapper


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away (``| head``): stop quietly, as other command-line tools do."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_CLEAN)


@corpus_group.command("scan")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The SQLite store (created if missing, resumed if present).")
@click.option("-j", "--jobs", type=click.IntRange(1, 1024), default=None,
              help="Worker processes of the local pool  [default: all cores]")
@click.option("--dask-local", type=click.IntRange(1, 1024), default=None, metavar="N",
              help="Start a Dask LocalCluster with N worker processes.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Use an existing Dask distributed scheduler (portaudit must be installed on its workers).")
@click.option("--in-process", is_flag=True, help="Scan sequentially in this process (debugging; no memory guard).")
@click.option("--timeout", type=click.FloatRange(0), default=300.0, show_default=True,
              help="Time limit per app in seconds (0 = none); a stuck worker is killed.")
@click.option("--memory-limit", type=click.IntRange(0), default=4096, show_default=True, metavar="MB",
              help="Address-space limit of each worker process (0 = none).")
@click.option("--max-file-mb", type=click.IntRange(1), default=2048, show_default=True,
              help="Inputs bigger than this are recorded as errors without being read.")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["apk", "aab", "apks", "xapk", "jar", "zip", "dex", "ipa", "elf", "macho"]),
              help="Only scan these input kinds (repeatable)  [default: all app and binary kinds]")
@click.option("--retry-errors", is_flag=True, help="Scan again the apps stored with an error (e.g. after an upgrade).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr  [default: when stderr is a terminal]")
@click.option("--max-db-pages", type=click.IntRange(1), default=None, hidden=True)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("-v", "--verbose", count=True, help="Log each app's errors (and worker stderr with -vv).")
@_needs_extras
def scan_command(inputs, db, jobs, dask_local, scheduler, in_process, timeout, memory_limit, max_file_mb,
                 kinds, retry_errors, progress, max_db_pages, quiet, verbose):
    """Scan every app under INPUTS (directories, app files, or list files with one path a line)
    into the store --db.  Apps already stored (same sha256) are skipped, so an interrupted run is
    resumed by running the same command again."""
    from ..corpus.runner import CorpusError, Progress, RichProgress, scan_corpus
    from ..corpus.store import StoreError

    setup_logging(verbose, quiet)
    if sum(bool(x) for x in (dask_local, scheduler, in_process)) > 1:
        raise click.UsageError("choose one of --dask-local, --scheduler and --in-process")
    options = Options()
    options.limits.timeout_seconds = timeout
    options.limits.max_file_bytes = max_file_mb * 1024 * 1024
    show = sys.stderr.isatty() if progress is None else progress
    bar = RichProgress() if show and not quiet else Progress()
    try:
        stats = scan_corpus(
            inputs, db, options=options, jobs=jobs, in_process=in_process, dask_local=dask_local,
            scheduler=scheduler, memory_mb=memory_limit, retry_errors=retry_errors,
            kinds=kinds or None, progress=bar, max_page_count=max_db_pages,
            argv=shlex.join(sys.argv[1:]), worker_stderr=None if verbose < 2 else sys.stderr)
    except (StoreError, CorpusError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail(f"interrupted; every app completed so far is in {db} - run the same command to resume")
    if not quiet:
        click.echo(f"portaudit: {stats.summary()}; store: {db}", err=True)
    sys.exit(EXIT_CLEAN)


@corpus_group.command("stats")
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "html", "csv"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--top", type=click.IntRange(1), default=20, show_default=True, help="Rows per table (text / html).")
@_needs_extras
def stats_command(db, fmt, output, top):
    """Prevalence tables (apps with a listener, by bind class, API, SDK, port, severity, rule),
    scan-time distribution and failures, in text, JSON, CSV or self-contained HTML with plots."""
    from ..corpus import stats as st
    from ..corpus.store import Store, StoreError

    try:
        with Store(db, readonly=True) as store:
            data = st.compute(store)
    except StoreError as exc:
        _fail(str(exc))
    text = st.render(data, fmt, top=top)
    _write(text, output)


@corpus_group.command("export")
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["parquet", "csv", "jsonl"]), required=True)
@click.option("-t", "--table", type=click.Choice(["findings", "targets", "errors", "paths", "timings"]),
              default="findings", show_default=True,
              help="findings: one row per finding with its app's columns; the others: one row per row.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Output file (required for parquet; csv / jsonl default to stdout).")
@_needs_extras
def export_command(db, fmt, table, output):
    """Export a table of the store for analysis elsewhere (pandas, R, DuckDB...)."""
    from ..corpus import export as ex
    from ..corpus.store import Store, StoreError

    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs -o FILE")
    try:
        with Store(db, readonly=True) as store:
            n = ex.export(store, table, fmt, output or sys.stdout)
    except StoreError as exc:
        _fail(str(exc))
    except BrokenPipeError:
        if output:
            _fail(f"{output}: cannot write (broken pipe)")
        _quiet_broken_pipe()
    except OSError as exc:
        _fail(f"{output}: cannot write ({exc.strerror or exc})")
    click.echo(f"portaudit: exported {n} {table} row(s)" + (f" to {output}" if output else ""), err=True)


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            _fail(f"{output}: cannot write ({exc.strerror or exc})")
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()


COMMAND = corpus_group
