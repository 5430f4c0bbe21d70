/* Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
 * Compiled against the real headers of the Debian -dev packages by test_c_libraries.py.
 * Oracles (the headers): microhttpd.h MHD_OPTION_SOCK_ADDR "Bind daemon to the supplied sockaddr",
 * the port is "ignored if MHD_OPTION_SOCK_ADDR ... is provided"; civetweb.h listening_ports
 * "80,443s"; lws-context-vhost.h iface "NULL to bind the listen socket to all interfaces" and
 * port 0 "the kernel will pick a random port"; rfb.h listenInterface (in_addr_t); event2/listener.h
 * evconnlistener_new_bind(..., addr, socklen) "The address to listen for connections on"; uv.h
 * uv_ip4_addr(ip, port, addr) + uv_tcp_bind / uv_udp_bind.  (mongoose is not packaged: mongoose/.) */
#include <arpa/inet.h>
#include <civetweb.h>
#include <event2/listener.h>
#include <libwebsockets.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <rfb/rfb.h>
#include <string.h>
#include <uv.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **ptr) {
  return MHD_NO;
}

void mhd(void) {
  MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 8080, NULL, NULL, &answer, NULL, MHD_OPTION_END); /* EXPECT: all-interfaces - 8080 */
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(8081);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 8081, NULL, NULL, &answer, NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END); /* EXPECT: loopback 127.0.0.1 8081 */
}

void civet(void) {
  const char *options[] = {"document_root", ".", "listening_ports", "127.0.0.1:8082", NULL};
  mg_start(NULL, NULL, options); /* EXPECT: loopback 127.0.0.1 8082 */
  const char *all[] = {"listening_ports", "8083", NULL};
  mg_start(NULL, NULL, all); /* EXPECT: all-interfaces - 8083 */
}

void lws(void) {
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof(info));
  info.port = 7681;
  lws_create_context(&info); /* EXPECT: all-interfaces - 7681 */
  struct lws_context_creation_info local;
  memset(&local, 0, sizeof(local));
  local.port = 7682;
  local.iface = "127.0.0.1";
  lws_create_context(&local); /* EXPECT: loopback 127.0.0.1 7682 */
  struct lws_context_creation_info client;
  memset(&client, 0, sizeof(client));
  client.port = CONTEXT_PORT_NO_LISTEN;
  lws_create_context(&client);
}

void vnc(int argc, char **argv) {
  rfbScreenInfoPtr screen = rfbGetScreen(&argc, argv, 640, 480, 8, 3, 4);
  screen->port = 5901;
  rfbInitServer(screen); /* EXPECT: all-interfaces - 5901 */
  rfbScreenInfoPtr local = rfbGetScreen(&argc, argv, 640, 480, 8, 3, 4);
  local->listenInterface = htonl(INADDR_LOOPBACK);
  rfbInitServer(local); /* EXPECT: loopback 127.0.0.1 5900 */
}

void libevent(struct event_base *base, evconnlistener_cb cb) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(9995);
  evconnlistener_new_bind(base, cb, NULL, LEV_OPT_REUSEABLE, -1, (struct sockaddr *)&sin, sizeof(sin)); /* EXPECT: all-interfaces 0.0.0.0 9995 */
}

void libuv(uv_loop_t *loop) {
  uv_tcp_t server;
  struct sockaddr_in addr;
  uv_tcp_init(loop, &server);
  uv_ip4_addr("0.0.0.0", 7000, &addr);
  uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0); /* EXPECT: all-interfaces 0.0.0.0 7000 */
  uv_udp_t udp;
  struct sockaddr_in local;
  uv_udp_init(loop, &udp);
  uv_ip4_addr("127.0.0.1", 7001, &local);
  uv_udp_bind(&udp, (const struct sockaddr *)&local, 0); /* EXPECT: loopback 127.0.0.1 7001 */
}

