"""The class-file reader against javap (the JDK's own disassembler) on real Debian jars.

Oracle: ``javap -p -c -s`` prints, per method, its name and descriptor and every instruction as
``pc: mnemonic #index // Method owner.name:descriptor``.  The reader must give the same
methods, the same instruction offsets and the same member references.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.jvm import ClassFormatError, JarError, iter_class_files, parse_class
from portaudit.inputs.jvm.classfile import INVOKE_OPS, FIELD_OPS, instructions, split_descriptor

JARS = [Path("/usr/share/java") / n for n in ("netty-transport.jar", "jetty9-server.jar", "mina2-core.jar")]
# classes with tableswitch / lookupswitch / wide / invokedynamic / long constants among them
CLASSES = {
    "netty-transport.jar": ["io/netty/bootstrap/AbstractBootstrap.class",
                            "io/netty/channel/socket/nio/NioServerSocketChannel.class",
                            "io/netty/channel/DefaultChannelPipeline.class",
                            "io/netty/channel/ChannelOutboundBuffer.class"],
    "jetty9-server.jar": ["org/eclipse/jetty/server/ServerConnector.class",
                          "org/eclipse/jetty/server/Request.class",
                          "org/eclipse/jetty/server/Response.class"],
    "mina2-core.jar": ["org/apache/mina/core/service/AbstractIoAcceptor.class",
                       "org/apache/mina/core/buffer/AbstractIoBuffer.class"],
}

pytestmark = pytest.mark.skipif(not all(j.is_file() for j in JARS) or not shutil.which("javap"),
                                reason="needs the Debian jars of scripts/apt-packages.txt and javap")

_INSN = re.compile(r"^\s+(\d+): ([a-z]\w*)(?:\s+#(\d+)(?:,\s*\d+)?)?.*?"
                   r"(?://\s+(?:Method|InterfaceMethod|Field|InvokeDynamic)\s+(\S+))?\s*$")


def _javap(jar: Path, entry: str, tmp: Path) -> dict[tuple[str, str], list[tuple[int, str, str | None]]]:
    """(name, descriptor) -> [(pc, mnemonic, "owner.name:desc" or None)] from javap."""
    with zipfile.ZipFile(jar) as z:
        data = z.read(entry)
    f = tmp / Path(entry).name
    f.write_bytes(data)
    out = subprocess.run(["javap", "-p", "-c", "-s", str(f)], check=True, capture_output=True, text=True).stdout
    own = entry[:-6]
    methods: dict[tuple[str, str], list] = {}
    lines = out.splitlines()
    cur = None
    for i, line in enumerate(lines):
        if line.startswith("    descriptor: ") and "(" in line:
            decl = lines[i - 1]
            name = decl.split("(")[0].split()[-1]
            if name == own.replace("/", ".") or name.endswith("." + own.rsplit("/", 1)[-1]):
                name = "<init>"
            elif decl.strip() == "static {};":
                name = "<clinit>"
            cur = (name, line.split(": ", 1)[1])
            methods[cur] = []
            continue
        m = _INSN.match(line)
        if m and cur is not None:
            ref = m.group(4)
            if ref and ref.startswith("#"):  # InvokeDynamic #0:run:()Ljava/lang/Runnable;
                ref = "indy:" + ref.split(":", 1)[1]
            elif ref and "." not in ref.split(":")[0]:
                ref = own + "." + ref  # javap leaves out the owner when it is this class
            methods[cur].append((int(m.group(1)), m.group(2), ref.replace('"', "") if ref else None))
    return methods


@pytest.mark.parametrize("jar,entry", [(j, e) for j, es in CLASSES.items() for e in es])
def test_instructions_and_references_agree_with_javap(jar, entry, tmp_path):
    path = Path("/usr/share/java") / jar
    with zipfile.ZipFile(path) as z:
        c = parse_class(z.read(entry))
    expected = _javap(path, entry, tmp_path)
    got = {}
    for m in c.methods:
        rows = []
        if m.code:
            for ins in instructions(m.code.bytecode):
                ref = None
                if ins.opcode in INVOKE_OPS - {0xBA} or ins.opcode in FIELD_OPS:
                    r = c.pool.member(ins.index)
                    ref = f"{r.owner}.{r.name}:{r.descriptor}"
                elif ins.opcode == 0xBA:
                    _bsm, name, desc = c.pool.invoke_dynamic(ins.index)
                    ref = f"indy:{name}:{desc}"
                rows.append((ins.pc, ref))
        got[(m.name, m.descriptor)] = rows
    assert set(got) == set(expected)
    for key, rows in expected.items():
        assert [pc for pc, _n, _r in rows] == [pc for pc, _r in got[key]], key
        want_refs = [r for _pc, _n, r in rows if r]
        assert [r for _pc, r in got[key] if r] == want_refs, key


def test_every_class_of_the_jars_parses_and_decodes():
    n = 0
    for jar in JARS:
        for _name, data in iter_class_files(jar):
            c = parse_class(data)
            for m in c.methods:
                if m.code:
                    for _ins in instructions(m.code.bytecode):
                        pass
                split_descriptor(m.descriptor)
            n += 1
    assert n > 1000  # oracle: `unzip -l` lists 700+ classes in netty-transport alone


def test_truncated_and_damaged_class_files_raise_one_line_errors():
    with zipfile.ZipFile(JARS[0]) as z:
        data = z.read(CLASSES["netty-transport.jar"][0])
    for cut in (0, 4, 9, 10, 200, len(data) // 2, len(data) - 1):
        with pytest.raises(ClassFormatError) as ei:
            parse_class(data[:cut])
        assert "\n" not in str(ei.value)
    bad = bytearray(data)
    bad[10] = 99  # first constant pool tag: no such tag
    with pytest.raises(ClassFormatError, match="unknown tag"):
        parse_class(bytes(bad))
    with pytest.raises(ClassFormatError, match="bad magic"):
        parse_class(b"PK\x03\x04" + data[4:])


def test_a_truncated_method_body_raises_while_decoding():
    with zipfile.ZipFile(JARS[0]) as z:
        c = parse_class(z.read(CLASSES["netty-transport.jar"][2]))
    code = next(m.code for m in c.methods if m.code and len(m.code.bytecode) > 40)
    with pytest.raises(ClassFormatError):
        list(instructions(code.bytecode[:-1] + b"\xb6"))  # an invokevirtual without its operands


def test_a_non_zip_input_is_a_jar_error(tmp_path):
    p = tmp_path / "x.jar"
    p.write_bytes(JARS[0].read_bytes()[:1000])
    with pytest.raises(JarError, match="x.jar"):
        list(iter_class_files(p))


def test_mutated_class_files_raise_only_class_format_errors():
    """Seeded byte flips and cuts of a real class file: the reader and the decoder either
    succeed or raise ClassFormatError (never IndexError, struct.error, UnicodeDecodeError...)."""
    import random

    with zipfile.ZipFile(JARS[0]) as z:
        data = z.read(CLASSES["netty-transport.jar"][0])
    rnd = random.Random(17)
    for _ in range(1500):
        b = bytearray(data)
        for _k in range(rnd.randint(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            b = b[: rnd.randrange(len(b))]
        try:
            c = parse_class(bytes(b))
            for m in c.methods:
                if m.code:
                    for ins in instructions(m.code.bytecode):
                        if ins.opcode in INVOKE_OPS - {0xBA} or ins.opcode in FIELD_OPS:
                            c.pool.member(ins.index)
        except ClassFormatError:
            pass
