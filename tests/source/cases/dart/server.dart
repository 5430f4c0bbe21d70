// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracle: dart:io docs -- the address is required; InternetAddress.anyIPv4 / anyIPv6 are the
// wildcard, loopbackIPv4 / loopbackIPv6 the loopback; a string is looked up ("localhost").
import 'dart:io';
import 'package:shelf/shelf_io.dart' as io;

const port = 8080;
final bindAddress = InternetAddress.loopbackIPv4;

Future<void> main() async {
  await HttpServer.bind(InternetAddress.anyIPv4, port); // EXPECT: all-interfaces 0.0.0.0 8080
  await HttpServer.bind(bindAddress, 8081); // EXPECT: loopback 127.0.0.1 8081
  await HttpServer.bind('localhost', 8082); // EXPECT: loopback localhost 8082
  await HttpServer.bind('0.0.0.0', 8083); // EXPECT: all-interfaces 0.0.0.0 8083
  await HttpServer.bindSecure(InternetAddress.anyIPv6, 8443, SecurityContext()); // EXPECT: all-interfaces :: 8443
  await ServerSocket.bind(InternetAddress.loopbackIPv6, 9000); // EXPECT: loopback ::1 9000
  await RawDatagramSocket.bind(InternetAddress.anyIPv4, 5353); // EXPECT: all-interfaces 0.0.0.0 5353
  await RawDatagramSocket.bind(InternetAddress.anyIPv4, 0);
  await Socket.connect('0.0.0.0', 80);
  await HttpServer.bind(InternetAddress('127.0.0.1'), 8084); // EXPECT: loopback 127.0.0.1 8084
  await RawServerSocket.bind(InternetAddress.anyIPv6, 9001); // EXPECT: all-interfaces :: 9001
  await SecureServerSocket.bind('localhost', 9002, context); // EXPECT: loopback localhost 9002
  await io.serve(handler, InternetAddress.loopbackIPv4, 8085); // EXPECT: loopback 127.0.0.1 8085
  await io.serve(handler, '0.0.0.0', 8086); // EXPECT: all-interfaces 0.0.0.0 8086
}
