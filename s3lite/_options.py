"""What users set about the network: timeouts, connection limits, TLS and proxies, checked once.

Shared by both clients and by every transport (s3lite's own HTTP/1.1 pool, or httpx's). Nothing here
imports httpx or ssl: a client with an http endpoint and no proxy loads neither (issue 14's cold
start), and a client built with an ``httpx.Timeout`` or an ``ssl.SSLContext`` was handed an object
of a module its caller already imported.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from typing import TYPE_CHECKING, NamedTuple

from ._errors import ParamValidationError

if TYPE_CHECKING:
    import ssl

    import httpx

#: the pool's wait for a free connection, the connect, each socket read and each write, in seconds
#: (None: no limit), as httpx names them
TIMEOUT_PHASES = ("connect", "read", "write", "pool")

#: botocore's default connect and read timeout (httpx's is 5 s)
DEFAULT_TIMEOUT = 60.0

#: how long an idle connection is kept for reuse: httpx's default (urllib3, under botocore, keeps them
#: without limit and so reuses connections that servers already closed)
KEEPALIVE_EXPIRY = 5.0

#: proxy URL schemes httpx can use (socks5 needs httpx's ``socks`` extra)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class Timeouts(NamedTuple):
    """One limit per phase (see :data:`TIMEOUT_PHASES`), each bounding one operation on its own."""

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None

    def as_dict(self) -> dict[str, float | None]:
        """The form httpx's request extension ``timeout`` takes."""
        return {"connect": self.connect, "read": self.read, "write": self.write, "pool": self.pool}


def _seconds(value: object, what: str) -> float | None:
    """A timeout in seconds: a positive, finite number, or None (no limit) where httpx allows it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ParamValidationError(f"Invalid {what}: must be a positive, finite number of seconds")
    return float(value)


def _timeouts(timeout: object) -> Timeouts:
    """``timeout=`` as given to a client: seconds for every phase, None for botocore's 60 s, or an
    ``httpx.Timeout`` (taken phase by phase, so an httpx user's per-phase limits carry over)."""
    httpx_module = sys.modules.get("httpx")
    if httpx_module is not None and isinstance(timeout, httpx_module.Timeout):
        phases = timeout.as_dict()
        return Timeouts(*(_seconds(phases[phase], f"timeout ({phase})") for phase in TIMEOUT_PHASES))
    seconds = DEFAULT_TIMEOUT if timeout is None else _seconds(timeout, "timeout")
    return Timeouts(seconds, seconds, seconds, seconds)


def redacted_url(url: str) -> str:
    """``scheme://user:***@host`` - a proxy URL fit for a repr or a message (its password never)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}"


def checked_proxy(proxy: str, where: str) -> str:
    """``proxy`` if httpx can use it, else a ParamValidationError naming ``where`` and never the URL
    (its userinfo may hold a password, and httpx's own parse errors quote pieces of it).

    A proxy is driven by httpx's transport (see :func:`s3lite._client` and ``_async_client``), so
    httpx is imported here, only when a proxy is in play."""
    scheme = proxy.partition("://")[0].lower() if "://" in proxy else ""
    if scheme not in PROXY_SCHEMES:
        raise ParamValidationError(
            f"Invalid {where}: the proxy URL's scheme must be one of {', '.join(PROXY_SCHEMES)} "
            f"(got {scheme or 'none'!r})"
        )
    import importlib.util

    import httpx

    try:
        httpx.Proxy(proxy)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ParamValidationError(f"Invalid {where}: not a URL httpx can use as a proxy") from None
    if scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        # httpx would raise a bare ImportError when the transport is built
        raise ParamValidationError(
            f"Invalid {where}: a SOCKS proxy needs httpx's socks extra (pip install 'httpx[socks]')"
        )
    return proxy


def environment_proxies() -> dict[str, str]:
    """``<scheme>_proxy`` variables by scheme (``no`` for NO_PROXY), as ``urllib.request.getproxies``
    reads them on POSIX, which is what httpx's ``trust_env`` and botocore use (importing urllib.request
    costs ~20 ms, a sixth of a cold start): any case is accepted and the lower-case spelling wins, an
    empty lower-case variable removes the scheme, and ``HTTP_PROXY`` in upper case is ignored under
    CGI (``REQUEST_METHOD`` set: CVE-2016-1000110, the "httpoxy" header). tests/test_options.py holds
    this to urllib's own for generated environments."""
    proxies: dict[str, str] = {}
    environ = os.environ
    for name, value in environ.items():
        if value and name[-6:].lower() == "_proxy":
            proxies[name[:-6].lower()] = value
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":  # the lower-case spelling last, so that it wins
            if value:
                proxies[name[:-6].lower()] = value
            else:
                proxies.pop(name[:-6].lower(), None)
    return proxies


def bypasses_proxy(host: str, no_proxy: str) -> bool:
    """Whether ``host`` (a name or address, maybe ``:port``) is covered by ``no_proxy``, as
    ``urllib.request.proxy_bypass_environment`` decides: ``*`` covers all; each comma-separated entry,
    leading dots dropped, covers itself and its subdomains, compared without case, with or without
    the port. An entry of dots alone is, as there, the empty name: it covers names that end in a dot."""
    if no_proxy == "*":
        return True
    host = host.lower()
    hostonly = host
    head, colon, port = host.rpartition(":")
    if colon and not port.strip("0123456789"):  # urllib's ``:[0-9]*``: an empty port goes too
        hostonly = head
    for entry in no_proxy.split(","):
        if not (entry := entry.strip()):
            continue
        name = entry.lstrip(".").lower()
        if name in (hostonly, host) or hostonly.endswith(f".{name}") or host.endswith(f".{name}"):
            return True
    return False


_tls_lock = threading.Lock()
_tls_context: ssl.SSLContext | None = None


def shared_tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, made at the first https connection (loading the CA
    bundle takes 15-60 ms here, and httpx makes one per client): what ``httpx.create_ssl_context()``
    makes - ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set, else certifi's bundle, which httpx and
    botocore use too."""
    global _tls_context
    with _tls_lock:
        if _tls_context is None:
            import ssl

            if cafile := os.environ.get("SSL_CERT_FILE"):
                _tls_context = ssl.create_default_context(cafile=cafile)
            elif capath := os.environ.get("SSL_CERT_DIR"):
                _tls_context = ssl.create_default_context(capath=capath)
            else:
                import certifi

                _tls_context = ssl.create_default_context(cafile=certifi.where())
        return _tls_context


def _is_ssl_context(value: object) -> bool:
    ssl_module = sys.modules.get("ssl")  # an SSLContext comes from a module its maker imported
    return ssl_module is not None and isinstance(value, ssl_module.SSLContext)


class TransportOptions:
    """What users need from an HTTP stack: timeouts, connection limits, TLS and proxies.

    ``timeouts`` bound each phase on its own (connect, each socket read, each write, the wait for a
    pooled connection), as in httpx and botocore; ``attempt_timeout`` bounds one attempt as a whole
    (see :mod:`s3lite._deadline`). Everything is checked here, at build time, so that a bad option
    is a ParamValidationError and never an error on every call.
    """

    __slots__ = ("_tls", "attempt_timeout", "max_connections", "proxy", "timeouts", "trust_env", "verify")

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout | None,
        max_connections: int,
        verify: bool | str | ssl.SSLContext,
        proxy: str | None,
        trust_env: bool,
        attempt_timeout: float | None = None,
    ) -> None:
        if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
            raise ParamValidationError("Invalid max_connections: must be an int of at least 1")
        if not isinstance(verify, (bool, str)) and not _is_ssl_context(verify):
            raise ParamValidationError(
                f"Invalid type for verify, type: {type(verify).__name__}, valid types: bool, str, ssl.SSLContext"
            )
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ParamValidationError("Invalid verify: no CA bundle file or directory at the path given")
        if proxy is not None:
            if not isinstance(proxy, str):
                raise ParamValidationError(f"Invalid type for proxy, type: {type(proxy).__name__}, valid types: str")
            checked_proxy(proxy, "proxy")
        self.timeouts = _timeouts(timeout)
        self.max_connections = max_connections
        self.verify = verify
        self.proxy = proxy
        self.trust_env = trust_env
        self.attempt_timeout = _seconds(attempt_timeout, "attempt_timeout")
        self._tls: ssl.SSLContext | bool | None = None
        if isinstance(verify, str):
            self.tls_context()  # a CA file that holds no certificate is refused now, not at the first call

    def __repr__(self) -> str:
        proxy = None if self.proxy is None else redacted_url(self.proxy)
        return (
            f"TransportOptions(timeouts={self.timeouts!r}, max_connections={self.max_connections!r}, "
            f"verify={self.verify!r}, proxy={proxy!r}, trust_env={self.trust_env!r}, "
            f"attempt_timeout={self.attempt_timeout!r})"
        )

    def timeouts_for(self, deadline: float | None, now: float) -> Timeouts:
        """The timeouts of an attempt that must end by ``deadline`` (monotonic, ``now`` being now):
        the wait for a pooled connection shortened to the time left, as :func:`s3lite._deadline.bounded`
        shortens every connect, read and write."""
        timeouts = self.timeouts
        if deadline is None:
            return timeouts
        left = max(deadline - now, 0.001)
        if timeouts.pool is not None and timeouts.pool <= left:
            return timeouts
        return timeouts._replace(pool=left)

    def tls_context(self) -> ssl.SSLContext | bool:
        """The TLS context ``verify`` asks for, made at first use: the shared verifying one for True,
        one loaded from the path given, or the caller's own; False for no verification (httpx makes
        that context itself)."""
        if self._tls is None:
            self._tls = self._make_tls_context()
        return self._tls

    def _make_tls_context(self) -> ssl.SSLContext | bool:
        verify = self.verify
        if verify is True:
            return shared_tls_context()
        if isinstance(verify, str):
            import ssl

            try:
                if os.path.isdir(verify):
                    return ssl.create_default_context(capath=verify)
                return ssl.create_default_context(cafile=verify)
            except (OSError, ssl.SSLError):
                raise ParamValidationError("Invalid verify: the file given holds no usable CA certificates") from None
        return verify

    def proxy_for(self, scheme: str, host: str) -> str | None:
        """The explicit ``proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` unless ``NO_PROXY``
        covers the endpoint (httpx's ``trust_env`` behaviour)."""
        if self.proxy is not None:
            return self.proxy
        if not self.trust_env:
            return None
        proxies = environment_proxies()
        if not proxies:
            return None
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        if "no" in proxies and bypasses_proxy(hostname, proxies["no"]):
            return None
        variable = scheme if scheme in proxies else "all"
        proxy = proxies.get(variable)
        if proxy is None:
            return None
        if "://" not in proxy:  # "proxy:3128": http:// assumed, as httpx and botocore assume it
            proxy = f"http://{proxy}"
        return checked_proxy(proxy, f"proxy from the environment ({variable.upper()}_PROXY)")
