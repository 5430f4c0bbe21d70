"""The C server-library cases are real code for the real headers: they compile against the Debian
-dev packages (scripts/apt-packages.txt), and the defaults portaudit applies are the ones the headers
document."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases" / "c"
HEADERS = {
    "microhttpd.h": "MHD_OPTION_SOCK_ADDR",
    "civetweb.h": "listening_ports",
    "libwebsockets/lws-context-vhost.h": "NULL to bind the listen socket to all interfaces",
    "rfb/rfb.h": "listenInterface",
    "event2/listener.h": "The address to listen for connections on",
    "uv.h": "uv_tcp_bind",
}


@pytest.mark.parametrize("name", ["libraries.c", "mongoose/app.c", "not_a_library.c"])
def test_cases_compile_against_the_real_headers(name):
    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc, "a C compiler is a listed toolchain (scripts/apt-packages.txt)"
    out = subprocess.run([cc, "-fsyntax-only", "-Wall", "-Werror=implicit-function-declaration",
                          str(CASES / name)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("header, text", sorted(HEADERS.items()))
def test_the_headers_document_what_the_catalogue_relies_on(header, text):
    path = Path("/usr/include") / header
    assert text in path.read_text(errors="replace"), header


def test_lws_port_zero_listens_on_a_random_port():
    """lws-context-vhost.h: "You can also set port to 0, in which case the kernel will pick a random
    port": a zeroed creation info listens (port 0), CONTEXT_PORT_NO_LISTEN does not."""
    doc = (Path("/usr/include") / "libwebsockets/lws-context-vhost.h").read_text(errors="replace")
    assert "set port to 0, in which case the kernel will pick" in doc
