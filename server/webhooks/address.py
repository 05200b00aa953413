"""The SSRF guard: a webhook URL may only lead to the public internet.

An owner types the URL, but the server makes the request from inside the deployment's network,
where the cloud's metadata service, the database and Redis listen on addresses no one outside
can reach. So a URL is refused unless it is `https` and every address its host resolves to is
globally routable (`ipaddress`'s `is_global`: not private, loopback, link-local, shared,
reserved, multicast or unspecified). The check runs when the endpoint is added and again
before every attempt, and the request then goes to exactly the address checked (the sender
pins it), so a DNS answer that changes in between (rebinding) cannot lead anywhere else.

`PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (tests, an ATS on the same network) lets private
and loopback addresses through, and plain `http` to loopback only; link-local addresses
(169.254.169.254, the metadata service) stay refused either way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DNS_TIMEOUT_SECONDS = 5.0


class AddressRefused(ValueError):
    """A URL the server will not post to; the message says why (a 422 when adding one)."""


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    scheme: str
    host: str  # as written (an IPv6 literal without brackets)
    port: int
    target: str  # path and query, what the request line carries

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Target:
    url: ParsedUrl
    address: str  # the checked address the request goes to


def parse(url: str, *, allow_private: bool, max_chars: int) -> ParsedUrl:
    """The URL's parts, or AddressRefused for one that is never acceptable, whatever it
    resolves to (pure)."""
    if len(url) > max_chars:
        raise AddressRefused(f"the URL is longer than {max_chars} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(f"not a URL: {exc}") from None
    if parts.scheme not in ("https", "http"):
        raise AddressRefused("the URL must start with https://")
    if parts.scheme == "http" and not allow_private:
        raise AddressRefused(
            "the URL must be https (plain http only to loopback, with "
            "PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)"
        )
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("the URL may not carry a user name or password")
    if not parts.hostname:
        raise AddressRefused("the URL has no host")
    if parts.fragment:
        raise AddressRefused("the URL may not have a #fragment")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise AddressRefused("the URL may not contain spaces or control characters")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return ParsedUrl(parts.scheme, parts.hostname, port or default, target)


def refusal(address: IPAddress, *, scheme: str, allow_private: bool) -> str | None:
    """Why the server may not post to `address`, or None (pure)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        return f"{address} is a link-local, multicast or unspecified address"
    if scheme == "http" and not address.is_loopback:
        return f"plain http is allowed to loopback only, not {address}"
    if not address.is_global and not allow_private:
        return (
            f"{address} is a private, loopback or reserved address (set "
            "PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES to allow it)"
        )
    return None


async def resolve(url: ParsedUrl, *, allow_private: bool) -> Target:
    """The address to post to: the host's addresses, every one of them checked (a name that
    resolves to one public and one private address is refused: the connection could take
    either); AddressRefused otherwise."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(url.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(url.host, url.port, type=socket.SOCK_STREAM),
                DNS_TIMEOUT_SECONDS,
            )
        except (OSError, TimeoutError, UnicodeError) as exc:  # IDNA refuses some names
            raise AddressRefused(f"cannot resolve {url.host}: {exc}") from None
        addresses = []
        for info in infos:
            found = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if found not in addresses:
                addresses.append(found)
        if not addresses:
            raise AddressRefused(f"{url.host} has no address")
    for address in addresses:
        why = refusal(address, scheme=url.scheme, allow_private=allow_private)
        if why is not None:
            raise AddressRefused(f"{url.host} resolves to {why}")
    return Target(url, str(addresses[0]))
