/* Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
 * Oracle: mongoose documentation, mg_http_listen(mgr, url, ...): "url - URL to listen on, e.g.
 * http://0.0.0.0:8000"; the host of the URL is the address bound. */
#include <stddef.h>
#include "mongoose.h"

void serve(struct mg_mgr *mgr) {
  mg_http_listen(mgr, "http://0.0.0.0:8000", NULL, NULL); /* EXPECT: all-interfaces 0.0.0.0 8000 */
  mg_http_listen(mgr, "http://localhost:8001", NULL, NULL); /* EXPECT: loopback localhost 8001 */
}
