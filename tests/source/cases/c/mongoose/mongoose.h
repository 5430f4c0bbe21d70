/* The part of mongoose.h this test uses, written from the mongoose documentation (mongoose is not in
 * Debian, the only registry of C code this project uses): mg_http_listen(mgr, url, fn, fn_data). */
#ifndef MONGOOSE_H
#define MONGOOSE_H
struct mg_mgr;
struct mg_connection;
typedef void (*mg_event_handler_t)(struct mg_connection *, int ev, void *ev_data);
struct mg_connection *mg_http_listen(struct mg_mgr *mgr, const char *url, mg_event_handler_t fn, void *fn_data);
#endif
