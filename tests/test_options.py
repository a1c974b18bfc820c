"""s3lite._options without a network: proxies from the environment and NO_PROXY held to urllib's own
rules (what httpx's ``trust_env`` and botocore read, and what s3lite used before it stopped importing
urllib.request), the timeouts of one attempt, and TLS contexts made only when first needed."""

from __future__ import annotations

import os
import ssl
import time
import urllib.request
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import s3lite
from s3lite import _options
from s3lite._options import Timeouts, TransportOptions, bypasses_proxy, environment_proxies, redacted_url


def options(**given: Any) -> TransportOptions:
    defaults: dict[str, Any] = {"timeout": 5.0, "max_connections": 1, "verify": True, "proxy": None, "trust_env": True}
    return TransportOptions(**{**defaults, **given})


# -- the environment's proxies ----------------------------------------------------------------

#: names in every case urllib distinguishes: all lower (wins), all upper, and mixed
_PROXY_NAMES = [
    f"{scheme}{suffix}"
    for scheme in ("http", "HTTP", "Http", "https", "HTTPS", "all", "ALL", "no", "NO", "ftp")
    for suffix in ("_proxy", "_PROXY", "_Proxy")
]
environments = st.dictionaries(
    st.sampled_from([*_PROXY_NAMES, "REQUEST_METHOD", "PROXY", "HTTP_PROXY_X", "_proxy"]),
    st.sampled_from(["", "http://p:1", "p:2", "socks5://s:3", "example.com", "*"]),
    max_size=8,
)


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(environments)
def test_environment_proxies_are_urllibs(environment: dict[str, str]) -> None:
    with mock.patch.dict(os.environ, environment, clear=True):
        assert environment_proxies() == urllib.request.getproxies_environment()


def test_lower_case_wins_and_an_empty_one_removes_the_scheme() -> None:
    with mock.patch.dict(os.environ, {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}, clear=True):
        assert environment_proxies() == {"https": "http://lower:2"}
    with mock.patch.dict(os.environ, {"HTTPS_PROXY": "http://upper:1", "https_proxy": ""}, clear=True):
        assert environment_proxies() == {}


def test_upper_case_http_proxy_is_ignored_under_cgi() -> None:
    """CVE-2016-1000110 ("httpoxy"): a CGI server sets HTTP_PROXY from a request's Proxy header."""
    cgi = {"REQUEST_METHOD": "GET", "HTTP_PROXY": "http://attacker:1", "HTTPS_PROXY": "http://p:2"}
    with mock.patch.dict(os.environ, cgi, clear=True):
        assert environment_proxies() == {"https": "http://p:2"}
    with mock.patch.dict(os.environ, {**cgi, "http_proxy": "http://mine:3"}, clear=True):
        assert environment_proxies()["http"] == "http://mine:3"


hosts = st.from_regex(r"(\[[0-9a-f:]{2,8}\]|[A-Za-z0-9.-]{0,14})(:[0-9]{0,5})?", fullmatch=True)
no_proxy_entries = st.one_of(
    st.from_regex(r"\.{0,2}[A-Za-z0-9.-]{0,10}(:[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["*", "localhost", "127.0.0.1", "[::1]", " example.com ", "EXAMPLE.com", ".", ""]),
)
no_proxies = st.lists(no_proxy_entries, max_size=4).map(",".join) | st.sampled_from(["*", " * ", "*,x"])


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(hosts, no_proxies)
@example("s3.example.com.", ".")  # an entry of dots alone: the empty name, which a trailing dot ends in
@example("s3.example.com:", "s3.example.com")  # an empty port is no part of the name
def test_no_proxy_is_decided_as_urllib_decides(host: str, no_proxy: str) -> None:
    assert bypasses_proxy(host, no_proxy) == urllib.request.proxy_bypass_environment(host, {"no": no_proxy})


@settings(deadline=None)  # a loaded 2-core CI machine, not a slow parser
@given(st.sampled_from(["s3.example.com", "S3.Example.COM", "a.b.s3.example.com"]), st.data())
def test_no_proxy_covers_a_name_and_its_subdomains_without_case(host: str, data: st.DataObject) -> None:
    entry = data.draw(st.sampled_from(["example.com", ".example.com", "..Example.Com", " s3.example.com"]))
    assert bypasses_proxy(host, f"other.org, {entry}")
    assert bypasses_proxy(f"{host}:9000", entry)
    assert not bypasses_proxy(host, "ample.com")  # a suffix of the name, not of a label
    assert not bypasses_proxy("example.com.evil.org", entry)


@pytest.mark.parametrize(
    ("environment", "scheme", "host", "expected"),
    [
        ({"HTTPS_PROXY": "http://p:1"}, "https", "s3.example.com", "http://p:1"),
        ({"HTTPS_PROXY": "http://p:1"}, "http", "s3.example.com", None),
        ({"HTTP_PROXY": "http://h:1", "ALL_PROXY": "http://a:2"}, "https", "s3.example.com", "http://a:2"),
        ({"HTTP_PROXY": "http://h:1", "ALL_PROXY": "http://a:2"}, "http", "s3.example.com", "http://h:1"),
        ({"HTTP_PROXY": "proxy:3128"}, "http", "s3.example.com", "http://proxy:3128"),
        ({"HTTP_PROXY": "http://h:1", "NO_PROXY": "example.com"}, "http", "s3.example.com:9000", None),
        ({"HTTP_PROXY": "http://h:1", "NO_PROXY": "127.0.0.1"}, "http", "127.0.0.1:9000", None),
        ({"HTTP_PROXY": "http://h:1", "NO_PROXY": "127.0.0.1:9001"}, "http", "127.0.0.1:9000", "http://h:1"),
        ({"HTTP_PROXY": "http://h:1", "NO_PROXY": "*"}, "http", "s3.example.com", None),
        ({"HTTP_PROXY": "http://h:1", "NO_PROXY": "[::1]:9000"}, "http", "[::1]:9000", None),
        ({"NO_PROXY": "*"}, "http", "s3.example.com", None),
        ({}, "https", "s3.example.com", None),
    ],
)
def test_proxy_for_the_endpoint(environment: dict[str, str], scheme: str, host: str, expected: str | None) -> None:
    with mock.patch.dict(os.environ, environment, clear=True):
        assert options().proxy_for(scheme, host) == expected
        assert options(trust_env=False).proxy_for(scheme, host) is None
        assert options(proxy="http://explicit:1", trust_env=True).proxy_for(scheme, host) == "http://explicit:1"


@pytest.mark.parametrize("proxy", ["ftp://p:1", "http://p:1:notaport", "socks4://p:1"])
def test_an_unusable_environment_proxy_is_refused_naming_the_variable_not_the_url(proxy: str) -> None:
    with (
        mock.patch.dict(os.environ, {"HTTPS_PROXY": proxy.replace("p:1", "user:pw@p:1")}, clear=True),
        pytest.raises(s3lite.ParamValidationError, match="HTTPS_PROXY") as caught,
    ):
        options().proxy_for("https", "s3.example.com")
    assert "pw" not in str(caught.value)


def test_redacted_url_never_shows_the_password() -> None:
    assert redacted_url("http://user:pw@p:1") == "http://user:***@p:1"
    assert redacted_url("http://p:1") == "http://p:1"
    assert "pw" not in repr(options(proxy="http://user:pw@127.0.0.1:3128"))


# -- timeouts ---------------------------------------------------------------------------------


def test_timeouts_for_an_attempt_shorten_only_the_pool_wait_to_the_time_left() -> None:
    limits = options(timeout=10.0)
    now = time.monotonic()
    assert limits.timeouts_for(None, now) == Timeouts(10.0, 10.0, 10.0, 10.0)
    assert limits.timeouts_for(now + 60, now) == Timeouts(10.0, 10.0, 10.0, 10.0)
    assert limits.timeouts_for(now + 2.5, now) == Timeouts(10.0, 10.0, 10.0, 2.5)
    assert limits.timeouts_for(now - 1, now).pool == 0.001, "past the deadline: the least wait, never none"


def test_a_pool_without_limit_still_waits_no_longer_than_the_attempt() -> None:
    import httpx

    limits = options(timeout=httpx.Timeout(10.0, pool=None))
    now = time.monotonic()
    assert limits.timeouts_for(None, now).pool is None
    assert limits.timeouts_for(now + 3, now) == Timeouts(10.0, 10.0, 10.0, 3.0)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), float("nan"), True, "5", [5]])
def test_a_bad_timeout_is_refused(timeout: Any) -> None:
    with pytest.raises(s3lite.ParamValidationError, match="timeout"):
        options(timeout=timeout)


# -- TLS --------------------------------------------------------------------------------------


def test_the_verifying_context_is_made_at_first_use_and_shared() -> None:
    first, second = options(), options()
    assert first._tls is None, "not at build time: an http endpoint never needs it"
    assert first.tls_context() is second.tls_context() is _options.shared_tls_context()
    assert options(verify=False).tls_context() is False
    own = ssl.create_default_context()
    assert options(verify=own).tls_context() is own


def test_ssl_cert_file_is_the_shared_contexts_bundle(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_options, "_tls_context", None)  # as in a new process
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    context = _options.shared_tls_context()
    assert [cert["subject"] for cert in context.get_ca_certs()] == [((("commonName", "s3lite test"),),)]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_a_ca_path_is_loaded_when_the_options_are_built(certificate: tuple[Path, Path], tmp_path: Path) -> None:
    loaded = options(verify=str(certificate[0]))
    assert isinstance(loaded._tls, ssl.SSLContext) and len(loaded._tls.get_ca_certs()) == 1
    assert isinstance(options(verify=str(tmp_path)).tls_context(), ssl.SSLContext)  # a directory: capath
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    with pytest.raises(s3lite.ParamValidationError, match="no usable CA certificates"):
        options(verify=str(empty))
