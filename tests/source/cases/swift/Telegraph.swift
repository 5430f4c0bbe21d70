// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
import Telegraph

func serve() throws {
    let server = Server()
    try server.start(port: 9000) // EXPECT: all-interfaces - 9000
    try server.start(port: 9001, interface: "localhost") // EXPECT: loopback localhost 9001
}
