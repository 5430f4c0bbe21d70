"""C server libraries (civetweb, libmicrohttpd, libwebsockets, libevent, libuv, libvncserver,
mongoose) in ELF built against Debian's real headers: tests/fixtures/native/src/clibs.c (the
expected result of each function is written above it) and clib_clients.c (clients only)."""

from __future__ import annotations

import pytest

from portaudit.inputs.native import scan_elf
from portaudit.model import Bind

from .conftest import BIN

ALL, LOOP, UNK = Bind.ALL, Bind.LOOPBACK, Bind.UNKNOWN
# clibs.c: function -> (api, transport, bind, address, port)
EXPECTED = {
    "mhd_default": ("libmicrohttpd MHD_start_daemon", "tcp", ALL, "0.0.0.0", 8090),
    "mhd_loopback": ("libmicrohttpd MHD_start_daemon", "tcp", LOOP, "127.0.0.1", 8091),
    "civet_default": ("civetweb mg_start", "tcp", ALL, "0.0.0.0", 8080),
    "civet_loopback": ("civetweb mg_start", "tcp", LOOP, "127.0.0.1", 8092),
    "civet_start2": ("civetweb mg_start2", "tcp", ALL, "0.0.0.0", 8093),
    "lws_server": ("libwebsockets lws_create_context", "tcp", UNK, None, None),
    "event_loopback": ("libevent evconnlistener_new_bind", "tcp", LOOP, "127.0.0.1", 8095),
    "event_any": ("libevent evconnlistener_new_bind", "tcp", ALL, "0.0.0.0", 8096),
    "uv_tcp_any": ("libuv uv_tcp_bind", "tcp", ALL, "0.0.0.0", 8097),
    "uv_udp_loopback6": ("libuv uv_udp_bind", "udp", LOOP, "::1", 8098),
    "vnc_server": ("libvncserver rfbInitServer", "tcp", UNK, None, None),
    "mongoose_any": ("mongoose mg_http_listen", "tcp", ALL, "0.0.0.0", 8099),
    "mongoose_loopback": ("mongoose mg_http_listen", "tcp", LOOP, "127.0.0.1", 8100),
}


@pytest.mark.parametrize("arch", ["arm64", "x86_64"])
def test_library_calls_resolved(arch):
    listeners, _debug, notes = scan_elf(f"libclibs_{arch}.so", (BIN / f"libclibs_{arch}.so").read_bytes())
    assert notes == []
    got = {lst.location.function: (lst.api, lst.transport, lst.bind, lst.address, lst.port) for lst in listeners}
    assert got == EXPECTED


def test_defaults_name_their_source_and_the_unread_fields():
    listeners, _, _ = scan_elf("libclibs_arm64.so", (BIN / "libclibs_arm64.so").read_bytes())
    by = {lst.location.function: lst for lst in listeners}
    assert "no MHD_OPTION_SOCK_ADDR" in by["mhd_default"].reason
    assert by["mhd_default"].configurable.startswith("libmicrohttpd MHD_OPTION_SOCK_ADDR")
    assert "do not set listening_ports" in by["civet_default"].reason
    assert "listening_ports = '127.0.0.1:8092'" in by["civet_loopback"].evidence
    assert "5900" in by["vnc_server"].reason and "INADDR_ANY" in by["vnc_server"].reason
    assert "info.iface is NULL" in by["lws_server"].reason
    for lst in listeners:
        assert "\nfix: " in lst.evidence or lst.api.startswith(("libevent", "libuv")), lst.api


@pytest.mark.parametrize("arch", ["arm64", "x86_64"])
def test_clients_are_not_listeners(arch):
    """clib_clients.c: mg_connect_client, lws_client_connect_via_info, bufferevent_socket_connect,
    uv_tcp_connect (after uv_ip4_addr), rfbInitClient."""
    name = f"libclib_clients_{arch}.so"
    assert scan_elf(name, (BIN / name).read_bytes()) == ([], [], [])
