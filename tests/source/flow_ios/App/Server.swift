import Network

final class Server {
    func start() throws {
        let port = Bundle.main.object(forInfoDictionaryKey: "ServerPort") as? UInt16 ?? 8000
        let params = NWParameters.tcp
        params.requiredInterfaceType = .loopback
        _ = try NWListener(using: params, on: NWEndpoint.Port(rawValue: port)!) // SHAPE: plist-port
    }
}
