"""Helpers for the DEX engine tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaudit.inputs.dex import analyze_dex

HERE = Path(__file__).resolve().parent
SMALI = HERE / "smali"


@pytest.fixture(scope="session")
def smali_result():
    """The engine's result on the smali fixtures (main.dex + second.dex analysed together)."""
    dexes = [("classes.dex", (SMALI / "main.dex").read_bytes()),
             ("classes2.dex", (SMALI / "second.dex").read_bytes())]
    return analyze_dex(dexes, app_package="com.example.pa")


def by_method(listeners, cls: str, method_prefix: str):
    return [li for li in listeners
            if li.location.class_ == cls and li.location.method.startswith(method_prefix)]
