"""The facts portaudit gathers and the findings it reports.

Flow: an *input* module turns a target (APK, DEX, source tree, device...) into
:class:`Facts`; *rules* turn facts into :class:`Finding` objects; *formats*
write findings.  Every layer only knows the one before it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # model.runtime builds on this module
    from .runtime import RuntimeListener


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


class Confidence(enum.IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Confidence":
        return cls[text.strip().upper()]


class Bind(str, enum.Enum):
    """How a listener's bind address resolves."""

    ALL = "all-interfaces"
    LOOPBACK = "loopback"
    SPECIFIC = "specific"
    UNKNOWN = "unknown"
    UNIX = "unix"
    CONDITIONAL = "conditional"

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


@dataclass
class Location:
    """Where a fact was seen.

    For bytecode ``file`` is the DEX entry (``classes2.dex``, or
    ``split.apk!classes.dex`` for nested archives) and ``class_``/``method``/
    ``offset`` are filled (offset: code-unit offset of the instruction in the
    method).  For source ``file``/``line``/``column`` (1-based) are filled.
    For native code ``file`` is the library path and ``function``/``offset``.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    class_: str | None = None
    method: str | None = None
    offset: int | None = None
    function: str | None = None
    snippet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["class"] = d.pop("class_")
        return d

    def short(self) -> str:
        if self.line is not None:
            col = f":{self.column}" if self.column else ""
            return f"{self.file}:{self.line}{col}"
        if self.class_:
            where = f"{self.class_}.{self.method}" if self.method else self.class_
            off = f"@{self.offset:#x}" if self.offset is not None else ""
            return f"{where}{off}"
        if self.function:
            off = f"+{self.offset:#x}" if self.offset is not None else ""
            return f"{self.file}!{self.function}{off}"
        return self.file or "?"


@dataclass
class Hop:
    """One step of the path by which a listener's address or port reaches its API call.

    ``role``: ``"api"`` (the listener API call itself), ``"wrapper"`` (a call of a method whose
    parameter reaches the API), ``"caller"`` (the outermost call that gives the value),
    ``"field-write"`` (the write that set a field read on the way), ``"config"`` (a configuration
    read with its default), ``"return"`` (a method whose result was followed), ``"assignment"``
    (a local or property assignment in source)."""

    role: str
    location: Location
    note: str | None = None  # what happens here, e.g. "host = \"0.0.0.0\"", "port parameter p"

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "location": self.location.to_dict(), "note": self.note}


@dataclass
class Origin:
    """Whose code opened the port: the app's own or a library (maybe a known SDK)."""

    kind: str = "app"  # "app" | "library" | "unknown"
    sdk: str | None = None
    package: str | None = None  # the class / package prefix that matched
    version: str | None = None  # the SDK's version (range) when a library profile matched
    confidence: float | None = None  # similarity of the matched library profile, 0..1

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("version", "confidence"):  # only present when a library profile matched
            if d[k] is None:
                del d[k]
        return d


@dataclass
class Listener:
    """One place where code opens a listening socket."""

    api: str  # catalogue id, e.g. "java.net.ServerSocket(int)"
    transport: str  # "tcp" | "udp" | "unix"
    bind: Bind
    location: Location
    address: str | None = None  # literal ("0.0.0.0", "127.0.0.1", "@name" for abstract unix)
    port: int | None = None  # None = unknown, 0 = ephemeral
    reason: str | None = None  # why the address (or port) is unknown
    alternatives: list[str] = field(default_factory=list)  # for CONDITIONAL: each outcome
    guards: list[str] = field(default_factory=list)  # peer checks seen, e.g. "getInetAddress"
    origin: Origin = field(default_factory=Origin)
    via: str | None = None  # wrapper method through which the call was resolved
    evidence: str | None = None  # instruction / source line that proves it
    # The ordered hops from the API call (first, the finding's primary location) out to the code
    # that chose the value: wrapper calls, the origin caller, field writes, config reads.
    flow: list[Hop] = field(default_factory=list)
    configurable: str | None = None  # the address or port is a setting: which, and that the value shown is its default
    # what a live run saw of this listener (scan --device / --host): endpoint, bind, process, probe;
    # a rule that reports the listener says so (confidence high, the finding's ``runtime``)
    observed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "transport": self.transport,
            "bind": self.bind.value,
            "address": self.address,
            "port": self.port,
            "reason": self.reason,
            "alternatives": list(self.alternatives),
            "guards": list(self.guards),
            "via": self.via,
            "flow": [h.to_dict() for h in self.flow],
            "configurable": self.configurable,
        }


@dataclass
class DebugService:
    """A debug mechanism that opens (or can open) a port or socket."""

    kind: str  # "debuggable" | "webview-debugging" | "stetho" | "flipper" | "debug-db" | ...
    enabled: bool | None  # True, False, None = unknown
    location: Location
    gated: bool = False  # only on when a debug flag is set (BuildConfig.DEBUG, FLAG_DEBUGGABLE)
    origin: Origin = field(default_factory=Origin)
    evidence: str | None = None
    detail: str | None = None
    observed: list[dict[str, Any]] = field(default_factory=list)  # a live DevTools socket of this kind


@dataclass
class AppInfo:
    """Manifest / Info.plist facts of an app."""

    platform: str = "android"  # "android" | "ios" | "other"
    package: str | None = None
    version_name: str | None = None
    version_code: str | None = None
    debuggable: bool | None = None
    debuggable_source: str | None = None  # "literal" | "resource" | ...
    uses_internet: bool | None = None
    cleartext: bool | None = None
    network_security_config: str | None = None
    exported: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Target:
    """One input the user named (or one found inside a directory)."""

    path: str
    kind: str  # "apk", "aab", "apks", "dex", "jar", "source", "so", "ipa", "macho", "host", "device"...
    sha256: str | None = None
    size: int | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "errors": list(self.errors),
            "notes": list(self.notes),
            "seconds": self.seconds,
        }


@dataclass
class Facts:
    """Everything the inputs learned about one target."""

    target: Target
    app: AppInfo | None = None
    listeners: list[Listener] = field(default_factory=list)
    debug: list[DebugService] = field(default_factory=list)
    sdks: list[Origin] = field(default_factory=list)  # SDKs present (whether or not they listen)
    runtime: list[RuntimeListener] = field(default_factory=list)  # live listeners (device / host runs)
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ids:
    maswe_beta: str | None = None
    maswe: str | None = None
    cwe: list[str] = field(default_factory=list)
    masvs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    rule: str
    severity: Severity
    confidence: Confidence
    message: str
    target: str
    location: Location
    ids: Ids
    fix: str
    origin: Origin = field(default_factory=Origin)
    listener: Listener | None = None
    evidence: str | None = None
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.label,
            "confidence": self.confidence.label,
            "message": self.message,
            "target": self.target,
            "location": self.location.to_dict(),
            "origin": self.origin.to_dict(),
            "ids": self.ids.to_dict(),
            "fix": self.fix,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
        }
        if self.listener is not None:
            d["listener"] = self.listener.to_dict()
        d.update(self.extra)
        return d
