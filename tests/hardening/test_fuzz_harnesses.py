"""The atheris harnesses, replayed without atheris: on their real seeds and on seeded mutations.

This keeps the harnesses working (they import and their oracle holds on real inputs) and
is a small deterministic fuzz run inside pytest.  Coverage-guided runs: scripts/fuzz-ci.
"""

from __future__ import annotations

import importlib
import random

import pytest

from fuzz import _harness as H
from fuzz.replay import HARNESSES

from . import mutate as M

MUTANTS_PER_SEED = 6
MAX_SEEDS = 12


def _mutants(blob: bytes, seed: int) -> list[bytes]:
    """Seeded mutations of one seed (the first byte, a harness selector, is kept)."""
    rng = random.Random(seed)
    head, body = blob[:1], blob[1:]
    out = []
    for i in range(MUTANTS_PER_SEED):
        kind = i % 3
        if not body:
            break
        if kind == 0:
            out.append(head + M.bit_flips(body, rng.randrange(1 << 30), 1 + rng.randrange(16)))
        elif kind == 1:
            out.append(head + M.truncate(body, rng.random()))
        else:  # overwrite a run with bytes copied from elsewhere in the same file
            a, b = rng.randrange(len(body)), rng.randrange(len(body))
            n = rng.randrange(1, 64)
            out.append(head + body[:a] + body[b:b + n] + body[a + n:])
    return out


@pytest.mark.parametrize("name", HARNESSES)
def test_harness_on_real_seeds(name):
    mod = importlib.import_module(f"fuzz.fuzz_{name}")
    seeds = H.seed_blobs(mod.KIND)
    assert seeds, f"no real seeds for {name}"
    for label, blob in seeds:
        try:
            mod.test_one_input(blob)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{name} seed {label}: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("name", HARNESSES)
def test_harness_on_seeded_mutations(name):
    mod = importlib.import_module(f"fuzz.fuzz_{name}")
    seeds = H.seed_blobs(mod.KIND)[:MAX_SEEDS]
    for si, (label, blob) in enumerate(seeds):
        for mi, data in enumerate(_mutants(blob, 1000 * si)):
            try:
                mod.test_one_input(data)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"{name}: seed {label} mutant {mi} (random.Random({1000 * si})): "
                            f"{type(exc).__name__}: {exc}")


def test_oracle_recognises_contained_exceptions():
    assert H.is_bug_message("internal error (IndexError: x); please report it")
    assert H.is_bug_message("classes.dex: unreadable DEX (IndexError: index out of range)")
    assert H.is_bug_message("lib/x.so: malformed ELF (struct.error: unpack requires a buffer)")
    assert not H.is_bug_message("classes.dex: bad DEX header: file size 10 != header 20")
    assert not H.is_bug_message("classes.dex: compression ratio over 200:1 (zip bomb?)")
