"""A jar of the JDK's platform classes that ProGuard 6.2 can read.

    python3 platform_jar.py OUT.jar EXTRACTED_JMOD_DIR...

ProGuard 6.2 reads class files up to major version 55 (Java 11); JDK 17's are 61.  Only the
version field (bytes 6-7) is rewritten: ProGuard uses the platform classes for their names,
members and hierarchy, never runs them.  Entries are stored in name order with a fixed date.
"""

import pathlib
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as out:
    for root in sys.argv[2:]:
        base = pathlib.Path(root) / "classes"
        for p in sorted(base.rglob("*.class")):
            rel = p.relative_to(base).as_posix()
            if rel == "module-info.class":
                continue
            b = bytearray(p.read_bytes())
            b[6:8] = (55).to_bytes(2, "big")
            out.writestr(zipfile.ZipInfo(rel, (1980, 1, 1, 0, 0, 0)), bytes(b))
