"""The "app" for the adb-path tests: run as root inside a fresh network namespace, it opens the
sockets the demo APK opens (plus one the APK does not know about), then drops to an Android app
UID so the kernel tables show real app-owned sockets.  Prints "ready <pid>" when listening."""

import encodings.idna  # noqa: F401 - imported before the UID drop (the interpreter lives under /root)
import http.server
import os
import socket
import socketserver
import sys
import threading

APP_UID = int(sys.argv[1])
EXTRA_PORT = int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"demo\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

    def address_string(self):
        return "local"


class UnixHTTP(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()


os.setgid(APP_UID)  # become the app: the kernel records the creator's UID on every socket
os.setuid(APP_UID)
serve(http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Handler))  # NanoHTTPD(8080) in the demo app
serve(http.server.ThreadingHTTPServer(("127.0.0.1", 8765), Handler))  # RemoteControl, loopback
serve(UnixHTTP(f"\0webview_devtools_remote_{os.getpid()}", Handler))  # WebView debugging
bridge = socket.socket(socket.AF_UNIX)
bridge.bind("\0portdemo_bridge")  # LocalServerSocket("portdemo_bridge")
bridge.listen()
extra = socket.socket()
extra.bind(("0.0.0.0", EXTRA_PORT))  # opened by code the static scan cannot see
extra.listen()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 12580))
print(f"ready {os.getpid()}", flush=True)
sys.stdin.read()  # until the test closes stdin
