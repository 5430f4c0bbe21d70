"""``portaudit rules`` and ``portaudit explain RULE``."""

from __future__ import annotations

import click

from .. import rules as rules_mod


@click.command("rules")
def rules_command():
    """List the rules: id, default severity, title."""
    for cls in rules_mod.ALL:
        click.echo(f"{cls.id:32} {cls.severity.label:7} {cls.title()}")


@click.command("explain")
@click.argument("rule_id")
def explain_command(rule_id):
    """Print a rule's What / Why / Fix text."""
    cls = rules_mod.get(rule_id)
    if cls is None:
        raise click.UsageError(f"unknown rule {rule_id!r}; see `portaudit rules`")
    ids = cls.ids
    click.echo(f"{cls.id}: {cls.title()}")
    click.echo(f"severity: {cls.severity.label}   default confidence: {cls.confidence.label}")
    click.echo(f"ids: {ids.maswe_beta} (MASWE beta), {ids.maswe} (MASWE v1), "
               f"{', '.join(ids.cwe)}, {', '.join(ids.masvs)}")
    for name in ("what", "why", "fix"):
        click.echo(f"\n## {name.capitalize()}\n{cls.sections().get(name, '')}")


COMMANDS = [rules_command, explain_command]
