"""The shared value domain: what a value means for the bind class, and that unknown stays unknown.

Oracles: the Javadoc of java.net.InetAddress / InetSocketAddress (quoted in values.HOST_SEMANTICS),
the Python socket documentation ('' is INADDR_ANY), RFC 5735 / RFC 4291 for 127.0.0.0/8 and ::1.
"""

from __future__ import annotations

import pytest

from portaudit.model import Bind
from portaudit.values import (
    HOST_SEMANTICS,
    NULL,
    Addr,
    Const,
    FromConfig,
    FromField,
    FromParam,
    FromReturn,
    OneOf,
    SockAddr,
    Unknown,
    bind_of,
    classify_bytes,
    classify_literal,
    config_of,
    one_of,
    port_of,
)

GET_BY_NAME = HOST_SEMANTICS["java.net.InetAddress.getByName(String)"]
ISA_ADDR = HOST_SEMANTICS["java.net.InetSocketAddress(InetAddress,int)"]
PY_BIND = HOST_SEMANTICS["python.socket.bind"]


@pytest.mark.parametrize(("text", "bind"), [
    ("0.0.0.0", Bind.ALL), ("::", Bind.ALL), ("[::]", Bind.ALL), ("*", Bind.ALL),
    ("127.0.0.1", Bind.LOOPBACK), ("127.1.2.3", Bind.LOOPBACK),  # RFC 5735: 127.0.0.0/8
    ("::1", Bind.LOOPBACK), ("localhost", Bind.LOOPBACK), ("LOCALHOST", Bind.LOOPBACK),  # RFC 4291, RFC 6761
    ("192.168.1.10", Bind.SPECIFIC), ("wlan0.example", Bind.SPECIFIC),
])
def test_literals(text, bind):
    assert classify_literal(text) == (bind, text)


def test_bytes():
    assert classify_bytes(bytes(4)) == (Bind.ALL, "0.0.0.0")
    assert classify_bytes(bytes([127, 0, 0, 1])) == (Bind.LOOPBACK, "127.0.0.1")
    assert classify_bytes(bytes(15) + b"\x01") == (Bind.LOOPBACK, "::1")
    assert classify_bytes(bytes([10, 0, 0, 2])) == (Bind.SPECIFIC, "10.0.0.2")


def test_null_and_empty_follow_the_api():
    # Javadoc InetAddress.getByName: null or "" -> the loopback interface
    assert bind_of(NULL, GET_BY_NAME).bind is Bind.LOOPBACK
    assert bind_of(Const(""), GET_BY_NAME).bind is Bind.LOOPBACK
    # Javadoc InetSocketAddress(InetAddress, int): "A null address will assign the wildcard address."
    assert bind_of(NULL, ISA_ADDR).bind is Bind.ALL
    # Python socket docs: '' represents INADDR_ANY; None is not accepted
    assert bind_of(Const(""), PY_BIND).bind is Bind.ALL
    assert bind_of(NULL, PY_BIND).bind is Bind.UNKNOWN


def test_null_without_semantics_is_unknown():
    v = bind_of(NULL, None)
    assert v.bind is Bind.UNKNOWN and v.reason


@pytest.mark.parametrize("value", [
    Unknown("host read from a file"),
    FromParam(1, "host", "Srv.start"),
    FromField("com.example.Srv.host", "written from InetAddress.getByName(wifiIp) in Srv.init"),
    FromReturn("com.example.Net.addr()"),
    FromConfig("SharedPreferences.getString", "host"),  # no default written
    OneOf(frozenset({Const("0.0.0.0"), Unknown("computed")})),
])
def test_unknown_stays_unknown(value):
    for meaning in (None, GET_BY_NAME, ISA_ADDR, PY_BIND):
        v = bind_of(value, meaning)
        assert v.bind is Bind.UNKNOWN, (value, meaning)
        assert v.reason


def test_alternatives():
    v = bind_of(OneOf(frozenset({Const("0.0.0.0"), Const("127.0.0.1")})))
    assert v.bind is Bind.CONDITIONAL and v.alternatives == ("all-interfaces", "loopback")
    same = bind_of(OneOf(frozenset({Const("127.0.0.1"), Addr(Bind.LOOPBACK)})))
    assert same.bind is Bind.LOOPBACK


def test_one_of_joins():
    assert one_of([Const(1)]) == Const(1)
    assert one_of([Const(1), Const(1)]) == Const(1)
    assert (one_of([Const(1), OneOf(frozenset({Const(2), Const(3)}))])
            == OneOf(frozenset({Const(1), Const(2), Const(3)})))
    assert isinstance(one_of([Const(1), Unknown("x")]), Unknown)
    assert isinstance(one_of([Const(i) for i in range(20)]), Unknown)
    assert isinstance(one_of([]), Unknown)


def test_ports_and_config():
    assert port_of(Const(8080)) == 8080
    assert port_of(Const("2121")) == 2121
    assert port_of(Const(70000)) is None
    assert port_of(Const(True)) is None
    assert port_of(SockAddr(Const("0.0.0.0"), Const(0))) == 0
    cfg = FromConfig("SharedPreferences.getInt", "port", Const(2121))
    assert port_of(cfg) == 2121 and config_of(SockAddr(NULL, cfg)) is cfg
    assert port_of(FromConfig("environment", "PORT")) is None
    assert port_of(OneOf(frozenset({Const(1), Const(2)}))) is None
    configured = bind_of(FromConfig("System.getProperty", "host", Const("127.0.0.1")))
    assert configured.bind is Bind.LOOPBACK and "configurable" in (configured.reason or "")
