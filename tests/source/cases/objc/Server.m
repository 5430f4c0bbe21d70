// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
#import <Foundation/Foundation.h>
#import "GCDWebServer.h"
#import "HTTPServer.h"
#include <netinet/in.h>
#include <sys/socket.h>

@implementation Servers

- (void)gcd {
    GCDWebServer *webServer = [[GCDWebServer alloc] init];
    [webServer startWithPort:8080 bonjourName:nil]; // EXPECT: all-interfaces - 8080
    NSDictionary *options = @{GCDWebServerOption_Port: @8081, GCDWebServerOption_BindToLocalhost: @YES};
    [webServer startWithOptions:options error:nil]; // EXPECT: loopback 127.0.0.1 8081
}

- (void)cocoa {
    HTTPServer *httpServer = [[HTTPServer alloc] init];
    [httpServer setPort:12345];
    [httpServer setInterface:@"127.0.0.1"];
    [httpServer start:nil]; // EXPECT: loopback 127.0.0.1 12345
}

- (void)cocoaAll {
    HTTPServer *httpServer = [[HTTPServer alloc] init];
    [httpServer setPort:12346];
    [httpServer start:nil]; // EXPECT: all-interfaces - 12346
}

- (void)bsd {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(7000);
    sa.sin6_addr = in6addr_loopback;
    bind(fd, (struct sockaddr *)&sa, sizeof(sa)); // EXPECT: loopback ::1 7000
}

- (void)inspect:(WKWebView *)webView {
#if DEBUG
    webView.inspectable = YES; // EXPECT-DEBUG: gated
#endif
}

@end
