"""Runtime side: live listening-socket inventory of hosts and Android devices.

Modules: ``procnet`` (kernel socket tables), ``host`` (this machine), ``device``
(adb), ``watch`` (polling + SQLite), ``firewall`` (nftables / iptables),
``targets`` (``--target`` / ``--reach`` scope), ``owners`` (whose listener it is),
``link`` (runtime <-> static findings, as facts).  The probes live in
:mod:`portaudit.probe`; :mod:`portaudit.live` runs inventory, probes and rules.
"""
