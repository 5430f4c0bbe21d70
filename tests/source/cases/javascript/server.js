// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
const http = require('http');
const net = require('net');
const express = require('express');
const TcpSocket = require('react-native-tcp-socket');
const StaticServer = require('react-native-static-server');

const HOST = '127.0.0.1';
const server = http.createServer((req, res) => res.end('ok'));
server.listen(8080); // EXPECT: all-interfaces - 8080
server.listen(8081, HOST); // EXPECT: loopback 127.0.0.1 8081
server.listen(8082, '0.0.0.0', () => {}); // EXPECT: all-interfaces 0.0.0.0 8082
net.createServer().listen(9000, 'localhost'); // EXPECT: loopback localhost 9000
net.createServer().listen({ port: 9001, host: '::' }); // EXPECT: all-interfaces :: 9001
net.createServer().listen('/tmp/js.sock'); // EXPECT: unix /tmp/js.sock -
const app = express();
app.listen(3000, () => console.log('up')); // EXPECT: all-interfaces - 3000
app.listen(process.env.PORT || 3001); // EXPECT: all-interfaces - 3001
const tcp = TcpSocket.createServer((socket) => {});
tcp.listen({ port: 12345, host: '0.0.0.0' }); // EXPECT: all-interfaces 0.0.0.0 12345
tcp.listen({ port: 12346, host: '127.0.0.1' }); // EXPECT: loopback 127.0.0.1 12346
const host = process.env.DEBUG ? '0.0.0.0' : '127.0.0.1';
server.listen(8083, host); // EXPECT: conditional 0.0.0.0|127.0.0.1 8083
new StaticServer(8084, 'www', { localOnly: true }); // EXPECT: loopback 127.0.0.1 8084
new StaticServer(8085, 'www'); // EXPECT: all-interfaces - 8085
// negatives
const client = net.connect(80, '0.0.0.0');
emitter.listen('event');
const socket = new WebSocket('ws://0.0.0.0:80');
