/* Expected facts: none.  Functions of the app that share a library's names, with no library header
 * included: C has no namespaces, the header is what says which library a call is. */
int MHD_start_daemon(int flags, int port) { return flags + port; }
int mg_start(void *a, void *b, const char **opts) { return 0; }
int rfbInitServer(void *screen) { return 0; }
void use(void) {
  const char *opts[] = {"listening_ports", "8080", 0};
  MHD_start_daemon(0, 8080);
  mg_start(0, 0, opts);
  rfbInitServer(0);
}
