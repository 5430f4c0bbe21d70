package com.example.flow;

public class SetterUser {
    void run() throws Exception {
        SetterServer s = new SetterServer();
        s.setBindHost("0.0.0.0");
        s.open();
    }
}
