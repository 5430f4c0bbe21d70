"""``portaudit profile build | show | match``: library profiles (docs/profiles.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import catalog
from ..errors import InputError
from ..inputs.android import read_container
from ..inputs.dex.parser import DexError, DexFile
from ..libmatch import match_libraries, open_profile, shipped
from ..libmatch import profile as profmod
from ..libmatch.needed import anchors
from ..options import Limits
from . import EXIT_ERROR


@click.group("profile")
def group() -> None:
    """Build, inspect and try library profiles (server libraries recognised after obfuscation)."""


@group.command("build")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--name", required=True, help="Library name, as findings will name it (e.g. Netty).")
@click.option("--version", "version", required=True, help="Library version (e.g. 4.1.48).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def build(inputs: tuple[Path, ...], name: str, version: str, output: Path) -> None:
    """Build a profile from the library's JAR / AAR / DEX files (all parts of one library)."""
    try:
        prof = profmod.build(list(inputs), name, version)
    except profmod.ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    prof.anchors = anchors(prof, catalog.android_apis())
    size = profmod.save(prof, output)
    n_methods = sum(len(c.methods) for c in prof.classes.values())
    click.echo(json.dumps({"output": str(output), "library": name, "version": version, "bytes": size,
                           "classes": len(prof.classes), "methods": n_methods,
                           "anchor_classes": len(prof.anchors["classes"]),
                           "anchor_strings": len(prof.anchors["strings"])}))


@group.command("show")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show(files: tuple[Path, ...]) -> None:
    """Print the header of profiles (default: the shipped set) as JSON lines."""
    try:
        stored = [open_profile(f) for f in files] if files else list(shipped())
    except profmod.ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    for sp in stored:
        h = sp.header
        click.echo(json.dumps({"profile": sp.label, "bytes": len(sp.data), "library": h["library"],
                               "sources": h.get("sources", []),
                               "anchor_classes": len(sp.anchors.get("classes", [])),
                               "anchor_strings": len(sp.anchors.get("strings", []))}))


@group.command("match")
@click.argument("app", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profiles", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Profile file (repeatable); default: the shipped set.")
def match(app: Path, profiles: tuple[Path, ...]) -> None:
    """Which classes of APP (APK, JAR or DEX) are which library classes, as JSON."""
    try:
        stored = tuple(open_profile(p) for p in profiles) if profiles else shipped()
        contents, _budget = read_container(str(app), "dex" if app.suffix == ".dex" else "jar", Limits())
    except (profmod.ProfileError, InputError) as exc:
        raise click.ClickException(f"{app}: {exc}") from None
    dexes = []
    for label, data in contents.dexes:
        try:
            dexes.append(DexFile(data, label))
        except DexError as exc:
            click.echo(f"portaudit: {app}: {label}: {exc}", err=True)
    if not dexes:
        click.echo(f"portaudit: {app}: no DEX bytecode", err=True)
        raise SystemExit(EXIT_ERROR)
    res = match_libraries(dexes, stored, catalog.android_apis())
    out = {
        "app": str(app),
        "classes": [{"class": a, "library": h.name, "version": h.version, "confidence": h.confidence,
                     "original": h.original} for a, h in sorted(res.classes.items())],
        "methods": [{"original": f"{c}->{n}{d}", "app": [f"{m.app_class}->{m.name}{m.desc}" for m in ms]}
                    for (c, n, d), ms in sorted(res.methods.items())],
        "stats": res.stats,
        "errors": res.errors,
    }
    click.echo(json.dumps(out, indent=1))


COMMAND = group
