"""What tests/fixtures/native/src/server.c does, function by function (the ground truth)."""

from portaudit.model import Bind

# function -> (api, transport, bind, address, port)
SERVER = {
    "listen_any_tcp": ("libc bind", "tcp", Bind.ALL, "0.0.0.0", 8080),
    "listen_loopback_tcp": ("libc bind", "tcp", Bind.LOOPBACK, "127.0.0.1", 8081),
    "listen_specific_udp": ("libc bind", "udp", Bind.SPECIFIC, "192.168.1.10", 5353),
    # resolved one level up: start_default_server() calls it with INADDR_LOOPBACK and 7070
    "listen_param_addr": ("libc bind", "tcp", Bind.LOOPBACK, "127.0.0.1", 7070),
    "listen_param_nocaller": ("libc bind", "tcp", Bind.UNKNOWN, None, None),
    "listen_param_ptr": ("libc bind", "tcp", Bind.UNKNOWN, None, None),
    "listen_unix_path": ("libc bind", "unix", Bind.UNIX, "/data/local/tmp/pa.sock", None),
    "listen_unix_abstract": ("libc bind", "unix", Bind.UNIX, "@pa_abstract", None),
    "listen_any6_tcp": ("libc bind", "tcp", Bind.ALL, "::", 9090),
    "listen_ephemeral": ("libc listen", "tcp", Bind.ALL, "0.0.0.0", 0),
}
# why the unknown ones are unknown (a substring of Listener.reason)
REASONS = {
    "listen_param_nocaller": "parameter 1 of listen_param_nocaller",
    "listen_param_ptr": "sockaddr pointer comes from parameter 1",
}
SERVER_BINARIES = [
    "libserver_arm64_O0.so", "libserver_arm64_O2.so", "libserver_arm64_O2_stripped.so",
    "libserver_armv7_O0.so", "libserver_armv7_O2.so", "libserver_armv7arm_O2.so",
    "libserver_x86_O0.so", "libserver_x86_O2.so", "libserver_x86_64_O0.so", "libserver_x86_64_O2.so",
    "libserver_gcc_arm64_O0.so", "libserver_gcc_arm64_O2.so", "libserver_gcc_armhf_O0.so",
    "libserver_gcc_armhf_O2.so",
]

# listeners resolved through a caller: function -> the caller named in Listener.via
VIA = {"listen_param_addr": "start_default_server"}
