package com.example.flow

fun startKt() {
    val s = KtServer()
    s.port = 11000
    s.open()
}
