"""Where a webhook may be sent (server-side request forgery care) and the one HTTP POST that sends it.

Only ``http`` and ``https`` URLs without credentials. The host is resolved and *every* address it
resolves to must be public (``ipaddress``'s ``is_global``) or inside a network the configuration
allows (``WEBHOOK_ALLOWED_NETWORKS``, e.g. ``10.20.0.0/16`` for an internal receiver, or
``127.0.0.0/8`` in tests). Link-local addresses (the ``169.254.169.254`` cloud metadata service),
loopback, private and reserved ranges are refused unless allowed. The connection then goes to the
address that was checked (the hostname still names the TLS certificate and the ``Host`` header),
so a DNS answer that changes between check and send cannot redirect it. Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from survey.errors import InvalidInput

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: scheme, host name, port, path with query, and the address to use."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def parse_networks(value: str | Iterable[str] | None) -> tuple[Network, ...]:
    """Networks from config: a comma-separated string or a list of CIDRs (``""``/None: none)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())
    except ValueError as error:
        raise InvalidInput(f"WEBHOOK_ALLOWED_NETWORKS holds something that is not a network: {error}.") \
            from error


def _allowed(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


def _split(url: str) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"Webhook URLs are at most {MAX_URL_LENGTH} characters long.")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidInput(f"This is not a valid URL ({error}).") from error
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("Webhook URLs must start with https:// (or http://).")
    if not parts.hostname:
        raise InvalidInput("The webhook URL needs a host name, such as https://hooks.example.org/rapport.")
    if parts.username or parts.password:
        raise InvalidInput("Put no user name or password in the webhook URL; payloads are signed instead.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def check_target(url: str, allowed_networks: tuple[Network, ...]) -> Target:
    """Check a webhook URL and resolve its host; raise :class:`InvalidInput` with the reason."""
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise InvalidInput(f"The host {host} could not be found ({error}).") from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    refused = sorted({str(address) for address in addresses if not _allowed(address, allowed_networks)})
    if refused or not addresses:
        raise InvalidInput(
            f"Rapport does not send webhooks to {host} ({', '.join(refused) or 'no address'}): "
            "loopback, link-local (cloud metadata), private and reserved addresses are refused "
            "unless WEBHOOK_ALLOWED_NETWORKS allows them.")
    return Target(scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate must still name the host."""

    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = target.address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float,
         ca_file: str | None = None) -> int:
    """POST ``body`` to ``target`` and return the HTTP status (the response body is discarded).

    Network and TLS errors raise :class:`OSError` (``ssl.SSLError`` and timeouts included).
    """
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout, ssl.create_default_context(cafile=ca_file))
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except http.client.HTTPException as error:
        raise OSError(f"bad HTTP response ({error.__class__.__name__})") from error
    finally:
        connection.close()
