"""Real services for the probe tests, started and stopped by the tests."""

from __future__ import annotations

import base64
import contextlib
import datetime
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    auth: str | None = None  # "user:pass" for Basic auth

    def do_GET(self):
        if self.auth:
            want = "Basic " + base64.b64encode(self.auth.encode()).decode()
            if self.headers.get("Authorization") != want:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="portaudit-test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = b"hello\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class HttpServer:
    """http.server on ``host``: plain, with Basic auth, or over TLS (optionally requiring client certs)."""

    def __init__(self, host="127.0.0.1", port=0, auth=None, tls: ssl.SSLContext | None = None):
        handler = type("H", (_Handler,), {"auth": auth})
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        cls = type("S", (http.server.ThreadingHTTPServer,), {"address_family": family})
        self.httpd = cls((host, port), handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class RawServer:
    """A TCP server with a custom behaviour per connection; counts connections."""

    def __init__(self, behaviour, host="127.0.0.1"):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.sent = 0
        self.behaviour = behaviour
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._conns.append(c)
            threading.Thread(target=self.behaviour, args=(self, c), daemon=True).start()

    def close(self):
        self._stop.set()
        self.sock.close()
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.close()


def silent(server, conn):
    """Accept and never answer (and never close)."""
    server._stop.wait()


def flood(server, conn):
    """Send bytes without end."""
    chunk = os.urandom(65536)
    try:
        while not server._stop.is_set():
            conn.sendall(chunk)
            server.sent += len(chunk)
    except OSError:
        pass


# -- certificates ---------------------------------------------------------------------------

def make_certs(dirpath: str) -> dict[str, str]:
    """A CA, a server certificate and a client certificate, made now with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "portaudit tests")])

    def build(cn, key, issuer_name, issuer_key, ca=False):
        b = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(issuer_name)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        return b.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("portaudit test CA", ca_key, name("portaudit test CA"), ca_key, ca=True)
    out = {}
    for role in ("server", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = build(f"portaudit-{role}", key, ca.subject, ca_key)
        kp, cp = os.path.join(dirpath, f"{role}.key"), os.path.join(dirpath, f"{role}.crt")
        with open(kp, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        with open(cp, "wb") as fh:
            fh.write(cert.public_bytes(serialization.Encoding.PEM))
        out[role + "_key"], out[role + "_cert"] = kp, cp
    out["ca"] = os.path.join(dirpath, "ca.crt")
    with open(out["ca"], "wb") as fh:
        fh.write(ca.public_bytes(serialization.Encoding.PEM))
    return out


def tls_context(certs: dict[str, str], require_client: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs["server_cert"], certs["server_key"])
    if require_client:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(certs["ca"])
    return ctx


# -- external programs ------------------------------------------------------------------------

def wait_port(host: str, port: int, proc: subprocess.Popen | None = None, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{host}:{port} did not open within {seconds}s")


JAVA_SRC = """public class Sleeper {
    public static void main(String[] args) throws Exception { Thread.sleep(600000); }
}
"""


def start_jdwp(tmpdir: str, port: int) -> subprocess.Popen:
    src = os.path.join(tmpdir, "Sleeper.java")
    with open(src, "w") as fh:
        fh.write(JAVA_SRC)
    subprocess.run(["javac", "-d", tmpdir, src], check=True, capture_output=True)
    proc = subprocess.Popen(["java", f"-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:{port}",
                             "-cp", tmpdir, "Sleeper"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # the JVM prints "Listening for transport dt_socket at address: PORT" once the socket is open
    line = proc.stdout.readline().decode(errors="replace")
    if "Listening for transport" not in line:
        proc.kill()
        raise RuntimeError(f"JVM did not start its JDWP agent: {line!r}")
    return proc


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def start_chromium(tmpdir: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([chromium_path(), "--headless", "--no-sandbox", "--disable-gpu",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--no-first-run", f"--user-data-dir={tmpdir}", "--remote-debugging-address=127.0.0.1",
                             f"--remote-debugging-port={port}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port("127.0.0.1", port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
