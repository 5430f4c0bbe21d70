// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracle: GCDAsyncSocket.h acceptOnInterface:port:error: -- a nil interface accepts on any address,
// @"localhost" / @"loopback" only on loopback; acceptOnPort: is acceptOnInterface:nil.
// GCDAsyncUdpSocket.h bindToPort:error: binds to all interfaces.
#import "GCDAsyncSocket.h"
#import "GCDAsyncUdpSocket.h"

@implementation Servers

- (void)tcp {
    GCDAsyncSocket *listenSocket = [[GCDAsyncSocket alloc] initWithDelegate:self delegateQueue:dispatch_get_main_queue()];
    [listenSocket acceptOnPort:9300 error:nil]; // EXPECT: all-interfaces - 9300
    [listenSocket acceptOnInterface:@"localhost" port:9301 error:nil]; // EXPECT: loopback localhost 9301
}

- (void)udp {
    GCDAsyncUdpSocket *udpSocket = [[GCDAsyncUdpSocket alloc] initWithDelegate:self delegateQueue:dispatch_get_main_queue()];
    [udpSocket bindToPort:5353 error:nil]; // EXPECT: all-interfaces - 5353
}

@end
