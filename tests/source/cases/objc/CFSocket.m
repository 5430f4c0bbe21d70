// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
#import <CoreFoundation/CoreFoundation.h>
#include <netinet/in.h>

void start(CFSocketRef sock) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_len = sizeof(sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(4567);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    CFDataRef data = CFDataCreate(NULL, (UInt8 *)&sin, sizeof(sin));
    CFSocketSetAddress(sock, data); // EXPECT: all-interfaces 0.0.0.0 4567
}
