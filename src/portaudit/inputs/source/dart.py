"""Dart: ``dart:io`` ``HttpServer.bind`` / ``bindSecure``, ``ServerSocket`` / ``SecureServerSocket`` /
``RawServerSocket`` / ``RawDatagramSocket.bind``, shelf ``io.serve``.  The classes are matched by the
library the file imports (``dart:io``, ``package:shelf/shelf_io.dart``); the handlers are the shared
ones (:mod:`.common`), with the address and port at the documented positions."""

from __future__ import annotations

from .family import Family, register


class DartFamily(Family):
    name = "dart"
    langs = ("dart",)


register(DartFamily())
