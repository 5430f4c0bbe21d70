package com.example.flow;

public class NullHostUser {
    void use(NullHost server, String fromUser) throws Exception {
        server.setHost(fromUser);
        server.start();
    }
}
