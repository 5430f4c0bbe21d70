"""The ``portaudit`` command.  Each module in this package that defines ``COMMAND``
(a click command or group) is added as a sub-command; the modules only wire
options to the library, nothing else."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

import click

from .. import __version__
from ..errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL  # noqa: F401 - re-exported
from ..formats.text import oneline

# Between INFO and WARNING: what a normal run says about itself (counts of suppressed findings).
# -q hides it; warnings (a config or suppression problem, a baseline that matched nothing) stay.
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")


class _Group(click.Group):
    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        # user mistakes give a one-line error and exit 2: click's own handling (standalone mode) is never used
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("portaudit: aborted", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)


class _OneLine(logging.Formatter):
    """Every record is one line: control characters and line breaks from names and strings that
    came from an input are escaped (a newline in a zip entry name cannot forge a second error)."""

    def format(self, record: logging.LogRecord) -> str:
        text = oneline(record.getMessage())
        if record.exc_info and record.levelno <= logging.DEBUG:  # tracebacks only with -vv
            return f"portaudit: {text}\n{self.formatException(record.exc_info)}"
        return f"portaudit: {text}"


def setup_logging(verbose: int, quiet: bool) -> None:
    level = NOTICE
    if quiet:
        level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose > 1:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root = logging.getLogger("portaudit")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portaudit")
def main() -> None:
    """Find, prove and explain unprotected open ports in mobile apps.

    \b
    Exit codes (the worst condition of a run wins):
      0  no finding at or above --fail-on (or --exit-zero)
      1  findings at or above --fail-on
      2  usage error; a named path missing; a target that could not be
         analysed; an unusable configuration or baseline
      3  internal error (the other results were still written)
    """


def _register() -> None:
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for attr in ("COMMAND", "COMMANDS"):
            cmds = getattr(mod, attr, None)
            if cmds is None:
                continue
            for cmd in cmds if isinstance(cmds, (list, tuple)) else [cmds]:
                main.add_command(cmd)


_register()
