"""Parsers of Android command output, on the formats the platform documents / prints."""

from __future__ import annotations

from portaudit.runtime import device as dev


def test_pm_list_packages_with_shared_uids():
    text = ("package:com.android.providers.telephony uid:1001\n"
            "package:com.example.a uid:10123\n"
            "package:com.example.b uid:10123\n"
            "package:com.android.systemui uid:10101,1000\n"
            "junk line\n")
    m = dev.parse_pm_packages(text)
    assert m[10123] == ["com.example.a", "com.example.b"]
    assert m[1000] == ["com.android.systemui"] and m[10101] == ["com.android.systemui"]
    assert dev.packages_for_uid(10123, m) == "com.example.a,com.example.b"
    assert dev.packages_for_uid(1010123, m) == "com.example.a,com.example.b"  # secondary user 10
    assert dev.packages_for_uid(99999, m) is None


def test_packages_list_file():
    m = dev.parse_packages_list("com.example.a 10123 0 /data/user/0/com.example.a default:targetSdkVersion=33 3003\n")
    assert m == {10123: ["com.example.a"]}


def test_toybox_and_old_toolbox_ps():
    toybox = "  PID   UID NAME\n    1     0 init\n 4321 10123 com.example.a:remote\n"
    procs = dev.parse_ps(toybox)
    assert [(p.pid, p.uid, p.name) for p in procs] == [(1, 0, "init"), (4321, 10123, "com.example.a:remote")]
    old = ("USER     PID   PPID  VSIZE  RSS     WCHAN    PC         NAME\n"
           "root      1     0     8904   788   ffffffff 00000000 S /init\n"
           "u0_a123   4321  190   1500000 60000 ffffffff 00000000 S com.example.a\n")
    procs = dev.parse_ps(old)
    assert (procs[1].pid, procs[1].uid, procs[1].name) == (4321, 10123, "com.example.a")


def test_android_user_names():
    assert dev.android_user_to_uid("u0_a123") == 10123
    assert dev.android_user_to_uid("u10_a5") == 1010005
    assert dev.android_user_to_uid("system") == 1000 and dev.android_user_to_uid("shell") == 2000


def test_debug_socket_names():
    assert dev.debug_kind("@webview_devtools_remote_4321")[0] == "webview-devtools"
    assert dev.debug_kind("@stetho_com.example.a_devtools_remote")[0] == "stetho-devtools"
    assert dev.debug_kind("@chrome_devtools_remote")[0] == "chrome-devtools"
    assert dev.debug_kind("@jdwp-control")[0] == "jdwp-control"
    assert dev.debug_kind("@portdemo_bridge")[0] is None


def test_server_address_from_environment(monkeypatch):
    monkeypatch.setenv("ADB_SERVER_SOCKET", "tcp:10.0.2.2:5038")
    assert dev.server_address() == ("10.0.2.2", 5038)
    monkeypatch.setenv("ADB_SERVER_SOCKET", "tcp:5039")
    assert dev.server_address() == ("127.0.0.1", 5039)
    monkeypatch.delenv("ADB_SERVER_SOCKET")
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "5040")
    assert dev.server_address() == ("127.0.0.1", 5040)
    assert dev.server_address("h", 1) == ("h", 1)
