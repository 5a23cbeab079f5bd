"""The address other machines reach this one on, for links: ``make demo HOST=0.0.0.0`` listens on
every interface, but ``http://0.0.0.0:8080/`` in a printed hint or an e-mail opens nothing on a
tablet. Run as ``python -m core.netaddr HOST PORT`` it prints the base URL the Makefile uses."""
from __future__ import annotations

import socket
import sys

WILDCARDS = frozenset({"0.0.0.0", "::", "[::]", ""})
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))  # documentation addresses


def outgoing_address(family: int, probe: str) -> str | None:
    """The local address of the interface used for outgoing traffic: a UDP socket ``connect``
    only picks the route, it sends nothing. None without such a route or for a loopback address."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "::1" else address


def reachable_host(host: str) -> str:
    """``host`` itself, or for a wildcard (0.0.0.0, ::) the machine's outgoing address (IPv4
    first), else its host name."""
    if host not in WILDCARDS:
        return host
    for family, probe in PROBES:
        found = outgoing_address(family, probe)
        if found:
            return f"[{found}]" if ":" in found else found
    return socket.gethostname()


def base_url(host: str, port: int | str, scheme: str = "http") -> str:
    """``http://HOST:PORT`` with a host that other machines can open."""
    return f"{scheme}://{reachable_host(host)}:{port}"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("gebruik: python -m core.netaddr HOST PORT")
    print(base_url(sys.argv[1], sys.argv[2]))
