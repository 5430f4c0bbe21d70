// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracles: Node.js docs (server.listen: no host = the unspecified address; listen({path}) = an IPC
// socket; dgram socket.bind: "If address is not specified, the operating system will attempt to
// listen on all addresses"); hapi lib/core.js (address || host || null); cordova-plugin-httpd README
// (localhost_only); react-native-http-bridge: Server.java super(port) = NanoHTTPD(int), all interfaces.
const http2 = require('http2');
const tls = require('tls');
const net = require('net');
const dgram = require('dgram');
const Hapi = require('@hapi/hapi');
import httpBridge from 'react-native-http-bridge';

http2.createSecureServer({}).listen(8443, '127.0.0.1'); // EXPECT: loopback 127.0.0.1 8443
tls.createServer({}).listen({ port: 8444 }); // EXPECT: all-interfaces - 8444
net.createServer().listen({ path: '/tmp/n.sock' }); // EXPECT: unix /tmp/n.sock -
const sock = dgram.createSocket('udp4');
sock.bind(41234); // EXPECT: all-interfaces - 41234
sock.bind({ port: 41235, address: 'localhost' }); // EXPECT: loopback localhost 41235
const sender = dgram.createSocket('udp4');
sender.bind();
const api = Hapi.server({ port: 3000, host: '0.0.0.0' }); // EXPECT: all-interfaces 0.0.0.0 3000
cordova.plugins.CorHttpd.startServer({ www_root: 'www', port: 8080, localhost_only: true }, ok, fail); // EXPECT: loopback 127.0.0.1 8080
httpBridge.start(5561, 'http_service', (request) => {}); // EXPECT: all-interfaces - 5561

function start(app) {
  app.listen(3002); // EXPECT: unknown - 3002
}

// negatives
const bound = handler.bind(this);
emitter.listen('change');
