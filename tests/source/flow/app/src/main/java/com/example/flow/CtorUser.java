package com.example.flow;

public class CtorUser {
    void run() throws Exception {
        new CtorServer("0.0.0.0", 9500).open();
        new CtorServer("127.0.0.1", 9501).open();
    }
}
