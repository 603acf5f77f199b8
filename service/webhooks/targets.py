"""Which URLs may receive deliveries: http(s) only, and not loopback, private, link-local or
otherwise non-public addresses (a webhook must not become a way to reach the service's own
network) unless CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1. Checked when an admin registers the URL
and again before every attempt, since a name may resolve elsewhere later."""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit


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


def check_target(url: str, *, private_ok: bool | None = None) -> None:
    """UnsafeTarget unless every address the URL's host resolves to may be called."""
    host, port = check_url(url)
    if private_ok is None:
        private_ok = allow_private()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"the host {host!r} does not resolve ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not private_ok and not address.is_global:
            raise UnsafeTarget(
                f"{host} resolves to {address}, a loopback, private or reserved address; "
                "deliveries go only to public addresses (CLAIMDESK_WEBHOOK_ALLOW_PRIVATE=1 "
                "allows others, for tests and private networks)"
            )
