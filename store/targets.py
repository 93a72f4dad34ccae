"""Which notification targets a coach may have: a digest carries health data, and a target
is a URL a coach types, so it must not turn the nightly into a way to reach what only the
server can (a cloud's metadata address, a service on loopback or the private network) or to
talk any protocol Apprise happens to know (`syslog://`, `windows://`, …).

A target is vetted when it is added and again before every sending (a target stored earlier
must pass today's rules; a name may resolve elsewhere since). Allowed: the documented
schemes, no URL arguments that add headers or fields (Apprise's `+name=`, `-name=`, `:name=`),
and hosts whose every address is public, unless the coach is an admin or the address lies in
a network the installation allows ($STRIDEWISE_NOTIFY_NETWORKS, e.g. a mail relay on loopback).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from typing import Any

from stridewise.store.secrets import redacted

SCHEMES = ("mailto", "mailtos", "slack", "msteams", "ntfy", "ntfys", "json", "jsons")
"""The documented ones (README, docs/operations.md)."""
SERVICE_SCHEMES = {"slack", "msteams"}
"""Their first part is a token: Apprise sends to the service's own public host."""
NETWORKS_VARIABLE = "STRIDEWISE_NOTIFY_NETWORKS"
"""Comma-separated networks (`127.0.0.1/32,10.1.0.0/16`) every coach's targets may reach."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetError(ValueError):
    """A target that may not be used; the message names it (redacted) and why, in one line,
    `reason` the why alone (for a failure recorded beside the target)."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(f"{shown}: {reason}")
        self.reason = reason


def _kind(address: Address) -> str | None:
    """What makes an address not public, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "private"


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of $STRIDEWISE_NOTIFY_NETWORKS (`TargetError` for one that is not)."""
    networks = []
    for text in filter(None, (t.strip() for t in os.environ.get(NETWORKS_VARIABLE, "").split(","))):
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise TargetError(
                f"${NETWORKS_VARIABLE}",
                f"{text!r} is not a network (e.g. 127.0.0.1/32, 10.0.0.0/8)",
            ) from None
    return networks


def _addresses(host: str) -> set[Address]:
    """Every address a host name stands for (a literal address is its own)."""
    infos = socket.getaddrinfo(host.strip("[]"), None, proto=socket.IPPROTO_TCP)
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def _hosts(scheme: str, plugin: Any) -> list[str]:
    """The hosts Apprise will connect to for this target, as Apprise parsed them (not as
    another parser might read the URL): the SMTP server of e-mail, the host of a webhook or
    of a self-hosted ntfy; none for services whose address is their own."""
    if scheme in SERVICE_SCHEMES or getattr(plugin, "mode", None) == "cloud":
        return []
    return [getattr(plugin, "smtp_host", None) or plugin.host]


def _check_host(shown: str, host: str, admin: bool) -> None:
    """A host every address of which is public, or allowed (`TargetError` otherwise)."""
    try:
        addresses = _addresses(host)
    except (socket.gaierror, UnicodeError):
        raise TargetError(shown, f"{host} does not resolve") from None
    if admin:
        return
    networks = _allowed_networks()
    for address in sorted(addresses, key=str):
        kind = _kind(address)
        if kind and not any(address in network for network in networks):
            named = host if host.strip("[]") == str(address) else f"{host} ({address})"
            raise TargetError(
                shown,
                f"{named} is {kind}, not a public address (allowed for admin accounts and the "
                f"networks in ${NETWORKS_VARIABLE} only)",
            )


def vetted(url: str, admin: bool) -> Any:
    """An Apprise object that sends to `url`, once the target passes the rules above
    (`TargetError` naming the target, redacted, and why). Apprise's own logger is silenced:
    it writes the whole URL, secret and all, on a parse error."""
    import apprise

    logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)
    shown = redacted(url) if "://" in url else "…"  # no scheme: it may all be a token
    scheme = url.partition("://")[0].lower()
    if scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise TargetError(shown, f"not a notification URL stridewise sends to ({known})")
    parsed = apprise.URLBase.parse_url(url) or {}
    if any(parsed.get(f"qsd{mark}") for mark in "+-:"):
        raise TargetError(
            shown,
            "URL arguments starting with +, - or : (extra headers or fields) are not accepted",
        )
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        raise TargetError(shown, "not a notification URL Apprise knows")
    for host in _hosts(scheme, plugin):
        _check_host(shown, host, admin)
    plugin.redirects = False  # a public host must not bounce the message to an inner one
    found = apprise.Apprise()
    found.add(plugin)
    return found
