"""Runtime side: live listening-socket inventory of hosts and Android devices.

Modules: ``procnet`` (kernel socket tables), ``host`` (this machine), ``device``
(adb), ``watch`` (polling + SQLite), ``firewall`` (nftables / iptables),
``pipeline`` (inventory -> Facts -> findings -> Report), ``link`` (runtime <->
static findings).  The probes live in :mod:`portaudit.probe`.
"""
