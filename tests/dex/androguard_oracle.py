"""Differential oracle: the catalogue call sites androguard 4.x finds (run as a subprocess).

usage: python androguard_oracle.py OUT.json FILE...   (FILE: a .dex, or an .apk whose classes*.dex
are analysed together).  Writes {file: [[class, method, api, pc], ...]}.  Run it in a scratch
working directory: androguard writes androguard.db there.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile

from loguru import logger

logger.remove()

# androguard logs through loguru as it is imported: the logger is silenced first
from androguard.core.analysis.analysis import Analysis  # noqa: E402
from androguard.core.dex import DEX  # noqa: E402

from portaudit.catalog import android_apis  # noqa: E402


def dex_blobs(path: str) -> list[bytes]:
    if path.endswith(".dex"):
        with open(path, "rb") as fh:
            return [fh.read()]
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n))
        return [z.read(n) for n in names]


def sites(path: str) -> list[list]:
    dx = Analysis()
    for blob in dex_blobs(path):
        dx.add(DEX(blob))
    dx.create_xref()
    out = set()
    for spec in android_apis():
        classes = [re.escape(c) for c in spec.class_descriptors]
        if spec.simple_name:
            classes.append(r"L.*/" + re.escape(spec.simple_name) + ";")
        cls_re = "^(" + "|".join(classes) + ")$"
        params = spec.param_descriptors
        for m in dx.find_methods(classname=cls_re, methodname="^" + re.escape(spec.method) + "$"):
            desc = m.descriptor.replace(" ", "")
            if params is not None and not desc.startswith("(" + "".join(params) + ")"):
                continue
            for _c, caller, off in m.get_xref_from():
                out.add((caller.class_name[1:-1].replace("/", "."),
                         caller.name + caller.descriptor.replace(" ", ""), spec.id, off // 2))
    return sorted(list(x) for x in out)


def main() -> None:
    result = {p: sites(p) for p in sys.argv[2:]}
    with open(sys.argv[1], "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
