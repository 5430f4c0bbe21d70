"""Real third-party source from the registries, expected findings written from reading the code."""

from __future__ import annotations

from .helpers import scan


def test_bottle_dev_server(source_inputs):
    """bottle 0.13.4: ServerAdapter.__init__(host='127.0.0.1', port=8080) stores self.host / self.port;
    WSGIRefServer.run calls make_server(self.host, self.port, ...) and GeventServer.run builds
    address = (self.host, self.port) for pywsgi.WSGIServer.  Both bind loopback by default.
    Other adapters pass **self.options to servers portaudit does not model (no finding)."""
    facts = scan(source_inputs / "bottle")
    got = {(x.location.file, x.api, x.bind.value, x.address) for x in facts.listeners}
    assert got == {
        ("bottle.py", "python wsgiref.make_server", "loopback", "127.0.0.1"),
        ("bottle.py", "python pywsgi.WSGIServer", "loopback", "127.0.0.1"),
    }
    gevent = next(x for x in facts.listeners if x.api == "python pywsgi.WSGIServer")
    assert gevent.port == 8080
    # the test folder is skipped by default and reported
    assert facts.stats["source"]["skipped_tests"] >= 1


def test_http_server_cli(source_inputs):
    """http-server 14.1.1, bin/http-server (a node script without extension): ``host = argv.a ||
    '0.0.0.0'`` and ``server.listen(port, host, cb)`` inside ``function listen(port)``, called twice
    (with a port from portfinder and from the -p option).  So: all interfaces unless -a is given,
    reported at both callers of the wrapper."""
    facts = scan(source_inputs / "http-server")
    found = [x for x in facts.listeners if x.location.file == "bin/http-server"]
    assert len(found) == 2
    for x in found:
        assert x.bind.value == "conditional"
        assert x.alternatives == ["unknown", "all-interfaces"]
        assert x.via == "listen"
        assert "argv.a" in (x.reason or "")
    # lib/ creates the server but never listens itself
    assert all(x.location.file.startswith("bin/") for x in facts.listeners)
