"""Which URLs may receive deliveries: http(s) only, and not loopback, private, link-local or
otherwise non-public addresses (a webhook must not become a way to reach the service's own
network) unless CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1. Checked when an admin registers the URL
and again before every attempt, since a name may resolve elsewhere later."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any
from urllib.parse import urlsplit

import urllib3


class UnsafeTarget(ValueError):
    """The URL may not receive deliveries; the message says why."""


def allow_private() -> bool:
    return os.environ.get("CLAIMDESK_WEBHOOK_ALLOW_PRIVATE", "").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL, or UnsafeTarget; no name is resolved here."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("the URL must be http:// or https://")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeTarget("credentials in the URL are not allowed; the signature authenticates")
    if parts.fragment:
        raise UnsafeTarget("a fragment is never sent to a server; remove it")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget("the port is not a number between 0 and 65535") from None
    return parts.hostname, port


#: IPv6 ranges that carry an IPv4 address (NAT64's well-known prefix): judged by that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address, looking through IPv6 forms that embed an IPv4 one
    (IPv4-mapped, NAT64, 6to4), which Python 3.11 reports as global whatever they embed."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in _NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
    return address.is_global and not address.is_multicast


def check_target(
    url: str,
    *,
    private_ok: bool | None = None,
    only_public: str = "deliveries go only to public addresses",
) -> list[str]:
    """The addresses the URL's host resolves to, every one of which may be called, or
    UnsafeTarget. Deliveries connect to one of these addresses (not to the name again), so a
    name that resolves elsewhere the second time cannot redirect them."""
    host, port = check_url(url)
    if private_ok is None:
        private_ok = allow_private()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"the host {host!r} does not resolve ({exc})") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not private_ok and not is_public(address):
            raise UnsafeTarget(
                f"{host} resolves to {address}, a loopback, private or reserved address; "
                f"{only_public} (CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1 allows others, for tests "
                "and private networks)"
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses


def pinned_pool(
    url: str, address: str, timeout: Any
) -> tuple[urllib3.HTTPConnectionPool, str, str]:
    """(a one-connection pool to `address`, the request path, the Host header) for an http(s)
    URL: the connection goes to the vetted address, never to the name resolved again, with
    the name as Host and for TLS (SNI and the certificate check)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            timeout=timeout,
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    return pool, path, parts.netloc.rsplit("@", 1)[-1]
