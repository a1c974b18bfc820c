"""Where a request goes: scheme, host and path prefix for a bucket, path- or virtual-hosted style.

"Custom endpoints default to path style" (s3-spec.md §2.9): MinIO, Ceph and moto seldom have
wildcard DNS. On AWS a bucket is virtual-hosted when its name can be a DNS label.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ._errors import ParamValidationError
from ._percent import quote_value

ADDRESSING_STYLES = ("auto", "path", "virtual")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: "3-63 chars, no uppercase, matches ^(?!-)[a-zA-Z\d-]{1,63}(?<!-)$ ... not IPv4-like" (§2.9)
_DNS_LABEL = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\Z")
_DOTTED_DNS = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
#: an endpoint URL as it can be sent: RFC 3986 characters only (non-ASCII hosts must be IDNA-encoded)
_URL_TEXT = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\Z")


class Endpoint(NamedTuple):
    """The service endpoint a client talks to: AWS's regional one, or the ``endpoint_url`` given."""

    scheme: str
    #: host[:port], lower-cased, port only when not the scheme's default
    host: str
    #: a path prefix from endpoint_url ("/pre"), without a trailing slash
    base_path: str
    custom: bool
    addressing_style: str = "auto"
    #: the endpoint URL's path ended in "/" ("http://host/prefix/"): botocore keeps it on a request
    #: whose path is the endpoint's own (ListBuckets; a virtual-hosted bucket's operations)
    trailing_slash: bool = False

    @classmethod
    def from_url(cls, url: str, *, addressing_style: str = "auto") -> Endpoint:
        """Parse ``endpoint_url``; a bad one is the caller's error, reported before any I/O."""
        _check_style(addressing_style)
        from urllib.parse import urlsplit  # once per client: kept off the import path

        # Messages never quote the URL: it may carry a password.
        if not isinstance(url, str) or not _URL_TEXT.fullmatch(url):
            raise ParamValidationError("Invalid endpoint_url: expected printable ASCII without spaces")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise ParamValidationError(f"Invalid endpoint_url: {type(exc).__name__} while parsing it") from None
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.query or parts.fragment:
            raise ParamValidationError("Invalid endpoint_url: expected http(s)://host[:port][/path]")
        if parts.username is not None or parts.password is not None:
            raise ParamValidationError("Invalid endpoint_url: credentials in the URL are not used; remove them")
        hostname = parts.hostname.lower()
        host = f"[{hostname}]" if ":" in hostname else hostname
        if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
            host = f"{host}:{port}"
        base_path = parts.path.rstrip("/")
        return cls(parts.scheme, host, base_path, True, addressing_style, bool(base_path) and parts.path.endswith("/"))

    @classmethod
    def for_region(cls, region: str, *, addressing_style: str = "auto") -> Endpoint:
        """AWS's regional endpoint (us-east-1 included: the global host is legacy, s3-spec.md §5.2)."""
        _check_style(addressing_style)
        if not re.fullmatch(r"[a-z0-9-]{1,64}", region):
            raise ParamValidationError(f"Invalid region_name {region!r}")
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return cls("https", f"s3.{region}.{suffix}", "", False, addressing_style)

    def for_service(self, service: str) -> Endpoint:
        """The same region's endpoint of another S3 service: ``<service>.<region>.amazonaws.com`` on AWS
        (botocore's endpoint rules for ``UseObjectLambdaEndpoint``: ``s3-object-lambda``, and
        ``UseS3ExpressControlEndpoint`` without a bucket: ``s3express-control``); a custom endpoint as it is."""
        if self.custom:
            return self
        return self._replace(host=f"{service}." + self.host.removeprefix("s3."))

    @property
    def root_path(self) -> str:
        """The path of the endpoint itself, as its URL gave it ("" for none)."""
        return f"{self.base_path}/" if self.trailing_slash else self.base_path

    def locate(self, bucket: str) -> tuple[str, str]:
        """(host, path prefix) for ``bucket``: the prefix ends where the key's ``/`` begins."""
        if self._virtual(bucket):
            return f"{bucket}.{self.host}", self.root_path
        return self.host, f"{self.base_path}/{quote_value(bucket)}"

    def _virtual(self, bucket: str) -> bool:
        if self.addressing_style == "path" or _IPV4.match(bucket):
            return False
        if self.addressing_style == "auto" and self.custom:
            return False
        if _DNS_LABEL.match(bucket):
            return not _is_ip_literal(self.host)
        # Dotted names break TLS wildcard certificates, so they are virtual-hosted only over http.
        return self.addressing_style == "virtual" and self.scheme == "http" and bool(_DOTTED_DNS.match(bucket))


def _is_ip_literal(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host
    return name.startswith("[") or bool(_IPV4.match(name))


def _check_style(style: str) -> None:
    if style not in ADDRESSING_STYLES:
        raise ParamValidationError(f"Invalid addressing_style {style!r}: must be one of {', '.join(ADDRESSING_STYLES)}")
