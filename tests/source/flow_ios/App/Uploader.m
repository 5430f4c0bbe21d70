#import "GCDWebServer.h"

@implementation Uploader

- (void)start {
    GCDWebServer *webServer = [[GCDWebServer alloc] init];
    NSNumber *port = [[NSBundle mainBundle] objectForInfoDictionaryKey:@"ServerPort"];
    [webServer startWithPort:[port unsignedIntegerValue] bonjourName:nil]; // SHAPE: plist-port-objc
}

@end
