from portaudit import catalog


def test_descriptors_round_trip():
    for name in ("int", "java.lang.String", "byte[]", "java.net.InetAddress[][]"):
        assert catalog.descriptor_to_java(catalog.java_to_descriptor(name)) == name
    assert catalog.java_to_descriptor("java.net.SocketAddress") == "Ljava/net/SocketAddress;"


def test_listener_entries_say_where_the_address_is():
    listeners = catalog.android_section("listener")
    assert len(listeners) >= 30
    for spec in listeners:
        assert spec.transport in {"tcp", "udp", "unix"}, spec.id
        has_addr = any(x is not None for x in (spec.address, spec.host, spec.sockaddr, spec.name))
        assert has_addr or spec.default in {"all-interfaces", "loopback"}, spec.id
    ids = [s.id for s in catalog.android_apis()]
    assert len(ids) == len(set(ids))


def test_sdk_prefix_matches_obfuscated_names():
    sdk, prefix = catalog.sdk_for_class("com.facebook.ads.internal.i.b.f")
    assert sdk.name == "Facebook Audience Network" and prefix == "com.facebook.ads"
    assert catalog.sdk_for_class("com.example.app.Main") is None
    assert catalog.well_known_ports()[27042] == "Frida"
