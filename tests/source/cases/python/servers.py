# Expected facts are written on each line as "EXPECT: <bind> <address|-> <port|->".
# Lines without EXPECT must produce no listener.  The address is the literal written, "-" for none:
# "" is not an address literal but, per the Python docs (socket families), "'' represents INADDR_ANY".
import asyncio
import os
import socket
import socketserver
from http.server import HTTPServer, SimpleHTTPRequestHandler

import uvicorn
from aiohttp import web
from flask import Flask

ALL = "0.0.0.0"
LOCAL = "127.0.0.1"
PORT = 8000


class Service:
    host = ""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def start(self):
        self.sock.bind((self.host, PORT))  # EXPECT: all-interfaces - 8000


def literal():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 31137))  # EXPECT: all-interfaces 0.0.0.0 31137
    s.bind(("", 4040))  # EXPECT: all-interfaces - 4040
    s.bind(("::", 4041))  # EXPECT: all-interfaces :: 4041
    s.bind((LOCAL, 4042))  # EXPECT: loopback 127.0.0.1 4042
    s.bind(("localhost", 4043))  # EXPECT: loopback localhost 4043
    s.bind(("192.168.0.1", 8080))  # EXPECT: specific 192.168.0.1 8080
    addr = (ALL, 9090)
    s.bind(addr)  # EXPECT: all-interfaces 0.0.0.0 9090


def branch(debug):
    host = "0.0.0.0" if debug else "127.0.0.1"
    s = socket.socket()
    s.bind((host, 7000))  # EXPECT: conditional 0.0.0.0|127.0.0.1 7000


def setting():
    s = socket.socket()
    s.bind((os.environ.get("HOST", "0.0.0.0"), 7001))  # EXPECT: all-interfaces 0.0.0.0 7001 (a setting; its default)


def wrapper(host, port=7002):
    srv = socket.socket()
    srv.bind((host, port))


wrapper("0.0.0.0")  # EXPECT: all-interfaces 0.0.0.0 7002
wrapper("127.0.0.1", 7003)  # EXPECT: loopback 127.0.0.1 7003


def unix():
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind("/tmp/app.sock")  # EXPECT: unix /tmp/app.sock -
    a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a.bind("\0abstract-name")  # EXPECT: unix @abstract-name -


def quiet():
    c = socket.socket()
    c.bind(("0.0.0.0", 5555))
    c.connect(("example.org", 80))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("", 0))
    u.sendto(b"x", ("10.0.0.1", 9))
    n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)
    n.bind((0, 0))
    print("0.0.0.0")
    os.path.join("0.0.0.0", "x")


async def aio():
    await asyncio.start_server(handle, "0.0.0.0", 8888)  # EXPECT: all-interfaces 0.0.0.0 8888
    await asyncio.start_server(handle, port=8889)  # EXPECT: all-interfaces - 8889
    await asyncio.start_server(handle, host="127.0.0.1", port=8890)  # EXPECT: loopback 127.0.0.1 8890


def handle(r, w):
    pass


def servers():
    socketserver.TCPServer(("", 9999), socketserver.BaseRequestHandler)  # EXPECT: all-interfaces - 9999
    socketserver.UDPServer(("127.0.0.1", 9998), socketserver.BaseRequestHandler)  # EXPECT: loopback 127.0.0.1 9998
    HTTPServer(("0.0.0.0", 8081), SimpleHTTPRequestHandler)  # EXPECT: all-interfaces 0.0.0.0 8081


app = Flask(__name__)
app.run()  # EXPECT: loopback - 5000
app.run(host="0.0.0.0", port=5001)  # EXPECT: all-interfaces 0.0.0.0 5001
uvicorn.run(app)  # EXPECT: loopback - 8000
uvicorn.run(app, host="0.0.0.0", port=8002)  # EXPECT: all-interfaces 0.0.0.0 8002
web.run_app(app)  # EXPECT: all-interfaces - 8080
web.run_app(app, host="localhost", port=8083)  # EXPECT: loopback localhost 8083


def create_servers():
    socket.create_server(("", 8100))  # EXPECT: all-interfaces - 8100
    socket.create_server(("127.0.0.1", 8101))  # EXPECT: loopback 127.0.0.1 8101
    socket.create_server("/tmp/cs.sock", family=socket.AF_UNIX)  # EXPECT: unix /tmp/cs.sock -


def unix_param(path=None):
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(path)  # EXPECT: unix - -


def more_servers(runner):
    from wsgiref.simple_server import make_server
    make_server("", 8200, app)  # EXPECT: all-interfaces - 8200
    web.TCPSite(runner)  # EXPECT: all-interfaces - 8080
    web.TCPSite(runner, "127.0.0.1", 8201)  # EXPECT: loopback 127.0.0.1 8201


async def asyncio_shapes(sock):
    loop = asyncio.get_running_loop()
    await loop.create_server(handle, sock=sock)
    await loop.create_unix_server(handle, path="/tmp/a.sock")  # EXPECT: unix /tmp/a.sock -
    await start_server()


async def start_server():
    pass
