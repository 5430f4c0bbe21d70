/* The oracle for the C server libraries' defaults: start one server the way its documentation's
 * minimal example does, giving no address (and, for civetweb and libvncserver, no port), then print
 * the kernel's listening sockets (/proc/net/tcp and tcp6) and exit.  Built and run by
 * tests/native/test_clib_oracle.py in a fresh network namespace, against Debian's real libraries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include <civetweb.h>
#include <libwebsockets.h>
#include <rfb/rfb.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **state) {
    return MHD_NO;
}

static void dump(const char *path) {
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    fclose(f);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    int started = 0;
    if (!strcmp(mode, "mhd")) {  /* port 8090, no MHD_OPTION_SOCK_ADDR */
        started = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 8090, NULL, NULL, answer, NULL,
                                   MHD_OPTION_END) != NULL;
    } else if (!strcmp(mode, "civetweb")) {  /* no listening_ports */
        static const char *opts[] = {"document_root", ".", NULL};
        mg_init_library(0);
        started = mg_start(NULL, NULL, opts) != NULL;
    } else if (!strcmp(mode, "lws")) {  /* info.port 8094, info.iface NULL */
        struct lws_context_creation_info info;
        memset(&info, 0, sizeof info);
        info.port = 8094;
        lws_set_log_level(0, NULL);
        started = lws_create_context(&info) != NULL;
    } else if (!strcmp(mode, "vnc")) {  /* rfbGetScreen's port and listenInterface */
        int one = 1;
        char *args[] = {"oracle", NULL};
        rfbLogEnable(0);
        rfbScreenInfoPtr screen = rfbGetScreen(&one, args, 64, 48, 8, 3, 4);
        screen->frameBuffer = calloc(64 * 48, 4);
        rfbInitServer(screen);
        started = 1;
    }
    if (!started) {
        fprintf(stderr, "could not start %s\n", mode);
        return 2;
    }
    dump("/proc/net/tcp");
    dump("/proc/net/tcp6");
    return 0;
}
