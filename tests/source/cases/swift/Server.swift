// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
import Foundation
import GCDWebServer
import Network
import Swifter
import WebKit

final class Servers {
    func bsd() {
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(8080).bigEndian
        addr.sin_addr.s_addr = INADDR_ANY
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) // EXPECT: all-interfaces 0.0.0.0 8080
            }
        }
    }

    func nw() throws {
        let listener = try NWListener(using: .tcp, on: 9000) // EXPECT: all-interfaces - 9000
        listener.start(queue: .main)
    }

    func gcd() {
        let webServer = GCDWebServer()
        webServer.start(withPort: 8081, bonjourName: nil) // EXPECT: all-interfaces - 8081
        try? webServer.start(options: [GCDWebServerOption_Port: 8082, GCDWebServerOption_BindToLocalhost: true]) // EXPECT: loopback 127.0.0.1 8082
    }

    func swifter() throws {
        let server = HttpServer()
        try server.start(8083, forceIPv4: true) // EXPECT: all-interfaces - 8083
    }

    func inspect(webView: WKWebView) {
        webView.isInspectable = true // EXPECT-DEBUG: enabled
    }
}
