"""Service identification: bounded, handshake-only probes of one TCP service.

Each step opens its own connection, sends one handshake and reads at most
``max_bytes`` before closing; every socket operation has a timeout and the whole
fingerprint has a deadline, so a service that accepts and never answers, or one
that floods bytes, costs bounded time and memory.

Steps, stopping at the first that identifies the service:
TLS handshake (certificate subject; client certificate required?) -> HTTP ``GET /``
(status, ``Server``, ``WWW-Authenticate``; over TLS when TLS answered) -> Chrome
DevTools ``GET /json/version`` -> WebSocket upgrade -> JDWP handshake ->
adb host protocol (``host:version``) -> adb daemon ``CNXN``.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import struct
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ProbeLimits:
    timeout: float = 2.0  # per socket operation
    deadline: float = 10.0  # whole fingerprint of one service
    max_bytes: int = 64 * 1024  # read from one connection


@dataclass
class ProbeResult:
    host: str
    port: int
    # "http", "https", "websocket", "chrome-devtools", "jdwp", "adb-server", "adbd", "tls", None
    protocol: str | None = None
    requires_auth: bool | None = None
    evidence: str = ""
    tls: dict[str, Any] | None = None
    http: dict[str, Any] | None = None
    steps: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"protocol": self.protocol, "requires_auth": self.requires_auth,
                             "evidence": self.evidence, "target": f"{self.host}:{self.port}"}
        if self.tls:
            d["tls"] = self.tls
        if self.http:
            d["http"] = self.http
        d["steps"] = list(self.steps)
        if self.error:
            d["error"] = self.error
        return d


class _Budget:
    def __init__(self, limits: ProbeLimits):
        self.limits = limits
        self.end = time.monotonic() + limits.deadline

    def left(self) -> float:
        return self.end - time.monotonic()

    def timeout(self) -> float:
        left = self.left()
        if left <= 0:
            raise TimeoutError("probe deadline reached")
        return min(self.limits.timeout, left)


def _connect(host: str, port: int, budget: _Budget, connector=None) -> socket.socket:
    if connector is not None:
        return connector(host, port, budget.timeout())
    sock = socket.create_connection((host, port), timeout=budget.timeout())
    sock.settimeout(budget.timeout())
    return sock


def _read(sock, budget: _Budget, until: bytes | None = None, want: int | None = None) -> bytes:
    """Read until ``until`` is seen, ``want`` bytes arrived, EOF, the byte limit or a timeout."""
    buf = bytearray()
    limit = budget.limits.max_bytes
    while len(buf) < limit:
        try:
            sock.settimeout(budget.timeout())
            chunk = sock.recv(min(16384, limit - len(buf)))
        except TimeoutError:
            break
        except ssl.SSLError:
            if buf:
                break
            raise
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if until is not None and until in buf:
            break
        if want is not None and len(buf) >= want:
            break
    return bytes(buf)


def _close(sock) -> None:
    with contextlib.suppress(OSError):
        sock.close()


# -- TLS ----------------------------------------------------------------------------

def _cert_subject(der: bytes | None) -> dict[str, Any] | None:
    if not der:
        return None
    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(der)
        return {"subject": cert.subject.rfc4514_string(), "issuer": cert.issuer.rfc4514_string(),
                "not_after": cert.not_valid_after_utc.isoformat()}
    except Exception:  # noqa: BLE001 - cryptography missing or odd certificate
        return {"subject": None, "der_bytes": len(der)}


def probe_tls(host: str, port: int, budget: _Budget, connector=None) -> dict[str, Any] | None:
    """TLS handshake without a client certificate. None when the service does not speak TLS."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = _connect(host, port, budget, connector)
    try:
        tls = ctx.wrap_socket(raw, server_hostname=None, do_handshake_on_connect=False)
        tls.settimeout(budget.timeout())
        try:
            tls.do_handshake()
        except ssl.SSLError as exc:
            reason = (exc.reason or str(exc)).upper()
            if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER" in reason or "PACKET_LENGTH" in reason \
                    or "UNEXPECTED_EOF" in reason or "HTTP_REQUEST" in reason:
                return None
            if "CERTIFICATE_REQUIRED" in reason:
                return {"version": None, "client_cert_required": True, "detail": exc.reason}
            if "HANDSHAKE_FAILURE" in reason:
                return {"version": None, "client_cert_required": None, "detail": f"handshake failed: {exc.reason}"}
            return None
        except (OSError, TimeoutError):
            return None
        info: dict[str, Any] = {"version": tls.version(), "cipher": (tls.cipher() or [None])[0]}
        cert = _cert_subject(tls.getpeercert(binary_form=True))
        if cert:
            info["certificate"] = cert
        # TLS 1.3 asks for the client certificate after our side of the handshake is done:
        # the refusal arrives as an alert on the first read.
        info["client_cert_required"] = False
        try:
            tls.settimeout(min(0.5, budget.timeout()))
            tls.recv(1)
        except ssl.SSLError as exc:
            if "CERTIFICATE_REQUIRED" in (exc.reason or str(exc)).upper():
                info["client_cert_required"] = True
            else:
                info["client_cert_required"] = None
                info["detail"] = exc.reason
        except (OSError, TimeoutError):
            pass
        return info
    finally:
        _close(raw)


# -- HTTP / WebSocket / DevTools ------------------------------------------------------

_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)? (\d{3})[^\r\n]*")


def _http(host: str, port: int, budget: _Budget, path: str = "/", extra: str = "", use_tls: bool = False,
          connector=None, connection: str = "close") -> dict[str, Any] | None:
    raw = _connect(host, port, budget, connector)
    sock = raw
    try:
        if use_tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(raw)
        hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        req = (f"GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: portaudit-probe\r\n"
               f"Accept: */*\r\n{extra}Connection: {connection}\r\n\r\n")
        sock.sendall(req.encode("ascii"))
        data = _read(sock, budget, until=b"\r\n\r\n")
        m = _STATUS.match(data)
        if not m:
            return None
        head, _, body = data.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if path != "/" and int(m.group(1)) == 200 and len(body) < 4096:
            body += _read(sock, budget, want=4096 - len(body))
        return {"status": int(m.group(1)), "status_line": m.group(0).decode("latin-1"), "headers": headers,
                "body": body[:4096]}
    except (ssl.SSLError, OSError, TimeoutError):
        return None
    finally:
        _close(sock)


def _http_verdict(resp: dict[str, Any]) -> tuple[bool | None, str]:
    status = resp["status"]
    h = resp["headers"]
    ev = resp["status_line"]
    if h.get("server"):
        ev += f"; Server: {h['server']}"
    if h.get("www-authenticate"):
        ev += f"; WWW-Authenticate: {h['www-authenticate']}"
        return True, ev
    if status in (401, 407):
        return True, ev
    if status == 403:
        return True, ev
    if 200 <= status < 400:
        return False, ev
    return None, ev


# -- JDWP / adb ------------------------------------------------------------------------

def probe_jdwp(host: str, port: int, budget: _Budget, connector=None) -> bool:
    sock = _connect(host, port, budget, connector)
    try:
        sock.sendall(b"JDWP-Handshake")
        return _read(sock, budget, want=14)[:14] == b"JDWP-Handshake"
    except OSError:
        return False
    finally:
        _close(sock)


def probe_adb_server(host: str, port: int, budget: _Budget, connector=None) -> str | None:
    """adb host protocol: ``000chost:version`` -> ``OKAY`` + 4 hex length + 4 hex version."""
    sock = _connect(host, port, budget, connector)
    try:
        sock.sendall(b"000chost:version")
        data = _read(sock, budget, want=12)
        if data[:4] == b"OKAY" and re.fullmatch(rb"[0-9a-fA-F]{8}", data[4:12] or b"x"):
            return data[8:12].decode()
        return None
    except OSError:
        return None
    finally:
        _close(sock)


A_CNXN, A_AUTH = 0x4E584E43, 0x48545541


def adb_message(command: int, arg0: int, arg1: int, payload: bytes) -> bytes:
    return struct.pack("<6I", command, arg0, arg1, len(payload), sum(payload) & 0xFFFFFFFF,
                       command ^ 0xFFFFFFFF) + payload


def probe_adbd(host: str, port: int, budget: _Budget, connector=None) -> tuple[str, str] | None:
    """adb daemon (adb over TCP, 5555): CNXN -> CNXN (open!) or AUTH (key required)."""
    sock = _connect(host, port, budget, connector)
    try:
        sock.sendall(adb_message(A_CNXN, 0x01000001, 256 * 1024, b"host::portaudit\x00"))
        data = _read(sock, budget, want=24)
        if len(data) < 24:
            return None
        cmd, arg0, _arg1, length, _check, magic = struct.unpack("<6I", data[:24])
        if magic != cmd ^ 0xFFFFFFFF:
            return None
        if cmd == A_CNXN:
            more = data[24:] + (_read(sock, budget, want=max(0, min(length, 1024) - (len(data) - 24)))
                                if length > len(data) - 24 else b"")
            return "CNXN", more[:200].decode("latin-1", "replace").rstrip("\x00")
        if cmd == A_AUTH:
            return "AUTH", f"AUTH type {arg0}"
        return None
    except OSError:
        return None
    finally:
        _close(sock)


# -- identify ---------------------------------------------------------------------------

def identify(host: str, port: int, limits: ProbeLimits | None = None, connector=None) -> ProbeResult:
    """Identify the service on host:port; never raises (errors land in ``result.error``)."""
    limits = limits or ProbeLimits()
    budget = _Budget(limits)
    res = ProbeResult(host=host, port=port)
    try:
        _identify(res, budget, connector)
    except ConnectionRefusedError:
        res.error = "connection refused"
        res.evidence = "connection refused"
    except TimeoutError:
        res.error = res.error or f"no answer within the {limits.deadline:g}s probe deadline"
        res.evidence = res.evidence or res.error
    except OSError as exc:
        res.error = exc.strerror or str(exc)
        res.evidence = res.evidence or res.error
    return res


def _identify(res: ProbeResult, budget: _Budget, connector) -> None:
    host, port = res.host, res.port
    res.steps.append("tls")
    tls = probe_tls(host, port, budget, connector)
    if tls is not None:
        res.tls = tls
        res.protocol = "tls"
        subject = (tls.get("certificate") or {}).get("subject")
        ev = f"TLS {tls.get('version') or '?'}" + (f", certificate {subject}" if subject else "")
        if tls.get("client_cert_required"):
            res.requires_auth = True
            res.evidence = ev + ", client certificate required"
            return
        if tls.get("client_cert_required") is None and tls.get("version") is None:
            res.evidence = f"TLS {tls.get('detail')}"
            return
        res.steps.append("https")
        resp = _http(host, port, budget, use_tls=True, connector=connector)
        if resp is None:
            res.evidence = ev + ", no client certificate required; no HTTP answer"
            return
        res.protocol = "https"
        res.http = _public(resp)
        res.requires_auth, hev = _http_verdict(resp)
        res.evidence = f"{ev}; {hev}"
        return
    res.steps.append("http")
    resp = _http(host, port, budget, connector=connector)
    if resp is not None:
        res.protocol = "http"
        res.http = _public(resp)
        res.requires_auth, res.evidence = _http_verdict(resp)
        res.steps.append("devtools")
        dev = _http(host, port, budget, path="/json/version", connector=connector)
        if dev is not None and dev["status"] == 200 and (b"webSocketDebuggerUrl" in dev["body"]
                                                         or b"\"Browser\"" in dev["body"]):
            res.protocol = "chrome-devtools"
            res.requires_auth = False
            browser = re.search(rb'"Browser"\s*:\s*"([^"]{0,80})"', dev["body"])
            res.evidence = "GET /json/version: 200" + (f", Browser {browser.group(1).decode()}" if browser else "")
            return
        res.steps.append("websocket")
        ws = _http(host, port, budget, extra=("Upgrade: websocket\r\n"
                                              "Sec-WebSocket-Key: cG9ydGF1ZGl0LXByb2JlIQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n"),
                   connector=connector, connection="Upgrade")
        if ws is not None and ws["status"] == 101:
            res.protocol = "websocket"
            res.requires_auth = False
            res.evidence = f"WebSocket upgrade accepted: {ws['status_line']}"
        return
    res.steps.append("jdwp")
    if probe_jdwp(host, port, budget, connector):
        res.protocol = "jdwp"
        res.requires_auth = False
        res.evidence = "JDWP-Handshake echoed: a Java debugger can attach"
        return
    res.steps.append("adb-server")
    version = probe_adb_server(host, port, budget, connector)
    if version is not None:
        res.protocol = "adb-server"
        res.requires_auth = False
        res.evidence = f"adb host protocol: OKAY, version {int(version, 16)}"
        return
    res.steps.append("adbd")
    adbd = probe_adbd(host, port, budget, connector)
    if adbd is not None:
        res.protocol = "adbd"
        res.requires_auth = adbd[0] == "AUTH"
        res.evidence = f"adb daemon answered {adbd[0]}: {adbd[1]}"
        return
    res.evidence = "accepted the connection; no answer to TLS, HTTP, JDWP or adb handshakes"


def _public(resp: dict[str, Any]) -> dict[str, Any]:
    h = resp["headers"]
    return {"status": resp["status"], "status_line": resp["status_line"], "server": h.get("server"),
            "www_authenticate": h.get("www-authenticate")}
