# Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
# Oracles: tornado TCPServer.listen(port, address=None) -- None / "" = all interfaces
# (tornado/netutil.py bind_sockets, AI_PASSIVE); twisted listenTCP / listenUDP(..., interface="")
# (twisted/internet/posixbase.py); both read from the packages in test_library_defaults.py.
import tornado.web
from tornado.httpserver import HTTPServer
from twisted.internet import reactor

factory = proto = widget = None  # stand-ins for a twisted factory / protocol and a tkinter widget


def handler(event):
    return event


app = tornado.web.Application([])
app.listen(8888)  # EXPECT: all-interfaces - 8888
app.listen(8889, address="127.0.0.1")  # EXPECT: loopback 127.0.0.1 8889
server = HTTPServer(app)
server.listen(8890, "0.0.0.0")  # EXPECT: all-interfaces 0.0.0.0 8890
reactor.listenTCP(8007, factory)  # EXPECT: all-interfaces - 8007
reactor.listenUDP(9999, proto, interface="127.0.0.1")  # EXPECT: loopback 127.0.0.1 9999


class Radio:
    def listen(self, channel):
        pass


# negatives: other objects' listen / bind
Radio().listen(5)
widget.bind("<Key>", handler)
