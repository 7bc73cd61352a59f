"""Which webhook addresses the platform may send to.

A co-op chooses its webhook URL, and the platform's workers then POST to it from
inside the hosting network. Unless `WEBHOOKS_ALLOW_PRIVATE` is on (development
and tests, where receivers run on 127.0.0.1), a URL is refused when any address
its host resolves to is not a public one: loopback, private ranges, link-local
(which holds the cloud metadata service), multicast, reserved or unspecified.
Otherwise a co-op could make the platform call its own admin ports, the database
or the metadata service.

The check runs when the URL is saved and again before every delivery, because
the name may resolve elsewhere by then. Deliveries connect to the very addresses
that `vetted_addresses` returned, so a second lookup cannot swap them.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_SCHEMES = ("http", "https")
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """One address to connect to: the socket family and the address tuple for `connect`."""

    family: int
    sockaddr: tuple


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def is_forbidden_address(address: Address) -> bool:
    """True for anything but a public unicast address, looking inside IPv4-mapped IPv6."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return is_forbidden_address(mapped)
    return (
        address in METADATA_ADDRESSES
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _split(url: str):
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("This is not a valid web address.", code="invalid") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise ValidationError("Use an http:// or https:// address.", code="scheme")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "Leave the user name and password out of the address.", code="credentials"
        )
    if not parts.hostname:
        raise ValidationError("The address needs a host name.", code="invalid")
    default = 443 if parts.scheme.lower() == "https" else 80
    return parts.hostname, port or default


def vetted_addresses(url: str) -> list[Target]:
    """Resolve the URL's host and return where to connect, or raise `ValidationError`.

    Every address the name resolves to must pass, not just the first: a name
    with one public and one private address could otherwise reach the private one.
    """
    host, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            f"The host name {host} could not be resolved ({exc}).", code="unresolvable"
        ) from None
    targets = []
    for family, _type, _proto, _canonname, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not allow_private() and is_forbidden_address(address):
            raise ValidationError(
                f"{host} resolves to {address}, which is not a public address: "
                "webhooks go to public addresses only.",
                code="private_address",
            )
        target = Target(family=family, sockaddr=tuple(sockaddr))
        if target not in targets:
            targets.append(target)
    if not targets:
        raise ValidationError(f"The host name {host} has no address.", code="unresolvable")
    return targets


def check_webhook_url(url: str) -> None:
    """Raise `ValidationError` if webhooks may not be sent to this URL.

    With `WEBHOOKS_ALLOW_PRIVATE` on, only the form of the address is checked
    (names need not resolve, so development can use any placeholder).
    """
    if allow_private():
        _split(url)
        return
    vetted_addresses(url)
