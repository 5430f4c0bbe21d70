"""Real third-party source from the registries, expected findings written from reading the code."""

from __future__ import annotations

from .helpers import scan


def test_bottle_dev_server(source_inputs):
    """bottle 0.13.4: ServerAdapter.__init__(host='127.0.0.1', port=8080) stores self.host / self.port;
    WSGIRefServer.run calls make_server(self.host, self.port, ...) and GeventServer.run builds
    address = (self.host, self.port) for pywsgi.WSGIServer.  Both bind loopback by default.
    TwistedServer.run calls reactor.listenTCP(self.port, factory, interface=self.host) after
    ``from twisted.internet import reactor``: the same loopback default.  Other adapters pass
    **self.options to servers portaudit does not model (no finding)."""
    facts = scan(source_inputs / "bottle")
    got = {(x.location.file, x.api, x.bind.value, x.address) for x in facts.listeners}
    assert got == {
        ("bottle.py", "python wsgiref.make_server", "loopback", "127.0.0.1"),
        ("bottle.py", "python pywsgi.WSGIServer", "loopback", "127.0.0.1"),
        ("bottle.py", "python twisted reactor.listenTCP", "loopback", "127.0.0.1"),
    }
    gevent = next(x for x in facts.listeners if x.api == "python pywsgi.WSGIServer")
    assert gevent.port == 8080
    # the test folder is skipped by default and reported
    assert facts.stats["source"]["skipped_tests"] >= 1


def test_http_server_cli(source_inputs):
    """http-server 14.1.1, bin/http-server (a node script without extension): ``host = argv.a ||
    '0.0.0.0'`` and ``server.listen(port, host, cb)`` inside ``function listen(port)``, called twice
    (with a port from portfinder and from the -p option).  ``server`` is
    ``require('../lib/http-server').createServer(options)``, the package's own wrapper object, which
    portaudit does not follow to node's http.Server: the receiver is matched by its name only, so
    the bind is reported as unresolved (never all-interfaces), with the setting and its default
    ('0.0.0.0', the -a option) and both callers of the wrapper as flows."""
    facts = scan(source_inputs / "http-server")
    found = [x for x in facts.listeners if x.location.file == "bin/http-server"]
    assert len(found) == 2
    lines = (source_inputs / "http-server" / "bin" / "http-server").read_text().splitlines()
    callers = set()
    for x in found:
        assert x.bind.value == "unknown"
        assert "not traced" in (x.reason or "")
        assert "'a'" in (x.configurable or "")
        assert x.via == "listen"
        assert "server.listen(port, host" in lines[x.location.line - 1]
        callers |= {h.location.line for h in x.flow if h.role == "caller"}
    assert {lines[n - 1].strip() for n in callers} == {"listen(port);"} and len(callers) == 2
    # lib/ creates the server but never listens itself
    assert all(x.location.file.startswith("bin/") for x in facts.listeners)
