/* Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet. */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int any4(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(8080);
    return bind(fd, (struct sockaddr *)&addr, sizeof(addr)); /* EXPECT: all-interfaces 0.0.0.0 8080 */
}

int loop4(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(8081);
    return bind(fd, (struct sockaddr *)&addr, sizeof(addr)); /* EXPECT: loopback 127.0.0.1 8081 */
}

int zeroed(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(5353);
    return bind(fd, (struct sockaddr *)&sa, sizeof(sa)); /* EXPECT: all-interfaces 0.0.0.0 5353 */
}

int pton(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    sa.sin_family = AF_INET;
    sa.sin_port = htons(9000);
    inet_pton(AF_INET, "192.168.1.10", &sa.sin_addr);
    return bind(fd, (struct sockaddr *)&sa, sizeof(sa)); /* EXPECT: specific 192.168.1.10 9000 */
}

int addr_str(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    sa.sin_family = AF_INET;
    sa.sin_port = htons(9001);
    sa.sin_addr.s_addr = inet_addr("127.0.0.1");
    return bind(fd, (struct sockaddr *)&sa, sizeof(sa)); /* EXPECT: loopback 127.0.0.1 9001 */
}

int any6(void) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa6;
    memset(&sa6, 0, sizeof(sa6));
    sa6.sin6_family = AF_INET6;
    sa6.sin6_addr = in6addr_any;
    sa6.sin6_port = htons(9002);
    return bind(fd, (struct sockaddr *)&sa6, sizeof(sa6)); /* EXPECT: all-interfaces :: 9002 */
}

int unix_path(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    strncpy(un.sun_path, "/data/local/tmp/app.sock", sizeof(un.sun_path) - 1);
    return bind(fd, (struct sockaddr *)&un, sizeof(un)); /* EXPECT: unix /data/local/tmp/app.sock - */
}

int unix_abstract(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un;
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    un.sun_path[0] = 0;
    strcpy(un.sun_path + 1, "my_abstract");
    return bind(fd, (struct sockaddr *)&un, sizeof(un)); /* EXPECT: unix @my_abstract - */
}

/* quiet: client bind before connect */
int client(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in local;
    memset(&local, 0, sizeof(local));
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    bind(fd, (struct sockaddr *)&local, sizeof(local));
    struct sockaddr_in remote;
    return connect(fd, (struct sockaddr *)&remote, sizeof(remote));
}

/* quiet: netlink */
int nl(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl snl;
    memset(&snl, 0, sizeof(snl));
    snl.nl_family = AF_NETLINK;
    return bind(fd, (struct sockaddr *)&snl, sizeof(snl));
}

/* quiet: INADDR_ANY passed to something other than bind */
unsigned int f(void) { return ntohl(INADDR_ANY) + 1; }
