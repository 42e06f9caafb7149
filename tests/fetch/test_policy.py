"""The URL policy, over many hostile URLs."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from hypothesis import given, strategies as st

from finews.errors import BlockedURLError, FetchError
from finews.fetch.policy import check_url, check_url_async, describe, parse_ip


def resolver(table: dict[str, list[str]]):
    """A stand-in for DNS: names in ``table`` resolve, others fail."""
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise FetchError(f"cannot resolve host {host!r}")
        return table[host]
    return resolve


DNS = resolver({
    "news.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
    "rebind.example.com": ["93.184.216.34", "10.1.2.3"],   # one bad address is enough
    "meta.example.com": ["169.254.169.254"],
    "v6loop.example.com": ["::1"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "empty.example.com": [],
})


@pytest.mark.parametrize("url, why", [
    # schemes
    ("ftp://93.184.216.34/", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://93.184.216.34/", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("//93.184.216.34/", "only http and https"),
    ("news.example.com/path", "only http and https"),
    (" http://news.example.com/", "only http and https"),
    # credentials
    ("http://user:pw@news.example.com/", "user name or password"),
    ("http://user@news.example.com/", "user name or password"),
    ("http://news.example.com\\@127.0.0.1/", "user name or password"),
    # shape
    ("http:///nohost", "names no host"),
    ("http://news.example.com:0/", "port 0"),
    ("http://news.example.com:70000/", "port 70000"),
    ("http://1.2.3.4.5/", "not a valid IPv4"),
    ("http://1.2.3.256/", "not a valid"),
    ("http://0x100000000/", "not a valid IPv4"),
    ("http://[::1/", "not a valid URL"),
    # loopback, every spelling
    ("http://127.0.0.1/", "127.0.0.1, a loopback"),
    ("http://127.1/", "127.0.0.1, a loopback"),
    ("http://127.0.1/", "127.0.0.1, a loopback"),
    ("http://2130706433/", "127.0.0.1, a loopback"),
    ("http://0x7f000001/", "127.0.0.1, a loopback"),
    ("http://0x7f.1/", "127.0.0.1, a loopback"),
    ("http://0x7F.0.0.1/", "127.0.0.1, a loopback"),
    ("http://017700000001/", "127.0.0.1, a loopback"),
    ("http://127.0.0.1./", "127.0.0.1, a loopback"),
    ("http://[::1]/", "::1, a loopback"),
    ("http://[::ffff:127.0.0.1]/", "a loopback address (127.0.0.1 carried in IPv6)"),
    ("http://[::ffff:7f00:1]/", "a loopback address (127.0.0.1 carried in IPv6)"),
    ("http://[::127.0.0.1]/", "127.0.0.1 carried in IPv6"),
    ("http://[2002:7f00:1::]/", "127.0.0.1 carried in IPv6"),
    ("http://[64:ff9b::7f00:1]/", "127.0.0.1 carried in IPv6"),
    ("http://localhost/", "names this machine"),
    ("http://LOCALHOST:8000/", "names this machine"),
    ("http://localhost./", "names this machine"),
    ("http://api.localhost/", "names this machine"),
    # private, link-local, shared
    ("http://10.0.0.1/", "a private"),
    ("http://172.16.5.4/", "a private"),
    ("http://192.168.1.1/", "a private"),
    ("http://0xc0a80101/", "192.168.1.1, a private"),
    ("http://3232235777/", "192.168.1.1, a private"),
    ("http://100.64.0.1/", "a non-public"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local"),
    ("http://[fe80::1]/", "a link-local"),
    ("http://[fe80::1%25eth0]/", "a link-local"),
    ("http://[fc00::1]/", "a private"),
    ("http://[fd12:3456::1]/", "a private"),
    ("http://[::ffff:10.0.0.1]/", "10.0.0.1 carried in IPv6"),
    ("https://[::ffff:169.254.169.254]:443/", "a link-local"),
    # multicast, reserved, unspecified
    ("http://224.0.0.1/", "a multicast"),
    ("http://239.255.255.250/", "a multicast"),
    ("http://[ff02::1]/", "a multicast"),
    ("http://240.0.0.1/", "a private"),
    ("http://255.255.255.255/", "a private"),
    ("http://0.0.0.0/", "an unspecified"),
    ("http://0/", "an unspecified"),
    ("http://[::]/", "an unspecified"),
    ("http://192.0.2.1/", "a private"),
    ("http://[2001:db8::1]/", "a private"),
    # names that resolve badly
    ("http://rebind.example.com/", "resolves to 10.1.2.3, a private"),
    ("http://meta.example.com/", "resolves to 169.254.169.254, a link-local"),
    ("http://v6loop.example.com/", "resolves to ::1, a loopback"),
    ("http://mapped.example.com/", "127.0.0.1 carried in IPv6"),
])
def test_hostile_urls_are_blocked(url: str, why: str) -> None:
    with pytest.raises(BlockedURLError) as info:
        check_url(url, allow_private=False, resolve=DNS)
    assert why in str(info.value)
    assert not info.value.retryable and info.value.code == "blocked_url"


def test_message_names_the_host_and_the_address() -> None:
    with pytest.raises(BlockedURLError) as info:
        check_url("http://rebind.example.com/x", allow_private=False, resolve=DNS)
    message = str(info.value)
    assert "'rebind.example.com'" in message and "10.1.2.3" in message
    assert "allow private" in message
    assert info.value.url == "http://rebind.example.com/x"


@pytest.mark.parametrize("url", [
    "http://news.example.com/list?page=1",
    "https://news.example.com:8443/",
    "HTTPS://NEWS.EXAMPLE.COM/",
    "http://93.184.216.34/",
    "http://1572395042/",                  # 93.184.216.34 as one number
    "http://[2606:2800:220:1::1]/",
    "http://[::ffff:93.184.216.34]/",
    "http://8.8.8.8:80/x#frag",
])
def test_public_urls_pass(url: str) -> None:
    check_url(url, allow_private=False, resolve=DNS)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/api", "http://localhost/", "http://10.0.0.1/",
    "http://[::1]/", "http://unresolvable.example.com/",
])
def test_allow_private_lets_local_addresses_through(url: str) -> None:
    check_url(url, allow_private=True, resolve=DNS)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "http://a:b@127.0.0.1/"])
def test_allow_private_still_checks_scheme_and_credentials(url: str) -> None:
    with pytest.raises(BlockedURLError):
        check_url(url, allow_private=True, resolve=DNS)


@pytest.mark.parametrize("host", ["unresolvable.example.com", "empty.example.com"])
def test_unresolvable_host_is_a_retryable_fetch_error(host: str) -> None:
    with pytest.raises(FetchError) as info:
        check_url(f"http://{host}/", allow_private=False, resolve=DNS)
    assert not isinstance(info.value, BlockedURLError)
    assert info.value.retryable and host in str(info.value)


def test_system_resolver_is_used_for_names() -> None:
    # No DNS is reachable here; the system resolver still answers from
    # /etc/hosts (this machine's own name) and fails fast for ".invalid".
    name = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(name, 80)}
    if all(describe(ipaddress.ip_address(a)) is None for a in addresses):
        pytest.skip(f"{name} resolves to public addresses only")
    with pytest.raises(BlockedURLError) as info:
        check_url(f"http://{name}/", allow_private=False)
    assert f"{name!r} resolves to" in str(info.value)
    with pytest.raises(FetchError) as info:
        check_url("http://no-such-host.invalid/", allow_private=False)
    assert info.value.retryable and not isinstance(info.value, BlockedURLError)


def test_async_wrapper_checks_the_same() -> None:
    with pytest.raises(BlockedURLError):
        asyncio.run(check_url_async("http://meta.example.com/", allow_private=False,
                                    resolve=DNS))
    asyncio.run(check_url_async("http://news.example.com/", allow_private=False,
                                resolve=DNS))
    with pytest.raises(BlockedURLError):
        asyncio.run(check_url_async("ftp://127.0.0.1/", allow_private=True))


def _spellings(ip: ipaddress.IPv4Address) -> list[str]:
    """Ways inet_aton (and so a browser or resolver) reads the same address."""
    n = int(ip)
    a, b, c, d = ip.packed
    return [str(ip), str(n), hex(n), f"0{n:o}" if n else "0",
            f"{a}.{b}.{(c << 8) | d}", f"{a}.{(b << 16) | (c << 8) | d}",
            f"{hex(a)}.{oct(b).replace('0o', '0')}.{c}.{hex(d)}"]


@given(st.integers(min_value=0, max_value=2 ** 32 - 1))
def test_every_ipv4_spelling_means_the_same_address(n: int) -> None:
    ip = ipaddress.IPv4Address(n)
    for spelling in _spellings(ip):
        assert parse_ip(spelling) == ip, spelling


@given(st.integers(min_value=0, max_value=2 ** 32 - 1))
def test_an_address_is_blocked_however_it_is_spelled(n: int) -> None:
    ip = ipaddress.IPv4Address(n)
    blocked = describe(ip) is not None
    for spelling in _spellings(ip)[1:3]:  # spellings httpx accepts in a URL
        try:
            check_url(f"http://{spelling}/", allow_private=False, resolve=DNS)
            passed = True
        except BlockedURLError:
            passed = False
        assert passed is not blocked, spelling


@pytest.mark.parametrize("address, expected", [
    ("8.8.8.8", None),
    ("2606:4700::1111", None),
    ("::ffff:8.8.8.8", None),
    ("127.0.0.53", "a loopback address"),
    ("10.255.255.255", "a private address"),
    ("198.18.0.1", "a private address"),
])
def test_describe(address: str, expected: str | None) -> None:
    assert describe(ipaddress.ip_address(address)) == expected


@pytest.mark.parametrize("host", ["news.example.com", "a1.b2", "example.0a", "1.2.3.x"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_ip(host) is None
