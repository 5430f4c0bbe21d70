"""Inputs: each turns one :class:`~portaudit.model.Target` into :class:`~portaudit.model.Facts`.

Analyzers are looked up by target kind and imported lazily, so a scan of one
APK does not pay for tree-sitter, LIEF or adb start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..model import Facts, Target
from ..options import Options

Analyzer = Callable[[Target, Options], Facts]

# kind -> "module:function"
ANALYZERS: dict[str, str] = {
    "apk": "portaudit.inputs.android:analyze",
    "aab": "portaudit.inputs.android:analyze",
    "apks": "portaudit.inputs.android:analyze",
    "xapk": "portaudit.inputs.android:analyze",
    "jar": "portaudit.inputs.android:analyze",
    "zip": "portaudit.inputs.android:analyze",
    "dex": "portaudit.inputs.android:analyze",
    "elf": "portaudit.inputs.native:analyze",
    "ipa": "portaudit.inputs.ios:analyze",
    "macho": "portaudit.inputs.ios:analyze",
    "source": "portaudit.inputs.source:analyze",
}


def analyzer_for(kind: str) -> Analyzer | None:
    spec = ANALYZERS.get(kind)
    if spec is None:
        return None
    module, _, func = spec.partition(":")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("portaudit"):
            return None
        raise
    return getattr(mod, func)
