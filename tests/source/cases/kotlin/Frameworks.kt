// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracles: Ktor embeddedServer(factory, port: Int = 80, host: String = "0.0.0.0") and
// EngineConnectorBuilder (host = "0.0.0.0", port = 80) in ktor-server-core; NanoHTTPD(int port)
// = this(null, port) and a null hostname binds new InetSocketAddress(port) (NanoHTTPD.java);
// Apache SSHD: a null host is the wildcard; Jetty: ServerConnector.setHost(null) = all interfaces.
package com.example.app

import fi.iki.elonen.NanoHTTPD
import io.ktor.server.engine.applicationEngineEnvironment
import io.ktor.server.engine.connector
import io.ktor.server.engine.embeddedServer
import io.ktor.server.engine.sslConnector
import java.net.ServerSocket
import org.apache.sshd.server.SshServer
import org.eclipse.jetty.server.Server
import org.eclipse.jetty.server.ServerConnector

fun ktorConnectors() {
    val env = applicationEngineEnvironment {
        connector { // EXPECT: all-interfaces - 8080
            port = 8080
        }
        sslConnector(keyStore, "alias", { pw }, { pw }) { // EXPECT: loopback 127.0.0.1 8443
            host = "127.0.0.1"
            port = 8443
        }
    }
    embeddedServer(Netty, env).start(wait = true)
}

fun ktorDefault() {
    embeddedServer(Netty) { }.start() // EXPECT: all-interfaces - 80
}

/** An app base class whose constructor passes its port to NanoHTTPD. */
open class MyBase(port: Int) : NanoHTTPD(port)

class AppServer : MyBase(8700) // EXPECT: all-interfaces - 8700

class OtherServer : MyBase(8701) // EXPECT: all-interfaces - 8701

fun sshdProperties() {
    val sshd = SshServer.setUpDefaultServer()
    sshd.host = "127.0.0.1"
    sshd.port = 2223 // EXPECT: loopback 127.0.0.1 2223
    val connector = ServerConnector(Server())
    connector.port = 8082 // EXPECT: all-interfaces - 8082
}

fun freePort(): Int = ServerSocket(0).use { it.localPort }

/** A class of the app that happens to be called AsyncHttpServer and to have listen(): not the library. */
class AsyncHttpServer {
    fun listen(port: Int) {}
}

class Radio {
    fun listen(channel: Int) {}
}

fun negatives(radio: Radio) {
    radio.listen(5)
    AsyncHttpServer().listen(5000)
}
