"""Where the server listens and who may come in: ``[HOST:]PORT`` parsed, loopback told apart, the token.

Standard library only, so the command line checks everything here before textual-serve is imported. The
rule a shared GPU machine needs: every user of the machine can reach its loopback address, so a token is
made by default even there (``--token ''`` turns it off, on loopback only); any other address always has
one, given (``--token`` or ``$TRAINMON_SERVE_TOKEN``) or made with :func:`secrets.token_urlsafe`.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_ENV = "TRAINMON_SERVE_TOKEN"
MIN_TOKEN_LENGTH = 16
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")  # URL-safe as it is: the printed URL carries it unquoted
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")


class BindError(ValueError):
    """A ``--serve`` address or token that cannot be used; the message is one line."""


@dataclass(frozen=True, slots=True)
class Bind:
    host: str  # an IP address (IPv6 without brackets) or a host name
    port: int

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def netloc(self) -> str:
        """``host:port`` as a URL writes it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_bind(text: str) -> Bind:
    """``PORT``, ``HOST:PORT``, ``[IPv6]:PORT`` or ``[IPv6]``; an empty text is the default address."""
    text = text.strip()
    if not text:
        return Bind(DEFAULT_HOST, DEFAULT_PORT)
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise BindError(f"{text!r}: write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:8000")
        port_text = rest[1:] if rest else str(DEFAULT_PORT)
        return Bind(_ipv6(host, text), _port(port_text, text))
    if text.isdigit():
        return Bind(DEFAULT_HOST, _port(text, text))
    if text.count(":") > 1:
        raise BindError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:8000")
    host, sep, port_text = text.partition(":")
    return Bind(_host(host, text), _port(port_text if sep else str(DEFAULT_PORT), text))


def _ipv6(host: str, text: str) -> str:
    try:
        return str(ipaddress.IPv6Address(host))
    except ValueError:
        raise BindError(f"{text!r}: {host!r} is not an IPv6 address") from None


def _host(host: str, text: str) -> str:
    if not host:
        raise BindError(f"{text!r}: the host is missing (give PORT alone for {DEFAULT_HOST})")
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    if len(host) > 253 or not _HOSTNAME.fullmatch(host) or host.replace(".", "").isdigit():
        raise BindError(f"{text!r}: {host!r} is not an IP address or a host name")
    return host.lower()


def _port(port_text: str, text: str) -> int:
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise BindError(f"{text!r}: the port is a number from 1 to 65535")
    return int(port_text)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ``::1`` (also IPv4-mapped ``::ffff:127.x``) and ``localhost``; any other name is not,
    since it may resolve anywhere, and ``0.0.0.0`` / ``::`` are every interface."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def resolve_token(bind: Bind, given: str | None) -> str | None:
    """The token the server asks for, or None for none. ``given`` None: make one; ``''``: none, which only
    loopback may have; anything else must be at least 16 URL-safe characters (a guessable token is none)."""
    if given is None:
        return secrets.token_urlsafe(24)
    if given == "":
        if not bind.loopback:
            raise BindError(
                f"{bind.netloc} is reachable from other machines: it needs a token "
                "(leave --token out to have one made)"
            )
        return None
    if len(given) < MIN_TOKEN_LENGTH or not TOKEN_CHARS.fullmatch(given):
        raise BindError(
            f"the token must be at least {MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 . _ ~ - "
            "(leave --token out to have one made)"
        )
    return given


def token_matches(expected: str | None, offered: str | None) -> bool:
    """Whether ``offered`` is the token, compared in constant time; anything goes when there is none."""
    if expected is None:
        return True
    if offered is None:
        return False
    return hmac.compare_digest(_bytes(expected), _bytes(offered))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # any text compares, none raises


def page_url(bind: Bind, token: str | None) -> str:
    """The URL to open: ``http://127.0.0.1:8000/?token=...`` (``0.0.0.0`` and ``::`` say ``HOSTNAME``)."""
    shown = bind
    if bind.host in ("0.0.0.0", "::"):
        shown = Bind("HOSTNAME", bind.port)
    query = f"?token={quote(token, safe='')}" if token else ""
    return f"http://{shown.netloc}/{query}"
