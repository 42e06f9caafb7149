"""Which URLs finews may fetch.

Sources come from a configuration file and redirects come from upstreams, so
either can point finews at the machine it runs on or at the private network
around it (an admin page, a cloud metadata service). Before every request,
and again for every redirect hop, the URL is checked here: only http and https,
no credentials in the URL, and — unless the source allows private addresses —
a host that is, or resolves to, a public address only.

The URL is parsed with httpx, the same parser the client connects with, so the
host checked is the host connected to. Numeric hosts are read the way the
system resolver reads them (``2130706433``, ``0x7f.1``, ``0177.0.0.1`` all mean
127.0.0.1), so spelling an address oddly does not slip past the check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from typing import Callable, Iterable
from urllib.parse import unquote

import httpx

from ..errors import BlockedURLError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Turns a host name into the addresses it resolves to (as strings).
Resolver = Callable[[str, int], Iterable[str]]

_SCHEMES = ("http", "https")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPAT = ipaddress.ip_network("::/96")
_DECIMAL = re.compile(r"[0-9]+")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")


def check_url(url: str, *, allow_private: bool,
              resolve: Resolver | None = None) -> None:
    """Raise BlockedURLError unless finews may fetch ``url``.

    Resolves host names (blocking: use :func:`check_url_async` in async code).
    An unresolvable host raises a retryable FetchError, since DNS failures
    are often passing.
    """
    host, port = _split(url)
    if allow_private:
        return
    ip = parse_ip(host, url)
    if ip is not None:
        _refuse_if_private(ip, host, url, verb="is" if str(ip) == host else "means")
        return
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise BlockedURLError(
            f"{url} is refused: {host!r} names this machine (allow private "
            "addresses for this source to fetch it)", url=url)
    try:
        addresses = list((resolve or _resolve)(host, port))
    except FetchError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}", url=url, retryable=True) from exc
    if not addresses:
        raise FetchError(f"cannot fetch {url}: host {host!r} resolves to no address",
                         url=url, retryable=True)
    for text in addresses:
        _refuse_if_private(ipaddress.ip_address(text), host, url, verb="resolves to")


async def check_url_async(url: str, *, allow_private: bool,
                          resolve: Resolver | None = None) -> None:
    """:func:`check_url` with name resolution in a worker thread."""
    if allow_private:
        _split(url)  # no resolution needed: check the shape right here
        return
    await asyncio.to_thread(check_url, url, allow_private=False, resolve=resolve)


def _split(url: str) -> tuple[str, int]:
    """The host and port of an acceptable URL; refuse bad shapes."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise BlockedURLError(f"{url!r} is not a valid URL: {exc}", url=str(url)) from exc
    if parsed.scheme not in _SCHEMES:
        shown = parsed.scheme or "no scheme"
        raise BlockedURLError(
            f"{url} is refused: only http and https URLs are fetched, not {shown}",
            url=url)
    if parsed.userinfo:
        raise BlockedURLError(
            f"{url} is refused: URLs with a user name or password are not fetched "
            "(send credentials as a header of the source instead)", url=url)
    try:
        host = parsed.raw_host.decode("ascii")
    except UnicodeDecodeError as exc:  # pragma: no cover - httpx IDNA-encodes
        raise BlockedURLError(f"{url} is refused: bad host name", url=url) from exc
    if not host:
        raise BlockedURLError(f"{url} is refused: it names no host", url=url)
    port = parsed.port
    if port is None:
        port = 443 if parsed.scheme == "https" else 80
    if not 0 < port < 65536:
        raise BlockedURLError(f"{url} is refused: port {port} is out of range", url=url)
    return host, port


def parse_ip(host: str, url: str = "") -> IPAddress | None:
    """The address a numeric host means, or None for a host name.

    IPv6 hosts come without brackets (as httpx gives them); a zone id may be
    percent-encoded. IPv4 hosts may be written in any form ``inet_aton``
    accepts. A host that looks numeric but is not a valid address is refused.
    """
    if ":" in host:
        try:
            return ipaddress.ip_address(unquote(host))
        except ValueError as exc:
            raise BlockedURLError(f"{url or host} is refused: {host!r} is not a valid "
                                  "IPv6 address", url=url) from exc
    return _parse_ipv4(host, url)


def _parse_ipv4(host: str, url: str) -> ipaddress.IPv4Address | None:
    # The WHATWG URL rule: a host whose last label is a number is an IPv4
    # address (1 to 4 parts, each decimal, 0x-hex or 0-octal; the last part
    # fills the remaining bytes), and must then be a valid one.
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not _ends_in_number(parts[-1]):
        return None
    numbers = [_number(p) for p in parts]
    bad = f"{url or host} is refused: {host!r} is not a valid IPv4 address"
    if len(parts) > 4 or any(n is None for n in numbers):
        raise BlockedURLError(bad, url=url)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise BlockedURLError(bad, url=url)
    value = last
    for index, n in enumerate(head):
        value += n << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int | None:
    # Strict patterns: int() alone would also take "1_0", " 1" or "+1".
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part)
    return None


def _ends_in_number(part: str) -> bool:
    return bool(_DECIMAL.fullmatch(part) or _HEX.fullmatch(part))


def describe(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched ("a loopback address"…), or None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            why = describe(inner)
            return f"{why} ({inner} carried in IPv6)" if why else None
    for flag, why in (("is_unspecified", "an unspecified"), ("is_loopback", "a loopback"),
                      ("is_link_local", "a link-local"), ("is_multicast", "a multicast"),
                      ("is_private", "a private"), ("is_reserved", "a reserved")):
        if getattr(ip, flag):
            return why + " address"
    if not ip.is_global:
        return "a non-public address"  # shared address space (100.64/10) and the like
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64…), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64) or (ip in _IPV4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _refuse_if_private(ip: IPAddress, host: str, url: str, *, verb: str) -> None:
    why = describe(ip)
    if why is None:
        return
    raise BlockedURLError(
        f"{url} is refused: host {host!r} {verb} {ip}, {why} (allow private addresses for "
        "this source to fetch it)", url=url)


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}", retryable=True) from exc
    # sockaddr[0] of an IPv6 link-local address may carry "%zone"; keep it
    # so ipaddress still sees the address as link-local.
    return [str(info[4][0]) for info in infos]
