# Equivalent cases for CodeQL py/bind-socket-all-network-interfaces, written for portaudit from the
# rule's documentation (not a copy of CodeQL's test file, which is not in any registry used here).
import socket

ANY_HOST = "0.0.0.0"

first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.bind(("0.0.0.0", 40001))  # REF: alert  EXPECT: all-interfaces 0.0.0.0 40001

second = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
second.bind(("", 40002))  # REF: alert  EXPECT: all-interfaces - 40002

third = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
third.bind(("10.20.30.40", 40003))  # EXPECT: specific 10.20.30.40 40003

fourth = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
fourth.bind((ANY_HOST, 40004))  # REF: alert  EXPECT: all-interfaces 0.0.0.0 40004

pair = (ANY_HOST, 40005)
fifth = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
fifth.bind(pair)  # REF: alert  EXPECT: all-interfaces 0.0.0.0 40005

six = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
six.bind(("::", 40006))  # REF: alert  EXPECT: all-interfaces :: 40006


class Listener:
    def __init__(self):
        self.conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def open(self):
        self.conn.bind(("0.0.0.0", 40007))  # REF: alert  EXPECT: all-interfaces 0.0.0.0 40007
