"""Deep value flow in source, one real Java / Kotlin shape per test (tests/source/flow/app, a small
Android app tree): fields, constructors, getters across files, setters, settings with defaults,
Android resources, BuildConfig, wrappers of wrappers across files, per-socket peer checks.

Every expected value comes from the Java / Kotlin source of the tree (the constants written there,
the JLS rules for fields, constructors and returns), the javadoc of the API (what a null or omitted
address means) or the tree's own res/values and build.gradle -- never from portaudit's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaudit import rules

from .helpers import scan

TREE = Path(__file__).parent / "flow"
SRC = TREE / "app" / "src" / "main"


@pytest.fixture(scope="module")
def facts():
    return scan(TREE)


def at(facts, shape: str) -> list:
    """The listeners reported at the line marked ``// SHAPE: <shape>``."""
    for path in SRC.rglob("*.[jk]*"):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if line.rstrip().endswith(f"SHAPE: {shape}"):
                rel = path.relative_to(TREE).as_posix()
                return [x for x in facts.listeners if x.location.file == rel and x.location.line == i]
    raise AssertionError(f"no SHAPE: {shape} marker")


def line_of(rel: str, needle: str) -> int:
    for i, line in enumerate((TREE / rel).read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def roles(lst) -> list[tuple[str, str, int]]:
    return [(h.role, Path(h.location.file).name, h.location.line) for h in lst.flow]


def test_runtime_field_stays_unknown_with_its_write_site(facts):
    """RuntimeAddress.bindAddr is static and not final; its only write is
    InetAddress.getByName(wifiIp) with wifiIp computed from WifiInfo: unknown, never the wildcard
    (the bug of issue 12, where a field with no constant initialiser was folded to null)."""
    (x,) = at(facts, "runtime-field")
    assert x.bind.value == "unknown" and x.address is None and x.port == 9100
    assert "RuntimeAddress.java:12" in x.reason
    assert ("field-write", "RuntimeAddress.java", 12) in roles(x)


def test_null_initialised_field_with_a_setter_is_unknown(facts):
    """NullHost: ``private String host = null`` and ``setHost(h)``, whose only caller passes a
    parameter with no caller: one write is null (getByName(null) would be loopback, javadoc), the
    other is not known, so the address is unknown, naming both write sites."""
    (x,) = at(facts, "null-host-setter")
    assert x.bind.value == "unknown" and x.port == 9200
    assert "NullHost.java:8" in x.reason and "NullHost.java:11" in x.reason
    assert ("caller", "NullHostUser.java", 5) in roles(x)


def test_two_constant_writes_are_conditional(facts):
    """TwoWrites.host: initialised "127.0.0.1", set to "0.0.0.0" in shareOnNetwork()."""
    (x,) = at(facts, "two-writes")
    assert x.bind.value == "conditional" and x.alternatives == ["all-interfaces", "loopback"]
    assert x.address == "0.0.0.0|127.0.0.1" and x.port == 9300
    assert {h.location.line for h in x.flow if h.role == "field-write"} == {8, 11}


def test_final_constant_of_another_class(facts):
    """Ports.CONTROL is ``public static final int CONTROL = 9400`` in Ports.java."""
    (x,) = at(facts, "final-field")
    assert (x.bind.value, x.address, x.port) == ("loopback", None, 9400)  # getLoopbackAddress(): no literal
    assert ("field-write", "Ports.java", 4) in roles(x)


def test_constructor_set_fields_one_listener_per_constructor_call(facts):
    """CtorServer(host, port) stores both in final fields; CtorUser calls it with ("0.0.0.0", 9500)
    and ("127.0.0.1", 9501): two servers, each with its own pair (no mixed pairs)."""
    got = sorted((x.bind.value, x.address, x.port) for x in at(facts, "ctor-field"))
    assert got == [("all-interfaces", "0.0.0.0", 9500), ("loopback", "127.0.0.1", 9501)]
    for x in at(facts, "ctor-field"):
        callers = [h for h in x.flow if h.role == "caller"]
        assert len(callers) == 1 and Path(callers[0].location.file).name == "CtorUser.java"
        assert x.via == "CtorServer"


def test_getter_chain_across_two_files(facts):
    """GetterServer -> Settings.getPort() -> Defaults.port() -> Defaults.PORT = 9600."""
    (x,) = at(facts, "getter-chain")
    assert x.port == 9600
    files = [Path(h.location.file).name for h in x.flow if h.role == "return"]
    assert "Settings.java" in files and "Defaults.java" in files


def test_setter_called_from_another_file(facts):
    """SetterServer.bindHost has no initialiser; its one write is setBindHost(host), called with
    "0.0.0.0" by SetterUser: InetSocketAddress("0.0.0.0", 9700) is the wildcard."""
    (x,) = at(facts, "setter")
    assert (x.bind.value, x.address, x.port) == ("all-interfaces", "0.0.0.0", 9700)
    assert ("caller", "SetterUser.java", line_of("app/src/main/java/com/example/flow/SetterUser.java",
                                                 "setBindHost")) in roles(x)


def test_kotlin_property_written_through_its_setter(facts):
    """KtServer.port: ``var port: Int = 0`` and ``s.port = 11000`` in KtUser.kt: two values, so the
    port is not one number; both writes are in the flow."""
    (x,) = at(facts, "kotlin-property")
    assert x.port is None and "several values" in x.reason
    assert ("field-write", "KtUser.kt", 5) in roles(x)


@pytest.mark.parametrize("shape, port, source", [
    ("property-default", 9800, "System.getProperty 'flow.port'"),  # getProperty("flow.port", "9800")
    ("prefs-default", 2121, "SharedPreferences.getInt 'port'"),  # prefs.getInt("port", 2121)
    ("res-values", 8765, "R.string 'server_host'"),  # res/values/config.xml server_port = 8765
    ("build-config", 7443, "BuildConfig 'ADMIN_PORT'"),  # build.gradle buildConfigField ADMIN_PORT "7443"
    ("env-default", 9900, "environment 'FLOW_PORT'"),  # getenv().getOrDefault("FLOW_PORT", "9900")
])
def test_settings_report_their_default_and_say_so(facts, shape, port, source):
    (x,) = at(facts, shape)
    assert x.port == port
    assert x.configurable.startswith(source) and "default" in x.configurable
    assert any(h.role == "config" for h in x.flow)


def test_resource_string_gives_the_address(facts):
    """res/values/config.xml: server_host = 127.0.0.1, given to InetAddress.getByName."""
    (x,) = at(facts, "res-values")
    assert (x.bind.value, x.address) == ("loopback", "127.0.0.1")


def test_two_level_wrapper_across_files_two_callers_two_findings(facts):
    """Listener.open(port) -> new ServerSocket(port); Service.start(port) -> listener.open(port);
    MainActivity calls start(10001), SyncService start(10002).  Unrelated.start(10003) is another
    class's method: not a caller.  Each finding is at the ServerSocket call with its own flow."""
    found = at(facts, "two-level-wrapper")
    assert sorted(x.port for x in found) == [10001, 10002]
    for x in found:
        r = roles(x)
        assert r[0] == ("api", "Listener.java", 8)
        assert ("wrapper", "Service.java", 8) in r
        assert r[-1][0] == "caller" and r[-1][1] == {10001: "MainActivity.java", 10002: "SyncService.java"}[x.port]
        assert x.via == "open"


def test_guards_count_only_on_accepted_sockets(facts):
    """GuardedServer: the socket accepted from the server goes to handle(s), which calls
    s.getInetAddress(): a peer check.  LoggingServer: getInetAddress() is called on another socket
    (upstream) in an unrelated method: no peer check, so the loopback rule reports it."""
    (guarded,) = at(facts, "guarded")
    (unguarded,) = at(facts, "unrelated-guard")
    assert guarded.guards == ["getInetAddress"]
    assert unguarded.guards == []
    flagged = {(f.location.file, f.location.line) for f in rules.evaluate(facts)
               if f.rule == "listener-loopback-unchecked"}
    assert (unguarded.location.file, unguarded.location.line) in flagged
    assert (guarded.location.file, guarded.location.line) not in flagged


def test_flow_serialises_in_the_json_contract(facts):
    (x,) = at(facts, "setter")
    d = x.to_dict()
    assert d["flow"][0]["role"] == "api" and d["flow"][0]["location"]["line"] == x.location.line
    assert all(h["location"]["file"] and h["location"]["line"] for h in d["flow"])


def test_info_plist_key_gives_the_port_and_says_it_is_a_setting():
    """flow_ios/App/Info.plist has ServerPort = 8123; Server.swift reads it with
    Bundle.main.object(forInfoDictionaryKey:) (falling back to 8000 only when the key is missing) and
    Uploader.m with objectForInfoDictionaryKey:."""
    facts = scan(Path(__file__).parent / "flow_ios")
    got = {x.location.file: x for x in facts.listeners}
    assert set(got) == {"App/Server.swift", "App/Uploader.m"}
    for x in got.values():
        assert x.port == 8123 and x.configurable.startswith("Info.plist 'ServerPort'")
        assert any(h.role == "config" and "App/Info.plist" in (h.note or "") for h in x.flow)
    assert got["App/Server.swift"].bind.value == "loopback"  # requiredInterfaceType = .loopback


@pytest.mark.parametrize("rel, line, want", [
    # py/net.py serve(host, port) -> s.bind((host, port)); main.py: from net import serve;
    # serve("0.0.0.0", 8000); other.py: import net; net.serve("127.0.0.1", 8001)
    ("py/net.py", 5, {("all-interfaces", "0.0.0.0", 8000, "py/main.py"),
                      ("loopback", "127.0.0.1", 8001, "py/other.py")}),
    # js/lib/server.js start(port, host) -> listen(port, host); app.js and admin.js require it
    ("js/lib/server.js", 3, {("all-interfaces", "0.0.0.0", 3000, "js/app.js"),
                             ("loopback", "localhost", 3001, "js/admin.js")}),
])
def test_wrappers_across_modules_resolve_through_imports(rel, line, want):
    facts = scan(Path(__file__).parent / "flow_scripts")
    got = {(x.bind.value, x.address, x.port, next(h.location.file for h in x.flow if h.role == "caller"))
           for x in facts.listeners if x.location.file == rel and x.location.line == line}
    assert got == want
