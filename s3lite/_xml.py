"""XML in and out: building request bodies with the standard library's escaping rules, and parsing
responses through defusedxml only, so entity expansion, external entities and DTDs are refused."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ._errors import ResponseParseError

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_text(text: str) -> str:
    """Escape element text as ElementTree does ("&"->"&amp;", "<"->"&lt;", ">"->"&gt;"; quotes in an
    ETag stay literal, s3-spec.md §1.4), so our bodies equal botocore's byte for byte."""
    return text.translate(_TEXT_ESCAPES)


def element(name: str, children: list[str] | str) -> str:
    body = children if isinstance(children, str) else "".join(children)
    return f"<{name}>{body}</{name}>"


def parse(body: bytes) -> Element:
    """The root element of an XML response; a library error for anything that is not safe, well-formed XML."""
    try:
        return fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ResponseParseError(f"Refused unsafe XML in the response: {type(exc).__name__}") from None
    except (ParseError, ValueError, UnicodeError) as exc:
        raise ResponseParseError(f"Unable to parse the response body as XML: {exc}") from None


def local_name(tag: str) -> str:
    """``{namespace}Name`` -> ``Name``: "children matched by local name, namespaces stripped" (§1.4)."""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def to_dict(node: Element) -> dict[str, Any]:
    """Children by local name: text for leaves, dicts for nested elements (how error bodies are read).

    An empty leaf is None, not "": botocore's error parser keeps ``element.text`` as it is, so an
    empty ``<Message></Message>`` (Ceph RGW sends one) reads ``'Message': None``.
    """
    out: dict[str, Any] = {}
    for child in node:
        name = local_name(child.tag)
        out[name] = to_dict(child) if len(child) else child.text
    return out
