// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
import Network

func makeListener() throws -> NWListener {
    let params = NWParameters.tcp
    params.requiredInterfaceType = .loopback
    return try NWListener(using: params, on: 9100) // EXPECT: loopback - 9100
}
