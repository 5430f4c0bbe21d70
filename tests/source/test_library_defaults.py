"""Real library code must give the documented default.  For each library whose own code decides what
an omitted address means, the default is read here from the package fetched from the registry
(PyPI sdist / npm package, pinned in scripts/third-party.lock) -- not from portaudit's catalogue --
and a small app that omits the address must get that bind class."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from portaudit.model import Bind
from portaudit.values import classify_literal

from .helpers import scan


def _default_of(path: Path, func: str, param: str, cls: str | None = None):
    """The default value of ``param`` of ``func`` (in class ``cls``) in a Python file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if cls and isinstance(node, ast.ClassDef) and node.name != cls:
            continue
        for fn in ast.walk(node):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and fn.name == func:
                a = fn.args
                pos = a.posonlyargs + a.args
                for arg, d in zip(pos[len(pos) - len(a.defaults):], a.defaults, strict=True):
                    if arg.arg == param:
                        return ast.literal_eval(d)
                for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
                    if arg.arg == param and d is not None:
                        return ast.literal_eval(d)
    raise AssertionError(f"{func}({param}=...) not found in {path}")


def _app(tmp_path: Path, name: str, text: str):
    (tmp_path / name).write_text(text)
    facts = scan(tmp_path / name)
    assert len(facts.listeners) == 1, facts.listeners
    return facts.listeners[0]


def test_flask_run_default_host(source_inputs, tmp_path):
    """flask/app.py Flask.run: ``if not host: ... host = "127.0.0.1"`` and ``else: port = 5000``
    (when SERVER_NAME is not set)."""
    src = (source_inputs / "flask" / "src" / "flask" / "app.py").read_text()
    body = src[src.index("    def run("):]
    body = body[:body.index("\n    def ", 10)]
    host = re.search(r'host = "([^"]+)"', body).group(1)
    port = int(re.search(r"else:\s+port = (\d+)", body).group(1))
    lst = _app(tmp_path, "app.py", "from flask import Flask\napp = Flask(__name__)\napp.run()\n")
    assert (lst.bind, lst.port) == (classify_literal(host)[0], port) == (Bind.LOOPBACK, 5000)


def test_uvicorn_run_default_host(source_inputs, tmp_path):
    """uvicorn/main.py ``def run(app, *, host: str = "127.0.0.1", port: int = 8000, ...)``."""
    main = source_inputs / "uvicorn" / "uvicorn" / "main.py"
    host, port = _default_of(main, "run", "host"), _default_of(main, "run", "port")
    lst = _app(tmp_path, "serve.py", "import uvicorn\nuvicorn.run('app:app')\n")
    assert (lst.bind, lst.port) == (classify_literal(host)[0], port)


def test_aiohttp_run_app_default_host(source_inputs, tmp_path):
    """aiohttp/web.py run_app(host=None): with no host, _run_app makes ``TCPSite(runner, port=port,
    ...)`` without a host; web_runner.py TCPSite.__init__(host=None) and start() calls
    ``loop.create_server(server, self._host, self._port, ...)``; Python docs: a None host is every
    interface."""
    web = source_inputs / "aiohttp" / "aiohttp" / "web.py"
    runner = source_inputs / "aiohttp" / "aiohttp" / "web_runner.py"
    assert _default_of(web, "run_app", "host") is None
    assert _default_of(runner, "__init__", "host", cls="TCPSite") is None
    assert re.search(r"create_server\(\s*server,\s*self\._host,", runner.read_text())
    lst = _app(tmp_path, "srv.py", "from aiohttp import web\napp = web.Application()\nweb.run_app(app)\n")
    assert lst.bind is Bind.ALL


def test_tornado_listen_default_address(source_inputs, tmp_path):
    """tornado/tcpserver.py TCPServer.listen(port, address=None); netutil.bind_sockets: ``if address
    == "": address = None`` and getaddrinfo(address, ..., AI_PASSIVE): None is every interface."""
    tcp = source_inputs / "tornado" / "tornado" / "tcpserver.py"
    net = (source_inputs / "tornado" / "tornado" / "netutil.py").read_text()
    assert _default_of(tcp, "listen", "address") in (None, "")
    assert 'if address == "":' in net and "AI_PASSIVE" in net
    lst = _app(tmp_path, "t.py", "import tornado.web\napp = tornado.web.Application([])\napp.listen(8888)\n")
    assert (lst.bind, lst.port) == (Bind.ALL, 8888)


def test_twisted_listen_default_interface(source_inputs, tmp_path):
    """twisted/internet/posixbase.py ``def listenTCP(self, port, factory, backlog=50, interface="")``:
    "" is every IPv4 address (Python socket docs)."""
    posix = source_inputs / "twisted" / "src" / "twisted" / "internet" / "posixbase.py"
    assert _default_of(posix, "listenTCP", "interface") == ""
    lst = _app(tmp_path, "tw.py", "from twisted.internet import reactor\nreactor.listenTCP(8007, factory)\n")
    assert (lst.bind, lst.port, lst.api) == (Bind.ALL, 8007, "python twisted reactor.listenTCP")


def test_fastify_listen_default_host(source_inputs, tmp_path):
    """fastify/lib/server.js: ``host = listenOptions.host ?? 'localhost'``."""
    src = (source_inputs / "fastify" / "lib" / "server.js").read_text()
    host = re.search(r"host = listenOptions\.host \?\? '([^']+)'", src).group(1)
    lst = _app(tmp_path, "f.js", "const fastify = require('fastify')()\nfastify.listen({ port: 3000 })\n")
    assert (lst.bind, lst.port) == (classify_literal(host)[0], 3000)


def test_express_and_koa_listen_are_node_listen(source_inputs, tmp_path):
    """express lib/application.js app.listen: ``server.listen.apply(server, args)`` on
    http.createServer(this); koa lib/application.js listen(...args): ``server.listen(...args)``; so
    Node's default applies: no host = the unspecified address (Node.js docs, server.listen)."""
    express = (source_inputs / "express" / "lib" / "application.js").read_text()
    koa = (source_inputs / "koa" / "lib" / "application.js").read_text()
    assert "http.createServer(this)" in express and "server.listen.apply(server" in express
    assert "http.createServer(this.callback())" in koa and "server.listen(...args)" in koa
    a = _app(tmp_path, "e.js", "const express = require('express')\nconst app = express()\napp.listen(3000)\n")
    b = _app(tmp_path, "k.js", "const Koa = require('koa')\nconst app = new Koa()\napp.listen(3001)\n")
    assert (a.bind, a.port, b.bind, b.port) == (Bind.ALL, 3000, Bind.ALL, 3001)


def test_hapi_server_default_address(source_inputs, tmp_path):
    """@hapi/hapi lib/core.js: ``const address = this.settings.address || this.settings.host || null``
    then listener.listen(port, address): null is Node's default, every interface."""
    core = (source_inputs / "@hapi-hapi" / "lib" / "core.js").read_text()
    assert "this.settings.address || this.settings.host || null" in core
    a = _app(tmp_path, "h.js", "const Hapi = require('@hapi/hapi')\nconst server = Hapi.server({ port: 3000 })\n")
    b = _app(tmp_path, "h2.js", "const Hapi = require('@hapi/hapi')\n"
                                "const server = Hapi.server({ port: 3001, host: 'localhost' })\n")
    assert (a.bind, a.port) == (Bind.ALL, 3000)
    assert (b.bind, b.address, b.port) == (Bind.LOOPBACK, "localhost", 3001)


def test_react_native_tcp_socket_default_host(source_inputs, tmp_path):
    """react-native-tcp-socket src/Server.js listen(): ``let listenOptions = { port: 0, host: '0.0.0.0' }``."""
    src = (source_inputs / "react-native-tcp-socket" / "src" / "Server.js").read_text()
    host = re.search(r"listenOptions = \{ port: 0, host: '([^']+)' \}", src).group(1)
    lst = _app(tmp_path, "rn.js", "import TcpSocket from 'react-native-tcp-socket';\n"
                                  "const server = TcpSocket.createServer(() => {});\n"
                                  "server.listen({ port: 12345 });\n")
    assert (lst.bind, lst.port) == (classify_literal(host)[0], 12345)
