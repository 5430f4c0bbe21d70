package com.example.flow

import java.net.InetAddress
import java.net.ServerSocket

/** A Kotlin property written through its setter from another file. */
class KtServer {
    var port: Int = 0

    fun open(): ServerSocket = ServerSocket(port, 0, InetAddress.getLoopbackAddress()) // SHAPE: kotlin-property
}
