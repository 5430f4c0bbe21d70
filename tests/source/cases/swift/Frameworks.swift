// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracles: Apple NWParameters.requiredLocalEndpoint (the listener binds that endpoint); Criollo
// CRServer.h startListening:portNumber:interface: (nil interface = all); Embassy
// DefaultHTTPServer(eventLoop:interface:port:) binds the interface it is given.
import Criollo
import Embassy
import Network

func endpoint() throws {
    let params = NWParameters.tcp
    params.requiredLocalEndpoint = NWEndpoint.hostPort(host: "127.0.0.1", port: 9400)
    let listener = try NWListener(using: params, on: 9400) // EXPECT: loopback 127.0.0.1 9400
}

func criollo() {
    let server = CRHTTPServer()
    server.startListening(nil, portNumber: 10781) // EXPECT: all-interfaces - 10781
}

func embassy(loop: EventLoop) {
    let server = DefaultHTTPServer(eventLoop: loop, interface: "::", port: 8080) { _, _, _ in } // EXPECT: all-interfaces :: 8080
}
