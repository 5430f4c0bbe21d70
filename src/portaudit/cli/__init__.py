"""The ``portaudit`` command.  Each module in this package that defines ``COMMAND``
(a click command or group) is added as a sub-command; the modules only wire
options to the library, nothing else."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

import click

from .. import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Group(click.Group):
    def main(self, *args, **kwargs):  # user mistakes give a one-line error and exit 2
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("portaudit: aborted", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)


def setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    if verbose == 1:
        level = logging.INFO
    elif verbose > 1:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("portaudit: %(message)s"))
    root = logging.getLogger("portaudit")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portaudit")
def main() -> None:
    """Find, prove and explain unprotected open ports in mobile apps.

    \b
    Exit codes:
      0  no finding at or above --fail-on
      1  findings at or above --fail-on
      2  usage error, or every input failed
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
