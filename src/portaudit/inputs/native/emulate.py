"""The abstract interpreter: one function's straight-line code run up to a call site.

Registers and stack bytes hold constants, stack addresses or "unknown because ..."; calls to a
few libc functions (``memset``, ``memcpy``, ``htons``, ``inet_pton``...) are modelled, other calls
clobber the caller-saved registers and any stack buffer they receive.  Branches are followed
linearly (last write wins), which matches how compilers build a ``sockaddr`` before ``bind``.
The effect of each instruction is in the module of its architecture (:mod:`.arm64`, :mod:`.arm`,
:mod:`.x86`).
"""

from __future__ import annotations

import ipaddress

import capstone as cs

from . import arm, arm64, x86
from .image import Image
from .machine import M64, C, State, U, Val, disassembler, reg_name

_STEP = {"arm64": arm64.step, "arm": arm.step, "x86": x86.step, "x86_64": x86.step}

# Calls the emulator understands (by imported name, Mach-O names without the leading '_').
_SWAP16 = {"htons", "ntohs", "__bswap_16", "_OSSwapInt16"}
_SWAP32 = {"htonl", "ntohl", "__bswap_32", "_OSSwapInt32"}

_RN_CACHE: dict[tuple[str, int], str] = {}


class Emulator:
    """Abstract interpretation of one function's straight-line code up to a call site."""

    MAX_INSNS = 6000

    def __init__(self, img: Image, thumb: bool = False):
        self.img = img
        self.arch = img.arch
        self.thumb = thumb
        self.md = disassembler(img.arch, thumb)
        self.ptr = 4 if img.arch in ("arm", "x86") else 8

    # -- register naming ----------------------------------------------------------
    def rn(self, reg: int) -> str:
        key = (self.arch, reg)
        hit = _RN_CACHE.get(key)
        if hit is None:
            hit = _RN_CACHE[key] = self._rn(reg)
        return hit

    def _rn(self, reg: int) -> str:
        name = self.md.reg_name(reg) or f"r{reg}"
        if self.arch == "arm64":
            if name in ("wzr", "xzr"):
                return "zr"
            if name in ("wsp", "sp"):
                return "sp"
            if name[0] in "wx" and name[1:].isdigit():
                return "x" + name[1:]
            if name[0] in "qvdsbh" and name[1:].isdigit():
                return "v" + name[1:]
            return name
        if self.arch == "x86_64" or self.arch == "x86":
            return x86.CANON.get(name, name)
        if self.arch == "arm":
            aliases = {"r13": "sp", "r14": "lr", "r15": "pc", "r12": "ip", "r11": "fp", "sb": "r9", "sl": "r10"}
            return aliases.get(name, name)
        return name

    def regbits(self, reg: int) -> int:
        name = reg_name(self.md, self.arch, reg)
        if self.arch == "arm64":
            return 32 if name.startswith("w") else 64
        if self.arch in ("x86", "x86_64"):
            return x86.BITS.get(name, 64 if self.arch == "x86_64" else 32)
        return 32

    # -- state helpers -----------------------------------------------------------
    def get(self, st: State, r: str) -> Val:
        if r == "zr":
            return C(0)
        return st.regs.get(r, U("register"))

    def set(self, st: State, r: str, v: Val, bits: int = 64) -> None:
        if r in ("zr", "pc", "rip", "eip"):
            return
        if v[0] == "c" and bits < 64:
            v = C(v[1] & ((1 << bits) - 1))
        st.regs[r] = v

    def addr_of(self, base: Val, disp: int) -> tuple[str, int] | None:
        if base[0] == "s":
            return ("s", base[1] + disp)
        if base[0] == "c":
            return ("g", (base[1] + disp) & M64)
        return None

    def store(self, st: State, where: tuple[str, int] | None, v: Val, size: int) -> None:
        if where is None:
            return
        space, a = where
        if v[0] == "c":
            bs = (v[1] & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            for k in range(size):
                st.mem[(space, a + k)] = bs[k]
        elif v[0] == "v":
            bs = v[1][:size].ljust(size, b"\0")
            for k in range(size):
                st.mem[(space, a + k)] = bs[k]
        else:
            for k in range(size):
                st.mem[(space, a + k)] = v

    def store_bytes(self, st: State, where, data: bytes | Val, size: int) -> None:
        if where is None:
            return
        space, a = where
        for k in range(size):
            st.mem[(space, a + k)] = data[k] if isinstance(data, (bytes, bytearray)) else data

    def load_bytes(self, st: State, where: tuple[str, int] | None, size: int) -> list:
        """Each byte as int, or an unknown Val."""
        if where is None:
            return [U("memory")] * size
        space, a = where
        out = []
        for k in range(size):
            b = st.mem.get((space, a + k))
            if b is None:
                if space == "g":
                    raw = self.img.read(a + k, 1)
                    if raw is None:
                        b = U("memory outside the image")
                    elif self.img.writable(a + k):
                        b = U("a global variable") if self._is_ptr_slot(a + k) else raw[0]
                    else:
                        b = raw[0]
                else:
                    b = U("uninitialised stack" if a + k < 0 else "caller's stack (a stack-passed parameter)")
            out.append(b)
        return out

    def _is_ptr_slot(self, addr: int) -> bool:
        base = addr - addr % self.ptr
        return base in self.img.slots

    def load(self, st: State, where, size: int) -> Val:
        if where is not None and where[0] == "g" and size == self.ptr and where[1] in self.img.relative \
                and (where[0], where[1]) not in st.mem:
            return C(self.img.relative[where[1]])  # a pointer the loader writes (RELA relative relocation)
        bs = self.load_bytes(st, where, size)
        if all(isinstance(b, int) for b in bs):
            return C(int.from_bytes(bytes(bs), "little"))
        first = next(b for b in bs if not isinstance(b, int))
        if all(b is first for b in bs):
            return first
        if where is not None and where[0] == "g" and self._is_ptr_slot(where[1]):
            return U(f"the address of {self.img.slots.get(where[1] - where[1] % self.ptr)}")
        return first if first[1] != "register" else U("memory")

    # -- calls ------------------------------------------------------------------
    def args(self, st: State, n: int) -> list[Val]:
        """The first ``n`` arguments of a call about to be made (registers, then the stack)."""
        return [self.arg(st, i) for i in range(n)]

    def arg(self, st: State, i: int, size: int | None = None) -> Val:
        """Argument ``i``; ``size``: its width in bytes when narrower than a stack slot (an ``int``
        in a 64-bit slot: only its low bytes are written)."""
        regs = _ARG_REGS.get(self.arch, ())
        if i < len(regs):
            v = self.get(st, regs[i])
            return C(v[1] & ((1 << (8 * size)) - 1)) if size and v[0] == "c" else v
        sp = self.get(st, {"x86_64": "rsp", "x86": "esp"}.get(self.arch, "sp"))
        if sp[0] != "s":
            return U("stack")
        return self.load(st, ("s", sp[1] + self.ptr * (i - len(regs))), size or self.ptr)

    def set_ret(self, st: State, v: Val) -> None:
        r = {"arm64": "x0", "arm": "r0", "x86_64": "rax", "x86": "rax"}[self.arch]
        st.regs[r] = v

    def clobber(self, st: State, why: str) -> None:
        if self.arch == "arm64":
            regs = [f"x{i}" for i in range(19)] + [f"v{i}" for i in range(8)] + [f"v{i}" for i in range(16, 32)]
        elif self.arch == "arm":
            regs = ["r0", "r1", "r2", "r3", "ip", "lr"] + [f"d{i}" for i in range(8)] + [f"d{i}" for i in range(16, 32)]
        elif self.arch == "x86_64":
            regs = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"] + [f"xmm{i}" for i in range(16)]
        else:
            regs = ["rax", "rcx", "rdx"] + [f"xmm{i}" for i in range(8)]
        for r in regs:
            st.regs.pop(r, None)
        self.set_ret(st, U(why))

    def model_call(self, st: State, name: str, addr: int, call_no: int) -> None:
        """Effect of a call on the state (known libc functions are modelled, others clobber)."""
        a = self.args(st, 4)
        n = name.lstrip("_") if self.img.platform == "darwin" else name
        if n in _SWAP16 and a[0][0] == "c":
            v = a[0][1] & 0xFFFF
            self.clobber(st, f"the return value of {name}()")
            self.set_ret(st, C(((v & 0xFF) << 8) | (v >> 8)))
            return
        if n in _SWAP32 and a[0][0] == "c":
            v = a[0][1] & 0xFFFFFFFF
            self.clobber(st, f"the return value of {name}()")
            self.set_ret(st, C(int.from_bytes(v.to_bytes(4, "little"), "big")))
            return
        if n in ("memset", "__memset_chk", "bzero", "__bzero"):
            dst = a[0]
            val, cnt = (C(0), a[1]) if "bzero" in n else (a[1], a[2])
            if dst[0] in ("s", "c") and cnt[0] == "c" and 0 < cnt[1] <= 4096:
                where = self.addr_of(dst, 0)
                fill = bytes([val[1] & 0xFF]) * cnt[1] if val[0] == "c" else val
                self.store_bytes(st, where, fill, cnt[1])
        elif n in ("memcpy", "__memcpy_chk", "memmove", "__memmove_chk", "strcpy", "__strcpy_chk",
                   "strncpy", "__strncpy_chk", "strlcpy", "__strlcpy_chk", "stpcpy"):
            dst, src = a[0], a[1]
            where = self.addr_of(dst, 0) if dst[0] in ("s", "c") else None
            if where is not None:
                if n.startswith(("mem",)) or "memcpy" in n or "memmove" in n:
                    cnt = a[2]
                    if cnt[0] == "c" and 0 < cnt[1] <= 4096:
                        data = (self.load_bytes(st, self.addr_of(src, 0), cnt[1]) if src[0] in ("s", "c")
                                else [src] * cnt[1])
                        for k, b in enumerate(data):
                            st.mem[(where[0], where[1] + k)] = b
                else:
                    s = self.cstring(st, src)
                    if s is not None:
                        self.store_bytes(st, where, s + b"\0", len(s) + 1)
                    else:
                        self.store_bytes(st, where, U(f"a string copied by {name}()"), 108)
        elif n in ("inet_pton",) and a[2][0] in ("s", "c"):
            s = self.cstring(st, a[1])
            where = self.addr_of(a[2], 0)
            packed = inet_pton(s) if s is not None else None
            if packed is not None:
                self.store_bytes(st, where, packed, len(packed))
            else:
                self.store_bytes(st, where, U(f"an address string parsed by {name}()"), 4)
        elif n == "inet_aton" and a[1][0] in ("s", "c"):
            s = self.cstring(st, a[0])
            packed = inet_pton(s) if s is not None else None
            where = self.addr_of(a[1], 0)
            self.store_bytes(st, where, packed if packed and len(packed) == 4 else U(f"{name}()"), 4)
        elif n == "inet_addr":
            s = self.cstring(st, a[0])
            packed = inet_pton(s) if s is not None else None
            self.clobber(st, f"the return value of {name}()")
            if packed is not None and len(packed) == 4:
                self.set_ret(st, C(int.from_bytes(packed, "little")))
            return
        elif n in _SOCKADDR_BUILDERS:
            self._build_sockaddr(st, name, n, a)
        elif n in ("CFDataCreate", "CFDataCreateWithBytesNoCopy"):
            # the CFData stands for its bytes: CFSocketSetAddress(s, CFDataCreate(NULL, &sa, len)) reads them
            self.clobber(st, f"the return value of {name}()")
            if a[1][0] in ("s", "c"):
                self.set_ret(st, a[1])
            return
        else:
            # unknown callee: any stack buffer passed to it may be written
            for v in a:
                if v[0] == "s":
                    for k in range(128):
                        st.mem[("s", v[1] + k)] = U(f"memory written by {name}()")
        self.clobber(st, f"the return value of {name}()")
        if n == "socket":
            st.regs[f"socket#{call_no}"] = (a[0], a[1])
            self.set_ret(st, U(f"socket#{call_no}"))

    def _build_sockaddr(self, st: State, name: str, n: str, a: list[Val]) -> None:
        """uv_ip4_addr(ip, port, out), uv_ip6_addr(ip, port, out): fill ``out`` with the sockaddr;
        evutil_parse_sockaddr_port("ip:port", out, &len) the same from one string."""
        if n == "evutil_parse_sockaddr_port":
            text, out = self.cstring(st, a[0]), a[1]
            ip, port = _split_host_port(text.decode("ascii", "replace")) if text is not None else (None, None)
        else:
            text, out = self.cstring(st, a[0]), a[2]
            ip = text.decode("ascii", "replace") if text is not None else None
            port = a[1][1] & 0xFFFF if a[1][0] == "c" else None
        where = self.addr_of(out, 0) if out[0] in ("s", "c") else None
        packed = inet_pton(ip.encode()) if ip is not None else None
        if where is None:
            return
        if packed is None or port is None or (n == "uv_ip4_addr" and len(packed) != 4):
            self.store_bytes(st, where, U(f"the address given to {name}()"), 28)
            return
        self.store_bytes(st, where, sockaddr_bytes(self.img.platform, packed, port), 28 if len(packed) == 16 else 16)

    def cstring(self, st: State, v: Val) -> bytes | None:
        if v[0] == "c":
            s = self.img.read_cstring(v[1], 256)
            if s is None and self.img.platform == "darwin" and v[1] >> 36:
                # a chained-fixup pointer (rebase): low 36 bits are the target (vmaddr or offset)
                low = v[1] & 0xFFFFFFFFF
                s = self.img.read_cstring(low, 256) or self.img.read_cstring(self.img.base + low, 256)
            return s
        if v[0] == "s":
            out = bytearray()
            for k in range(256):
                b = st.mem.get(("s", v[1] + k))
                if not isinstance(b, int):
                    return None
                if b == 0:
                    return bytes(out)
                out.append(b)
        return None

    # -- running ----------------------------------------------------------------
    def run(self, start: int, stop: int, param_regs: bool = True, args: list[Val] | None = None) -> State:
        """Execute from ``start`` up to (not including) the instruction at ``stop``.

        ``args``: known argument values (constants from a caller) instead of "parameter i".
        """
        st = State()
        self._args = args
        if self.arch == "arm64":
            st.regs["sp"] = ("s", 0)
            for i in range(8):
                st.regs[f"x{i}"] = U(f"param:{i}") if param_regs else U("register")
        elif self.arch == "arm":
            st.regs["sp"] = ("s", 0)
            for i in range(4):
                st.regs[f"r{i}"] = U(f"param:{i}") if param_regs else U("register")
        elif self.arch == "x86_64":
            st.regs["rsp"] = ("s", 0)
            for i, r in enumerate(("rdi", "rsi", "rdx", "rcx", "r8", "r9")):
                st.regs[r] = U(f"param:{i}") if param_regs else U("register")
        else:
            st.regs["esp"] = ("s", 0)
            if param_regs:
                for i in range(6):
                    self.store(st, ("s", 4 + 4 * i), U(f"param:{i}"), 4)
        if args:
            for i, v in enumerate(args):
                if v[0] != "c":
                    continue
                if self.arch == "arm64" and i < 8:
                    st.regs[f"x{i}"] = v
                elif self.arch == "arm" and i < 4:
                    st.regs[f"r{i}"] = v
                elif self.arch == "x86_64" and i < 6:
                    st.regs[("rdi", "rsi", "rdx", "rcx", "r8", "r9")[i]] = v
                elif self.arch == "x86":
                    self.store(st, ("s", 4 + 4 * i), v, 4)
        self.init_state(st, param_regs, args)
        if stop - start > self.MAX_INSNS * 4:  # very long function: only the code before the call
            return self.run(stop - self.MAX_INSNS * 4, stop, param_regs=False)
        size = stop - start
        if size <= 0:
            return st
        code = self.img.read(start, size)
        if code is None:
            return st
        n_calls = 0
        pos = start
        count = 0
        while pos < stop and count < self.MAX_INSNS:
            progressed = False
            for ins in self.md.disasm(code[pos - start:], pos):
                if ins.address >= stop:
                    break
                count += 1
                pos = ins.address + ins.size
                progressed = True
                try:
                    target = self.step(st, ins)
                except (IndexError, KeyError, AttributeError, ValueError, cs.CsError):
                    target = None
                    self.unknown_write(st, ins)
                if target is not None:
                    n_calls += 1
                    name = self.img.stubs.get(target) or self.img.function_name(target) or f"sub_{target:x}"
                    st.trace.append((ins.address, f"{ins.mnemonic} {ins.op_str}".strip() + f"  ; {name}"))
                    self.model_call(st, name, ins.address, n_calls)
                if count >= self.MAX_INSNS:
                    break
            if not progressed:  # undecodable bytes: skip one unit and go on
                pos += 2 if (self.arch == "arm" and self.thumb) else (4 if self.arch in ("arm", "arm64") else 1)
                count += 1
        return st

    def init_state(self, st: State, param_regs: bool, args: list[Val] | None) -> None:
        """Hook for other calling conventions (Go's register ABI): adjust the entry state."""

    def unknown_write(self, st: State, ins) -> None:
        try:
            read, written = ins.regs_access()
        except cs.CsError:
            return
        val = U(f"{ins.mnemonic} at {ins.address:#x}")
        for r in read:  # a value computed from a parameter still comes from that parameter
            v = st.regs.get(self.rn(r))
            if v is not None and v[0] == "u" and v[1].startswith("param:"):
                val = v
                break
        for r in written:
            name = self.rn(r)
            if name not in ("sp", "rsp", "esp", "pc", "rip", "eip", "nzcv", "eflags", "cpsr", "itstate"):
                st.regs[name] = val

    def step(self, st: State, ins) -> int | None:
        return _STEP[self.arch](self, st, ins)


_ARG_REGS = {"arm64": tuple(f"x{i}" for i in range(8)), "arm": ("r0", "r1", "r2", "r3"),
             "x86_64": ("rdi", "rsi", "rdx", "rcx", "r8", "r9")}
_SOCKADDR_BUILDERS = {"uv_ip4_addr", "uv_ip6_addr", "evutil_parse_sockaddr_port"}


def sockaddr_bytes(platform: str, packed: bytes, port: int) -> bytes:
    """A sockaddr_in / sockaddr_in6 as the platform lays it out (Linux: 16-bit family; Darwin:
    sin_len, 8-bit family, AF_INET6 = 30)."""
    v6 = len(packed) == 16
    if platform == "darwin":
        head = bytes([28 if v6 else 16, 30 if v6 else 2])
    else:
        head = (10 if v6 else 2).to_bytes(2, "little")
    body = port.to_bytes(2, "big") + (b"\0" * 4 + packed + b"\0" * 4 if v6 else packed + b"\0" * 8)
    return head + body


def _split_host_port(text: str) -> tuple[str | None, int | None]:
    """libevent's "1.2.3.4:80", "[::1]:80", "1.2.3.4" (port 0)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else "0"
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, "0"
    return (host, int(port)) if port.isdigit() and int(port) < 65536 else (None, None)


def inet_pton(s: bytes | None) -> bytes | None:
    if s is None:
        return None
    try:
        return ipaddress.ip_address(s.decode("ascii")).packed
    except (ValueError, UnicodeDecodeError):
        return None
