"""The hostile corpus: real apps and binaries, and files derived from them by mutate.py.

``build(dir)`` writes three groups of files into one directory and returns their names:

* ``good``: untouched real inputs (each must be scanned exactly as when scanned alone);
* ``fatal``: inputs that cannot be analysed at all (each must get exactly one clear,
  one-line error naming it);
* ``tampered``: damaged inputs whose outcome depends on where the damage landed (seeded bit
  flips, header fields): any mix of findings, notes and errors is fine, but never an
  internal error, a traceback or a multi-line message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import mutate as M

F = M.FIXTURES


def _sources() -> dict[str, Path]:
    src = {
        "demo.apk": M.DEMO_APK,
        "multidex.apk": F / "android" / "multidex_wrapper" / "multidex.apk",
        "split.apks": F / "android" / "split_bundle" / "app.apks",
        "bundle.aab": F / "android" / "aab_proto" / "app.aab",
        "ss_port.dex": F / "android" / "ss_port" / "classes.dex",
        "libserver_arm64_O2.so": F / "native" / "bin" / "libserver_arm64_O2.so",
        "libserver_x86_O2.so": F / "native" / "bin" / "libserver_x86_O2.so",
        "App": F / "ios" / "bin" / "App",
        "App_universal": F / "ios" / "bin" / "App_universal",
        "App.ipa": F / "ios" / "bin" / "App.ipa",
    }
    fb = M.ANDROGUARD / "tests" / "dc4b1bb9d58daa82f29e60f79d5662f731a3351f.37.dex"
    if fb.is_file():  # the big obfuscated Facebook Audience Network DEX (third party)
        src["facebook.dex"] = fb
    return {k: v for k, v in src.items() if v.is_file()}


def build(out: Path) -> dict[str, list[str]]:
    src = _sources()
    raw = {k: p.read_bytes() for k, p in src.items()}
    groups: dict[str, list[str]] = {"good": [], "fatal": [], "tampered": []}

    def write(group: str, name: str, data: bytes) -> None:
        (out / name).write_bytes(data)
        groups[group].append(name)

    for name in ("demo.apk", "multidex.apk", "split.apks", "ss_port.dex", "libserver_arm64_O2.so", "App",
                 "App.ipa"):
        if name in raw:
            write("good", name, raw[name])

    demo = raw["demo.apk"]
    dex_rec = M.record(demo, "classes.dex")
    # --- fatal: truncations (at fixed points inside the structures that matter)
    write("fatal", "bad-trunc-64.apk", demo[:64])
    write("fatal", "bad-trunc-in-dex.apk", demo[: dex_rec.lh_offset + 30 + len("classes.dex") + dex_rec.csize // 2])
    write("fatal", "bad-trunc-half.dex", M.truncate(raw["ss_port.dex"], 0.5))
    write("fatal", "bad-trunc-header.so", raw["libserver_arm64_O2.so"][:40])
    write("fatal", "bad-trunc-header-App", raw["App"][:20])
    write("fatal", "bad-empty.apk", b"")
    # --- fatal: not what the name says (a real binary manifest named .apk)
    write("fatal", "bad-manifest-named.apk", zipfile.ZipFile(M.DEMO_APK).read("AndroidManifest.xml"))
    # --- fatal: header tampering
    write("fatal", "bad-dex-string-ids.dex", M.dex_field(raw["ss_port.dex"], 0x3C, 0x7FFFFFF0))
    write("fatal", "bad-dex-file-size.dex", M.dex_field(raw["ss_port.dex"], 0x20, 0x7FFFFFF0))
    write("fatal", "bad-dex-magic.dex", M.put(raw["ss_port.dex"], 4, "<3s", b"999"))
    write("fatal", "bad-elf-phoff.so", M.elf_field(M.elf_field(raw["libserver_arm64_O2.so"], "e_phoff", 1 << 40),
                                                   "e_shoff", 1 << 40))
    write("fatal", "bad-macho-ncmds-App", M.macho_ncmds(raw["App"], 0x0FFFFFFF))
    if "App_universal" in raw:
        write("fatal", "bad-fat-offset-App", M.fat_offset(raw["App_universal"], 0, 0x7FFFFFF0))
    write("fatal", "bad-cd-offset-garbage.apk", M.cd_offset_outside(M.truncate(demo, 0.02) + demo[-22:]))
    # --- fatal: resource limits
    write("fatal", "bad-zip-bomb.apk", M.zip_bomb(demo))
    write("fatal", "bad-nested-too-deep.apks", M.nest(demo, 5))
    # --- tampered: outcome depends on the damage; must never be an internal error
    write("tampered", "t-elf-shoff.so", M.elf_field(raw["libserver_arm64_O2.so"], "e_shoff", 1 << 40))
    write("tampered", "t-elf-phnum.so", M.elf_field(raw["libserver_arm64_O2.so"], "e_phnum", 0xFFFF))
    write("tampered", "t-elf-shstrndx.so", M.elf_field(raw["libserver_x86_O2.so"], "e_shstrndx", 0xFFFE))
    write("tampered", "t-lh-cd-mismatch.apk", M.local_header_disagrees(demo, "classes.dex"))
    # a .zip in a directory is first opened by discovery (to see whether it holds an app)
    write("tampered", "t-version-needed.zip", M.cd_version_needed(demo))
    write("tampered", "t-traversal.apk", M.rezip(demo, add=[("../../../../tmp/evil.dex", raw["ss_port.dex"]),
                                                             ("/etc/evil.so", raw["libserver_x86_O2.so"])]))
    write("tampered", "t-duplicates.apk", M.rezip(demo, add=[("classes.dex", raw["ss_port.dex"]),
                                                              ("AndroidManifest.xml", b"\x03\x00\x08\x00")]))
    write("tampered", "t-trunc-90.apk", M.truncate(demo, 0.9))
    write("tampered", "t-trunc-75.ipa", M.truncate(raw["App.ipa"], 0.75))
    write("tampered", "t-trunc-60-App", M.truncate(raw["App"], 0.6))
    write("tampered", "t-trunc-60.so", M.truncate(raw["libserver_arm64_O2.so"], 0.6))
    for seed in range(4):
        write("tampered", f"t-flip{seed}.apk", M.bit_flips(demo, seed, 8))
        write("tampered", f"t-flip{seed}.dex", M.bit_flips(raw["ss_port.dex"], seed, 4))
        write("tampered", f"t-flip{seed}.so", M.bit_flips(raw["libserver_arm64_O2.so"], seed, 16))
        write("tampered", f"t-flip{seed}-App", M.bit_flips(raw["App"], seed, 16))
        write("tampered", f"t-flip{seed}.ipa", M.bit_flips(raw["App.ipa"], seed, 8))
        write("tampered", f"t-flip{seed}.aab", M.bit_flips(raw["bundle.aab"], seed, 4))
        write("tampered", f"t-flip{seed}.apks", M.bit_flips(raw["split.apks"], seed, 16))
    if "facebook.dex" in raw:
        write("tampered", "t-flip-facebook.dex", M.bit_flips(raw["facebook.dex"], 7, 64, start=0x70))
    return groups
