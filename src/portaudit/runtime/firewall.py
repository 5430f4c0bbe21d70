"""Is inbound traffic to a listener filtered?  A modest reader of nftables / iptables.

What it understands (everything else makes the answer "cannot tell", never a guess):

* nftables (``nft -j list ruleset``): base chains with ``hook input`` in every
  table (all must accept), their policy, ``jump``/``goto`` to regular chains, and
  rules made of: ``iifname``/``iif`` equal or not equal to a name, ``tcp|udp dport``
  (a number, a set, a range), ``meta l4proto``/``ip protocol``, ``ct state`` (a rule
  only for established/related never matches a new connection), ``ip saddr`` /
  ``ip6 saddr`` (an allow-list: counted as "only from some sources"), ``counter``,
  ``log``, ``comment``; verdicts ``accept``, ``drop``, ``reject``, ``return``.
* iptables (``iptables-save``; used when nft is missing or fails): the ``filter``
  table's ``INPUT`` chain and the user chains it jumps to, with ``-i``, ``-p``,
  ``--dport``/``--dports``, ``-s``, ``--state``/``--ctstate``, ``-j``.

The question asked is "would a NEW connection from a non-loopback interface to
this port be accepted?".  ``--reach`` remains the empirical check.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from ..model import Bind
from ..model.runtime import RuntimeListener

MATCH, NOMATCH, PARTIAL, UNKNOWN = "match", "nomatch", "partial", "unknown"


@dataclass
class FwRule:
    # ("iif", name, negated) ("dport", proto|None, ports, negated) ("proto", p) ("ct", states) ("saddr", text)
    # ("unknown", text)
    conds: list[tuple]
    verdict: str | None  # accept drop reject return jump goto None
    target: str | None = None
    text: str = ""


@dataclass
class FwChain:
    name: str
    rules: list[FwRule] = field(default_factory=list)
    policy: str | None = None  # base chains only
    hook: str | None = None
    prio: int = 0
    family: str = ""
    table: str = ""


@dataclass
class Ruleset:
    tool: str  # "nft" | "iptables"
    chains: dict[str, FwChain] = field(default_factory=dict)

    def input_chains(self) -> list[FwChain]:
        return sorted((c for c in self.chains.values() if c.hook == "input"), key=lambda c: c.prio)


# -- nftables ---------------------------------------------------------------------------

def _ports(right: Any) -> list[tuple[int, int]] | None:
    if isinstance(right, int):
        return [(right, right)]
    if isinstance(right, dict) and "set" in right:
        out = []
        for item in right["set"]:
            r = _ports(item)
            if r is None:
                return None
            out += r
        return out
    if isinstance(right, dict) and "range" in right:
        lo, hi = right["range"]
        return [(int(lo), int(hi))] if isinstance(lo, int) and isinstance(hi, int) else None
    if isinstance(right, list):
        return _ports({"set": right})
    return None


def _nft_cond(m: dict) -> tuple:
    left, right, op = m.get("left", {}), m.get("right"), m.get("op", "==")
    neg = op == "!="
    if isinstance(left, dict) and "meta" in left:
        key = left["meta"].get("key")
        if key in ("iifname", "iif") and isinstance(right, str):
            return ("iif", right, neg)
        if key == "l4proto" and isinstance(right, str) and not neg:
            return ("proto", right)
    if isinstance(left, dict) and "payload" in left:
        p = left["payload"]
        if p.get("field") == "dport" and p.get("protocol") in ("tcp", "udp", "th"):
            ports = _ports(right)
            if ports is not None and op in ("==", "!=", "in"):
                return ("dport", None if p["protocol"] == "th" else p["protocol"], ports, neg)
        if p.get("field") == "protocol" and p.get("protocol") == "ip" and isinstance(right, str) and not neg:
            return ("proto", right)
        if p.get("field") == "nexthdr" and p.get("protocol") == "ip6" and isinstance(right, str) and not neg:
            return ("proto", right)
        if p.get("field") == "saddr":
            return ("saddr", json.dumps(right))
    if isinstance(left, dict) and "ct" in left and left["ct"].get("key") == "state":
        states = right if isinstance(right, list) else [right]
        if all(isinstance(s, str) for s in states) and not neg:
            return ("ct", tuple(states))
    return ("unknown", json.dumps(m)[:120])


def parse_nft_json(text: str) -> Ruleset:
    data = json.loads(text)
    rs = Ruleset("nft")
    items = data.get("nftables", [])
    for item in items:
        if "chain" in item:
            c = item["chain"]
            key = f"{c['family']} {c['table']} {c['name']}"
            rs.chains[key] = FwChain(c["name"], policy=c.get("policy"),
                                     hook=c.get("hook") if c.get("type") == "filter" else None,
                                     prio=int(c.get("prio", 0)) if isinstance(c.get("prio"), int) else 0,
                                     family=c["family"], table=c["table"])
    for item in items:
        if "rule" not in item:
            continue
        r = item["rule"]
        key = f"{r['family']} {r['table']} {r['chain']}"
        chain = rs.chains.get(key)
        if chain is None:
            continue
        conds: list[tuple] = []
        verdict, target = None, None
        for e in r.get("expr", []):
            if "match" in e:
                conds.append(_nft_cond(e["match"]))
            elif any(k in e for k in ("counter", "log", "comment", "limit")):
                if "limit" in e:
                    conds.append(("unknown", "limit"))
            elif "accept" in e:
                verdict = "accept"
            elif "drop" in e:
                verdict = "drop"
            elif "reject" in e:
                verdict = "reject"
            elif "return" in e:
                verdict = "return"
            elif "jump" in e or "goto" in e:
                verdict = "jump" if "jump" in e else "goto"
                target = f"{r['family']} {r['table']} {(e.get('jump') or e.get('goto'))['target']}"
            else:
                conds.append(("unknown", json.dumps(e)[:120]))
        chain.rules.append(FwRule(conds, verdict, target, json.dumps(r.get("expr"))[:200]))
    return rs


# -- iptables-save ------------------------------------------------------------------------

def _ipt_ports(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        out.append((int(lo), int(hi or lo)))
    return out


def parse_iptables_save(text: str) -> Ruleset:
    rs = Ruleset("iptables")
    table = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("*"):
            table = line[1:]
            continue
        if table != "filter" or line == "COMMIT":
            continue
        if line.startswith(":"):
            name, policy = line[1:].split()[:2]
            rs.chains[name] = FwChain(name, policy=policy.lower() if policy != "-" else None,
                                      hook="input" if name == "INPUT" else None, table="filter")
            continue
        if not line.startswith("-A "):
            continue
        args = shlex.split(line)
        chain = rs.chains.setdefault(args[1], FwChain(args[1]))
        conds: list[tuple] = []
        verdict = target = None
        proto = None
        i, neg = 2, False
        while i < len(args):
            a = args[i]
            val = args[i + 1] if i + 1 < len(args) else ""
            if a == "!":
                neg = True
                i += 1
                continue
            if a in ("-i", "--in-interface"):
                conds.append(("iif", val, neg))
            elif a in ("-p", "--protocol"):
                proto = val
                if not neg:
                    conds.append(("proto", val))
                else:
                    conds.append(("unknown", f"! -p {val}"))
            elif a in ("--dport", "--destination-port", "--dports", "--destination-ports"):
                conds.append(("dport", proto, _ipt_ports(val), neg))
            elif a in ("-s", "--source"):
                conds.append(("saddr", val))
            elif a in ("--state", "--ctstate"):
                conds.append(("ct", tuple(s.lower() for s in val.split(","))))
            elif a in ("-m", "--match", "--comment"):
                if a == "-m" and val not in ("tcp", "udp", "multiport", "state", "conntrack", "comment"):
                    conds.append(("unknown", f"-m {val}"))
            elif a in ("-j", "--jump", "-g", "--goto"):
                v = val.upper()
                if v in ("ACCEPT", "DROP", "REJECT", "RETURN"):
                    verdict = v.lower()
                else:
                    verdict, target = ("jump" if a in ("-j", "--jump") else "goto"), val
                    if val in ("LOG",):
                        verdict, target = None, None
            elif a.startswith("-"):
                conds.append(("unknown", f"{a} {val}"))
            else:
                i += 1
                neg = False
                continue
            i += 2
            neg = False
        chain.rules.append(FwRule(conds, verdict, target, line))
    return rs


# -- evaluation ----------------------------------------------------------------------------

def _match(rule: FwRule, proto: str, port: int) -> tuple[str, str | None]:
    state = MATCH
    why = None
    for c in rule.conds:
        kind = c[0]
        if kind == "iif":
            name, neg = c[1], c[2]
            if name == "lo" and not neg:
                return NOMATCH, None  # loopback-only rule: not about traffic from outside
            if name != "lo" and state == MATCH:
                state, why = PARTIAL, (f"except on interface {name}" if neg else f"only on interface {name}")
        elif kind == "proto":
            if c[1] not in (proto, str({"tcp": 6, "udp": 17}[proto])):
                return NOMATCH, None
        elif kind == "dport":
            if c[1] is not None and c[1] != proto:
                return NOMATCH, None
            inside = any(lo <= port <= hi for lo, hi in c[2])
            if inside == c[3]:
                return NOMATCH, None
        elif kind == "ct":
            if "new" not in c[1] and "untracked" not in c[1]:
                return NOMATCH, None  # established/related only: never a new connection
        elif kind == "saddr":
            if state == MATCH:
                state, why = PARTIAL, f"only from {c[1].strip(chr(34))}"
        else:
            return UNKNOWN, c[1]
    return state, why


def _walk(rs: Ruleset, chain: FwChain, proto: str, port: int, notes: list[str], depth: int = 0) -> str | None:
    """Verdict of ``chain`` for the packet: accept/drop/reject, 'return' or None (fell through)."""
    if depth > 8:
        notes.append("chain nesting too deep")
        return "unknown"
    for rule in chain.rules:
        state, why = _match(rule, proto, port)
        if state == NOMATCH or rule.verdict is None:
            if state == UNKNOWN and rule.verdict in ("accept", "drop", "reject", "jump", "goto"):
                notes.append(f"rule not understood ({why})")
            continue
        if state == UNKNOWN:
            notes.append(f"rule not understood ({why})")
            continue
        verdict = rule.verdict
        if verdict in ("jump", "goto"):
            sub = rs.chains.get(rule.target or "")
            if sub is None:
                notes.append(f"jump to unknown chain {rule.target}")
                continue
            v = _walk(rs, sub, proto, port, notes, depth + 1)
            if v in ("accept", "drop", "reject", "unknown"):
                if state == PARTIAL:
                    notes.append(f"{v} {why}")
                    continue
                return v
            if verdict == "goto":
                return "return"
            continue
        if verdict == "return":
            if state == MATCH:
                return "return"
            continue
        if state == PARTIAL:
            notes.append(f"{verdict} {why}")
            continue
        return verdict
    return None


def evaluate(rs: Ruleset, proto: str, port: int) -> dict[str, Any]:
    """``{"filtered": True|False|None, "detail": ...}`` for a new inbound connection to proto/port."""
    notes: list[str] = []
    chains = rs.input_chains()
    if not chains:
        return {"filtered": False, "detail": f"{rs.tool}: no input filter chain, nothing filters inbound traffic"}
    final = "accept"
    for chain in chains:
        v = _walk(rs, chain, proto, port, notes)
        if v in (None, "return"):
            v = chain.policy or "accept"
        if v == "unknown":
            final = "unknown"
            break
        if v in ("drop", "reject"):
            final = v
            break
    uncertain = [n for n in notes if n.startswith(("rule not understood", "jump to unknown", "chain nesting"))]
    partial = [n for n in notes if n not in uncertain]
    if final == "unknown" or (uncertain and final == "accept") or (uncertain and final in ("drop", "reject")):
        return {"filtered": None, "detail": f"{rs.tool}: cannot tell (" + "; ".join(uncertain or ["unknown"]) + ")"}
    if final in ("drop", "reject"):
        detail = f"{rs.tool}: new inbound {proto}/{port} is {'dropped' if final == 'drop' else 'rejected'}"
        if partial:
            detail += " except: " + "; ".join(partial)
        return {"filtered": True, "detail": detail}
    detail = f"{rs.tool}: new inbound {proto}/{port} is accepted"
    if partial:
        detail += " (partial rules: " + "; ".join(partial) + ")"
    return {"filtered": False, "detail": detail}


def suggestion(tool: str | None, proto: str, port: int, ipv6: bool = False) -> str:
    if tool == "iptables":
        cmd = "ip6tables" if ipv6 else "iptables"
        return f"{cmd} -I INPUT ! -i lo -p {proto} --dport {port} -j DROP"
    return (f"nft add table inet portaudit; nft add chain inet portaudit input "
            f"'{{ type filter hook input priority 0; }}'; nft add rule inet portaudit input "
            f"iifname != \"lo\" {proto} dport {port} drop")


def read_host_ruleset(run=subprocess.run) -> tuple[Ruleset | None, str | None]:
    """The host's packet filter, or (None, reason)."""
    reasons = []
    if shutil.which("nft"):
        try:
            p = run(["nft", "-j", "list", "ruleset"], capture_output=True, text=True, timeout=10)
            if p.returncode == 0 and p.stdout.strip():
                return parse_nft_json(p.stdout), None
            err = (p.stderr or "").strip()
            reasons.append(f"nft: {err.splitlines()[0] if err else 'no output'}")
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            reasons.append(f"nft: {exc}")
    else:
        reasons.append("nft not installed")
    if shutil.which("iptables-save"):
        try:
            p = run(["iptables-save"], capture_output=True, text=True, timeout=10)
            if p.returncode == 0:
                return parse_iptables_save(p.stdout), None
            reasons.append(f"iptables-save: {(p.stderr or '').strip()[:100]}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            reasons.append(f"iptables-save: {exc}")
    else:
        reasons.append("iptables-save not installed")
    return None, "; ".join(reasons)


def annotate(listeners: list[RuntimeListener], rs: Ruleset | None, reason: str | None = None) -> None:
    """Set ``firewall`` on every all-interfaces / specific TCP or UDP listener."""
    for lst in listeners:
        if lst.transport not in ("tcp", "udp") or lst.bind not in (Bind.ALL, Bind.SPECIFIC) or lst.port is None:
            continue
        if rs is None:
            lst.firewall = {"filtered": None, "detail": f"packet filter not readable ({reason})",
                            "suggestion": suggestion(None, lst.transport, lst.port, lst.family == "ipv6")}
            continue
        res = evaluate(rs, lst.transport, lst.port)
        res["suggestion"] = (None if res["filtered"] else
                             suggestion(rs.tool, lst.transport, lst.port, lst.family == "ipv6"))
        lst.firewall = res
