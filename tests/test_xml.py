"""Result documents go to ElementTree's C parser only when no DTD can be in them, and read exactly as
through the hardened parser; whatever the size or encoding, a DTD is refused."""

from __future__ import annotations

import pytest

import s3lite
from s3lite import _xml

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
BOMB = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def listing(count: int, prolog: str = "") -> str:
    contents = "".join(f"<Contents><Key>k{i} &amp; é</Key><Size>{i}</Size></Contents>" for i in range(count))
    return f'{prolog}<ListBucketResult xmlns="{NS}"><Name>b</Name>{contents}</ListBucketResult>'


def result(body: bytes) -> dict[str, object]:
    parsed = s3lite.parse("ListObjectsV2", s3lite.HttpResponse(200, {}, body))
    parsed.pop("ResponseMetadata")
    return parsed


@pytest.mark.parametrize("count", [3, 3000])
def test_elementtree_and_the_hardened_parser_read_the_same(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    body = listing(count, '<?xml version="1.0" encoding="UTF-8"?>').encode()
    assert not isinstance(_xml.parse_result(body), _xml.Node)  # ElementTree's, not the Python-built tree
    fast = result(body)
    monkeypatch.setattr(_xml, "_plain", lambda body: False)  # every document through the hardened parser
    assert isinstance(_xml.parse_result(body), _xml.Node)
    assert result(body) == fast
    assert len(fast["Contents"]) == count  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        listing(3000, BOMB).encode(),  # UTF-8: seen by the byte search
        listing(3000, '<?xml version="1.0" encoding="UTF-16"?>' + BOMB).encode("utf-16"),  # behind a BOM
        listing(3000, BOMB).encode("utf-16-le"),  # no BOM: NULs in the first bytes
        listing(3000, '<?xml version="1.0" encoding="cp500"?>' + BOMB).encode("cp500"),  # EBCDIC
    ],
    ids=["utf-8", "utf-16-bom", "utf-16-le", "ebcdic"],
)
def test_a_dtd_is_refused_in_any_encoding_at_any_size(body: bytes) -> None:
    with pytest.raises(s3lite.ResponseParseError, match="unsafe XML|Unable to parse"):
        _xml.parse_result(body)


def test_another_encoding_without_a_dtd_is_read_by_the_hardened_parser() -> None:
    body = listing(3000, '<?xml version="1.0" encoding="ISO-8859-1"?>').encode("latin-1")
    assert isinstance(_xml.parse_result(body), _xml.Node)
    assert result(body)["Contents"][0] == {"Key": "k0 & é", "Size": 0}  # type: ignore[index]


def test_broken_large_xml_is_a_parse_error() -> None:
    with pytest.raises(s3lite.ResponseParseError):
        _xml.parse_result(listing(3000).encode()[:-20])
