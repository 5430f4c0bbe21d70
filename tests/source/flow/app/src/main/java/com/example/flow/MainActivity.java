package com.example.flow;

/** First caller of Service.start. */
public class MainActivity {
    void onCreate() throws Exception {
        Service service = new Service();
        service.start(10001);
    }
}
