// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
package com.example.app

import android.net.LocalServerSocket
import android.webkit.WebView
import fi.iki.elonen.NanoHTTPD
import io.ktor.server.engine.embeddedServer
import java.net.InetAddress
import java.net.ServerSocket
import org.apache.ftpserver.listener.ListenerFactory
import org.apache.sshd.server.SshServer

const val PORT = 8080

class Web : NanoHTTPD(8090) // EXPECT: all-interfaces - 8090

class LocalWeb : NanoHTTPD("localhost", 8091) // EXPECT: loopback localhost 8091

fun start(debug: Boolean) {
    ServerSocket(PORT) // EXPECT: all-interfaces - 8080
    ServerSocket(8081, 50, InetAddress.getLoopbackAddress()) // EXPECT: loopback - 8081
    embeddedServer(Netty, port = 8082) {} // EXPECT: all-interfaces - 8082
    embeddedServer(Netty, port = 8083, host = "127.0.0.1") {} // EXPECT: loopback 127.0.0.1 8083
    val host = if (debug) "0.0.0.0" else "127.0.0.1"
    embeddedServer(Netty, port = 8084, host = host) {} // EXPECT: conditional 0.0.0.0|127.0.0.1 8084
    LocalServerSocket("kt.sock") // EXPECT: unix @kt.sock -
    val factory = ListenerFactory()
    factory.setPort(2221) // EXPECT: all-interfaces - 2221
    val sshd = SshServer.setUpDefaultServer()
    sshd.setPort(2222) // EXPECT: loopback 127.0.0.1 2222
    sshd.setHost("127.0.0.1")
    if (BuildConfig.DEBUG) {
        WebView.setWebContentsDebuggingEnabled(true) // EXPECT-DEBUG: gated
    }
    WebView.setWebContentsDebuggingEnabled(BuildConfig.DEBUG) // EXPECT-DEBUG: gated
    val s = java.net.Socket("example.org", 80)
}
