// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
import Network

func makeListener() throws -> NWListener {
    let params = NWParameters.tcp
    params.acceptLocalOnly = true
    return try NWListener(using: params, on: 9200) // EXPECT: all-interfaces - 9200 guard
}
