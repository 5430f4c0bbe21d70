package com.example.flow;

/** Second caller of Service.start, in a third file. */
public class SyncService {
    private Service service;

    void onStart() throws Exception {
        service.start(10002);
    }
}
