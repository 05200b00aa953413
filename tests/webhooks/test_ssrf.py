"""The SSRF guard: a webhook URL only reaches the public internet (https), checked after DNS
resolution, when it is added over REST and again before each attempt; the switch for private
addresses lets loopback (and http to loopback) through but never link-local."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.webhooks import address
from tests.support.server import ADMIN_TOKEN, ServerProcess

# The machine these run on is shared and often loaded: a server may take long to come up.
START_TIMEOUT_S = 120.0

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
HINT = "(set PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES to allow it)"


def refusal(ip: str, scheme: str = "https", allow_private: bool = False) -> str | None:
    return address.refusal(ipaddress.ip_address(ip), scheme=scheme, allow_private=allow_private)


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "127.9.9.9", "100.64.0.1", "::1",
     "fc00::1", "fd12::1", "240.0.0.1", "198.18.0.1", "::ffff:10.0.0.1", "::ffff:127.0.0.1"],
)  # fmt: skip
def test_private_loopback_shared_and_reserved_addresses_are_refused(ip: str) -> None:
    shown = ipaddress.ip_address(ip)
    if isinstance(shown, ipaddress.IPv6Address) and shown.ipv4_mapped is not None:
        shown = shown.ipv4_mapped
    assert refusal(ip) == f"{shown} is a private, loopback or reserved address {HINT}"


@pytest.mark.parametrize("ip", ["169.254.169.254", "fe80::1", "224.0.0.1", "ff02::1", "0.0.0.0"])
def test_link_local_multicast_and_unspecified_are_refused_even_when_private_is_allowed(
    ip: str,
) -> None:
    why = f"{ipaddress.ip_address(ip)} is a link-local, multicast or unspecified address"
    assert refusal(ip) == why
    assert refusal(ip, allow_private=True) == why


def test_public_addresses_pass_and_the_switch_lets_loopback_and_private_through() -> None:
    assert refusal("93.184.216.34") is None and refusal("2606:2800:220:1::1") is None
    assert refusal("127.0.0.1", allow_private=True) is None
    assert refusal("10.0.0.1", allow_private=True) is None
    assert refusal("127.0.0.1", "http", allow_private=True) is None
    assert (
        refusal("10.0.0.1", "http", True) == "plain http is allowed to loopback only, not 10.0.0.1"
    )
    assert refusal("93.184.216.34", "http", True) == (
        "plain http is allowed to loopback only, not 93.184.216.34"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("ssrf")))
    proc.start(timeout=START_TIMEOUT_S)
    yield proc
    proc.stop()


def add(server: ServerProcess, url: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/webhooks", json={"url": url}, headers=ADMIN, timeout=30)


PRIVATE = f"is a private, loopback or reserved address {HINT}"
LINK_LOCAL = "is a link-local, multicast or unspecified address"
HTTPS_ONLY = (
    "the URL must be https (plain http only to loopback, with "
    "PAIRBOARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)"
)
REFUSED_URLS = [
    ("https://127.0.0.1/hook", f"127.0.0.1 resolves to 127.0.0.1 {PRIVATE}"),
    ("https://localhost:8443/hook", f"localhost resolves to 127.0.0.1 {PRIVATE}"),
    ("https://10.1.2.3/", f"10.1.2.3 resolves to 10.1.2.3 {PRIVATE}"),
    ("https://[::1]/", f"::1 resolves to ::1 {PRIVATE}"),
    ("https://[::ffff:127.0.0.1]/", f"::ffff:127.0.0.1 resolves to 127.0.0.1 {PRIVATE}"),
    (
        "https://169.254.169.254/latest/",
        f"169.254.169.254 resolves to 169.254.169.254 {LINK_LOCAL}",
    ),
    ("https://2130706433/", f"2130706433 resolves to 127.0.0.1 {PRIVATE}"),  # 127.0.0.1 as a number
    ("http://93.184.216.34/hook", HTTPS_ONLY),
    ("ftp://93.184.216.34/", "the URL must start with https://"),
    ("https://user:pw@93.184.216.34/", "the URL may not carry a user name or password"),
    ("https:///nohost", "the URL has no host"),
    ("https://93.184.216.34:99999/", "not a URL: Port out of range 0-65535"),
    ("https://93.184.216.34/" + "a" * 2048, "the URL is longer than 2048 characters"),
]


@pytest.mark.parametrize(("url", "detail"), REFUSED_URLS)
def test_the_api_refuses_urls_into_the_private_network_with_422_and_why(
    server: ServerProcess, url: str, detail: str
) -> None:
    refused = add(server, url)
    assert (refused.status_code, refused.json()["detail"]) == (422, detail)


def test_a_public_https_address_is_accepted_and_listed_without_its_secret(
    server: ServerProcess,
) -> None:
    made = add(server, "https://93.184.216.34/hook")
    assert made.status_code == 201, made.text
    listed = httpx.get(f"{server.url}/api/webhooks", headers=ADMIN).json()
    [mine] = [w for w in listed if w["id"] == made.json()["id"]]
    assert mine == {k: v for k, v in made.json().items() if k != "secret"}
    assert mine["events"] == ["session.ended", "scorecard.submitted"]
    gone = httpx.delete(f"{server.url}/api/webhooks/{mine['id']}", headers=ADMIN)
    assert gone.status_code == 204
