"""The one answer to "is this URL on this machine?" (tests and local proxies), and a strict
reading of a URL's ``scheme://host[:port]`` that refuses what ``urlsplit`` lets through
(``host:1:2``, ports out of range, credentials, whitespace) before anything is sent."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_NETLOC = re.compile(
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"  # name, IPv4 or [IPv6]
    r"(?::(?P<port>[0-9]{1,5}))?"
)


class BadURL(ValueError):
    """Not a URL we may send anything to; the message says why (and holds no credentials)."""


@dataclass(frozen=True)
class Origin:
    scheme: str  # lower case
    host: str  # lower case; IPv6 without brackets
    port: int | None
    path: str  # as given, "" or starting with "/"

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.port is not None else host

    @property
    def base(self) -> str:
        """``scheme://host[:port]``, rebuilt from the validated parts."""
        return f"{self.scheme}://{self.netloc}"


def parse_origin(url: str) -> Origin:
    """Split ``url`` strictly: http(s) only, a plain host (name, IPv4 or bracketed IPv6), an
    optional port 1-65535, no credentials, no query or fragment, printable ASCII only."""
    text = url.strip()
    if not text.isascii() or not text.isprintable() or " " in text:
        raise BadURL("the URL holds spaces, control or non-ASCII characters")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced "[" or "]"
        raise BadURL("the URL's host is not valid") from None
    if parts.scheme not in ("http", "https"):
        raise BadURL(f"the URL must be http(s), not {parts.scheme or 'schemeless'}")
    if "@" in parts.netloc:
        raise BadURL("the URL must not carry credentials")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise BadURL("the URL must not have a query or fragment")
    found = _NETLOC.fullmatch(parts.netloc)
    if found is None:
        raise BadURL("the URL's host[:port] is not valid")
    host = found["host"].lower()
    if host.startswith("["):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise BadURL("the URL's IPv6 address is not valid") from None
    port = int(found["port"]) if found["port"] is not None else None
    if port is not None and not 1 <= port <= 65535:
        raise BadURL(f"port {port} is out of range (1-65535)")
    return Origin(parts.scheme, host, port, parts.path)


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        return is_loopback_host(parse_origin(url).host)
    except BadURL:
        return False
