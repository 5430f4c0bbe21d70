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
        set_later = spec.handler == "setters"
        assert has_addr or set_later or spec.default in {"all-interfaces", "loopback"}, spec.id
    ids = [s.id for s in catalog.android_apis()]
    assert len(ids) == len(set(ids))


def test_sdk_prefix_matches_obfuscated_names():
    sdk, prefix = catalog.sdk_for_class("com.facebook.ads.internal.i.b.f")
    assert sdk.name == "Facebook Audience Network" and prefix == "com.facebook.ads"
    assert catalog.sdk_for_class("com.example.app.Main") is None
    assert catalog.well_known_ports()[27042] == "Frida"


def _entry(**kw):
    base = {"id": "x", "class": "a.B", "method": "m", "params": ["int"], "transport": "tcp", "port": 1,
            "default": "all-interfaces"}
    base.update(kw)
    return {"listener": [base]}


def test_catalogue_schema_rejects_typos():
    """An unknown key, handler, value or section is an error at load, not an ignored extra."""
    import pytest

    ok = catalog.load_android_apis(_entry())
    assert ok[0].port == 1
    for bad, what in [
        (_entry(prot=1), "unknown key"),
        (_entry(handler="setter"), "unknown handler"),
        (_entry(default="everywhere"), "is not one of"),
        (_entry(null="wildcard"), "is not one of"),
        (_entry(port="1"), "argument index"),
        (_entry(transport="sctp"), "transport"),
        (_entry(handler="setters"), "needs a 'setters' table"),
        (_entry(setters={"host": "setHost"}), "needs handler"),
        (_entry(handler="kotlin_default", mask=3), "needs 'mask' and a 'defaults'"),
        ({"listeners": []}, "unknown section"),
        ({"listener": [_entry()["listener"][0], _entry()["listener"][0]]}, "duplicate id"),
    ]:
        with pytest.raises(catalog.CatalogError, match=what):
            catalog.load_android_apis(bad)


def test_sdk_schema_rejects_typos():
    import pytest

    assert catalog.load_sdks({"sdk": [{"name": "X", "prefixes": ["x."]}]})[0].name == "X"
    with pytest.raises(catalog.CatalogError, match="unknown key"):
        catalog.load_sdks({"sdk": [{"name": "X", "prefixes": ["x."], "prefix": ["y."]}]})
    with pytest.raises(catalog.CatalogError, match="ending with"):
        catalog.load_sdks({"sdk": [{"name": "X", "prefixes": ["x"]}]})
