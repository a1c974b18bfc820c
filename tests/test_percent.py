"""s3lite's own percent-encoding gives urllib.parse.quote's output for the two safe sets S3 uses."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from s3lite._percent import quote_path, quote_value

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))


@given(TEXT)
def test_same_as_urllib(text: str) -> None:
    assert quote_path(text) == quote(text, safe="/~")
    assert quote_value(text) == quote(text, safe="-_.~") == quote(text, safe="")


def test_fixed_cases() -> None:
    assert quote_path("a b/./c+d~é%") == "a%20b/./c%2Bd~%C3%A9%25"
    assert quote_value("a/b c=d&e") == "a%2Fb%20c%3Dd%26e"
    assert quote_path("plain/key.txt") == "plain/key.txt"
