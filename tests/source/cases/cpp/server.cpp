// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
#include <netinet/in.h>
#include <sys/socket.h>

class Server {
 public:
  int Start(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)); // EXPECT: loopback 127.0.0.1 -
  }
  int StartAny() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(7777);
    return ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)); // EXPECT: all-interfaces 0.0.0.0 7777
  }
};
