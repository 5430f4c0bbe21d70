"""No unknown value becomes a definite bind class in the source front end (issue 12).

Two oracles: a property over the value domain (any host value with an unknown part yields an
unknown or conditional-with-unknown verdict, never all-interfaces / loopback / specific), and a real
Java file whose addresses the code does not determine (comments in the file say why)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from portaudit.model import Bind
from portaudit.inputs.source.draft import Draft, null_meaning, to_listener
from portaudit.inputs.source.flowvals import Via
from portaudit.values import Addr, Const, FromConfig, FromField, FromParam, FromReturn, OneOf, SockAddr, Unknown

from .helpers import scan

UNKNOWN_LEAVES = st.one_of(
    st.builds(Unknown, st.text(min_size=1, max_size=8)),
    st.builds(FromParam, st.integers(0, 3), st.just("p"), st.just("f")),
    st.builds(FromField, st.just("a.B.c")),
    st.builds(FromReturn, st.just("a.B#m/0")),
    st.builds(FromConfig, st.just("environment"), st.just("HOST"), st.none()),
)
KNOWN_LEAVES = st.one_of(
    st.sampled_from([Const("0.0.0.0"), Const("127.0.0.1"), Const("10.0.0.2"), Const(None), Const("")]),
    st.sampled_from([Addr(Bind.ALL, "0.0.0.0"), Addr(Bind.LOOPBACK, "::1")]),
)


def _with_unknown(draw_unknown, known):
    return st.one_of(
        draw_unknown,
        st.builds(lambda u, k: OneOf(frozenset({u, k})), draw_unknown, known),
        st.builds(lambda u: Via("java.net.InetAddress.getByName(String)", u), draw_unknown),
        st.builds(lambda u, p: SockAddr(u, p), draw_unknown, st.just(Const(80))),
    )


@settings(max_examples=300, deadline=None)
@given(_with_unknown(UNKNOWN_LEAVES, KNOWN_LEAVES),
       st.sampled_from(["all-interfaces", "loopback", "error", "none"]))
def test_an_unknown_part_never_gives_a_definite_bind(host, null):
    d = Draft("api", "tcp", None, host, Const(80), default=Bind.ALL, null=null_meaning(null, "doc"))
    lst = to_listener(d)
    assert lst is not None
    assert lst.bind is Bind.UNKNOWN, (host, lst.bind)
    assert lst.reason


def test_undetermined_addresses_in_java_are_unknown():
    path = Path(__file__).parent / "cases_unknown" / "Unknowns.java"
    facts = scan(path)
    got = {x.port: x for x in facts.listeners}
    # openOn(host, port): a public method with no caller in the tree -> port unknown too
    assert {7001, 7002, 7003, 7004, 7005} <= set(got)
    assert len(facts.listeners) == 6
    for x in facts.listeners:
        assert x.bind is Bind.UNKNOWN, (x.location.line, x.bind, x.reason)
        assert x.address is None and x.reason
    assert "never written" in got[7001].reason
    assert "getLocalHost" in got[7004].reason
    assert "HOST" in got[7003].reason
