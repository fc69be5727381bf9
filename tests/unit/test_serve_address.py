"""``--serve``'s address and token rules (trainmon_tui/serve/address.py): parsing, loopback, the token."""

from __future__ import annotations

import pytest

from trainmon_tui.serve.address import (
    MIN_TOKEN_LENGTH,
    Bind,
    BindError,
    is_loopback,
    page_url,
    parse_bind,
    resolve_token,
    token_matches,
)


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("", "127.0.0.1", 8000),
        ("8765", "127.0.0.1", 8765),
        ("127.0.0.1:9000", "127.0.0.1", 9000),
        ("0.0.0.0:80", "0.0.0.0", 80),
        ("localhost:8001", "localhost", 8001),
        ("LocalHost", "localhost", 8000),
        ("gpu-box.example.org:8000", "gpu-box.example.org", 8000),
        ("[::1]:8000", "::1", 8000),
        ("[::1]", "::1", 8000),
        ("[::]:8080", "::", 8080),
        ("[0:0:0:0:0:0:0:1]:1", "::1", 1),
        ("[fe80::1]:65535", "fe80::1", 65535),
    ],
)
def test_addresses_parse(text: str, host: str, port: int) -> None:
    assert parse_bind(text) == Bind(host, port)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0", "1 to 65535"),
        ("65536", "1 to 65535"),
        ("host:", "1 to 65535"),
        ("host:http", "1 to 65535"),
        (":8000", "host is missing"),
        ("::1", "in brackets"),
        ("::1:8000", "in brackets"),
        ("[::1", "[ADDRESS]:PORT"),
        ("[::1]8000", "[ADDRESS]:PORT"),
        ("[127.0.0.1]:80", "not an IPv6 address"),
        ("[nonsense]:80", "not an IPv6 address"),
        ("bad_name:80", "not an IP address or a host name"),
        ("-x:80", "not an IP address or a host name"),
        ("1.2.3:80", "not an IP address or a host name"),
        ("a b:80", "not an IP address or a host name"),
    ],
)
def test_bad_addresses_say_why(text: str, says: str) -> None:
    with pytest.raises(BindError, match=f".*{says.replace('[', '.').replace(']', '.')}"):
        parse_bind(text)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "localhost.", "app.localhost"],
)
def test_loopback(host: str) -> None:
    assert is_loopback(host)
    assert Bind(host.strip("[]"), 8000).loopback


def test_ipv4_mapped_loopback_is_loopback() -> None:
    assert is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("::ffff:10.0.0.1")


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "fe80::1", "gpu-box", "localhost.example.com", ""]
)
def test_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_token_is_made_by_default_even_on_loopback() -> None:
    """Every user of the machine reaches its loopback address: the default is a token there too."""
    made = {resolve_token(Bind("127.0.0.1", 8000), None) for _ in range(3)}
    assert len(made) == 3 and all(token and len(token) >= 32 for token in made)
    assert resolve_token(Bind("0.0.0.0", 8000), None)


def test_no_token_on_loopback_only() -> None:
    assert resolve_token(Bind("127.0.0.1", 8000), "") is None
    assert resolve_token(Bind("::1", 8000), "") is None
    assert resolve_token(Bind("localhost", 8000), "") is None
    for host in ("0.0.0.0", "::", "10.1.2.3", "gpu-box"):
        with pytest.raises(BindError, match="needs a token"):
            resolve_token(Bind(host, 8000), "")


def test_a_given_token_is_kept_when_strong_enough() -> None:
    token = "a" * MIN_TOKEN_LENGTH
    assert resolve_token(Bind("0.0.0.0", 8000), token) == token
    for weak in ("short", "a" * (MIN_TOKEN_LENGTH - 1), "a" * 20 + " space", "a" * 20 + "&x=1", "ä" * 20):
        with pytest.raises(BindError, match="at least 16 characters"):
            resolve_token(Bind("0.0.0.0", 8000), weak)


def test_token_check() -> None:
    assert token_matches("s3cret-token-0123456", "s3cret-token-0123456")
    assert not token_matches("s3cret-token-0123456", "s3cret-token-0123457")
    assert not token_matches("s3cret-token-0123456", "s3cret")
    assert not token_matches("s3cret-token-0123456", "")
    assert not token_matches("s3cret-token-0123456", None)
    assert not token_matches("s3cret-token-0123456", "\udcff\x00é")  # any text compares, none raises
    assert token_matches(None, None) and token_matches(None, "anything")


def test_the_url_carries_the_token() -> None:
    assert page_url(Bind("127.0.0.1", 8000), "abc") == "http://127.0.0.1:8000/?token=abc"
    assert page_url(Bind("::1", 8000), "abc") == "http://[::1]:8000/?token=abc"
    assert page_url(Bind("0.0.0.0", 9000), "abc") == "http://HOSTNAME:9000/?token=abc"
    assert page_url(Bind("127.0.0.1", 8000), None) == "http://127.0.0.1:8000/"
