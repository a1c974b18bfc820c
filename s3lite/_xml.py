"""XML in and out: request bodies with ElementTree's escaping rules, responses through a hardened expat.

Responses are parsed by expat directly, with the protections defusedxml applies (DTDs, entity
declarations and external references refused, so no entity expansion can happen) and one more
(nesting deeper than S3 ever sends is refused). It builds a few small nodes rather than
ElementTree elements: defusedxml must use ElementTree's pure-Python parser to install its handlers,
which cost a call more than the rest of its parsing (see tests/bench).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NoReturn
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from ._errors import ResponseParseError

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

#: S3's documents nest four levels at most; anything far deeper is hostile (and would recurse).
MAX_DEPTH = 32

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_text(text: str) -> str:
    """Escape element text as ElementTree does ("&"->"&amp;", "<"->"&lt;", ">"->"&gt;"; quotes in an
    ETag stay literal, s3-spec.md §1.4), so our bodies equal botocore's byte for byte."""
    return text.translate(_TEXT_ESCAPES)


_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)


def escape_attribute(text: str) -> str:
    """Escape an attribute value as ElementTree does (``_escape_attrib``), quotes and whitespace included."""
    return text.translate(_ATTRIBUTE_ESCAPES)


def element(name: str, content: str, attributes: str = "") -> str:
    """``<name attributes>content</name>``, or ``<name attributes />`` when empty, as ElementTree
    writes an element without text or children (s3-spec.md §1.4: ``<ETag />``)."""
    return f"<{name}{attributes}>{content}</{name}>" if content else f"<{name}{attributes} />"


#: the attributes of an element that has none (never mutated)
_NO_ATTRIBUTES: dict[str, str] = {}


class Node:
    """An element read as ElementTree's are (so that results read both the same way: iterating gives
    the children, ``tag`` is ``{namespace}Name`` when namespaced, ``text`` the character data before
    the first child or None, ``attrib`` the attributes with ``{namespace}name`` keys); ``children``
    and ``name`` (the tag without its namespace) are what error documents are read by."""

    __slots__ = ("attrib", "children", "name", "tag", "text")

    def __init__(self, tag: str, name: str) -> None:
        self.tag = tag
        self.name = name
        self.children: list[Node] = []
        self.text: str | None = None
        self.attrib = _NO_ATTRIBUTES

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)


class _Builder:
    """expat callbacks building :class:`Node` s; refuses what defusedxml refuses."""

    __slots__ = ("pending", "root", "stack")

    def __init__(self) -> None:
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.pending: list[str] = []

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        stack = self.stack
        # expat gives "namespace}Name" for namespaced elements (namespace_separator "}")
        brace = tag.rfind("}")
        node = Node(tag, tag) if brace < 0 else Node("{" + tag, tag[brace + 1 :])
        if attributes:
            node.attrib = {(f"{{{k}" if "}" in k else k): v for k, v in attributes.items()}
        if stack:
            parent = stack[-1]
            if not parent.children and self.pending:
                parent.text = "".join(self.pending)
            parent.children.append(node)
            if len(stack) >= MAX_DEPTH:
                raise ResponseParseError(f"Refused unsafe XML in the response: nested deeper than {MAX_DEPTH}")
        else:
            self.root = node
        self.pending.clear()
        stack.append(node)

    def end(self, _tag: str) -> None:
        node = self.stack.pop()
        if not node.children and self.pending:
            node.text = "".join(self.pending)
        self.pending.clear()


def _refuse(kind: type[Exception]) -> Any:
    def handler(*_args: Any) -> NoReturn:
        raise ResponseParseError(f"Refused unsafe XML in the response: {kind.__name__}")

    return handler


_refuse_dtd = _refuse(DTDForbidden)
_refuse_entity = _refuse(EntitiesForbidden)
_refuse_external = _refuse(ExternalReferenceForbidden)


def parse(body: bytes) -> Node:
    """The root element of an XML response; a library error for anything that is not safe, well-formed XML."""
    builder = _Builder()
    parser = expat.ParserCreate(None, "}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.pending.append
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise ResponseParseError(f"Unable to parse the response body as XML: {exc}") from None
    except (ValueError, LookupError) as exc:  # UnicodeError is a ValueError; LookupError: unknown encoding
        raise ResponseParseError(f"Unable to parse the response body as XML: {exc}") from None
    if builder.root is None:  # expat reports "no element found" first; kept for the type checker
        raise ResponseParseError("Unable to parse the response body as XML: no element found")
    return builder.root


#: S3's own XML declaration: the common case of a plain document, recognised without a regex
_S3_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
#: the encodings in which a DTD cannot hide from a byte search (expat decodes others first)
_PLAIN_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def parse_result(body: bytes) -> Any:
    """The root of a result document, read as ElementTree elements are (``Node`` or ElementTree's).

    One that is plain UTF-8 (or ASCII) without ``<!DOCTYPE`` goes to ElementTree's C parser (3-4x
    faster than building the tree in Python: a 1,000-key listing page in 6 ms rather than 20):
    without a DTD there is nothing to expand or fetch (no entity can be declared), and in those
    encodings a DTD cannot be written without those bytes. Anything else goes through :func:`parse`,
    which refuses DTDs in any encoding. Nesting is not limited there: results are read by their
    shapes, which never descend further than the model does. ElementTree is imported here, by the
    first result parsed (~4 ms, kept out of a client's cold start: issue 14).
    """
    if b"<!DOCTYPE" in body or not _plain(body):
        return parse(body)
    from xml.etree.ElementTree import ParseError, XMLParser

    parser = XMLParser()
    try:
        parser.feed(body)
        return parser.close()
    except ParseError as exc:
        raise ResponseParseError(f"Unable to parse the response body as XML: {exc}") from None
    except (ValueError, LookupError) as exc:
        raise ResponseParseError(f"Unable to parse the response body as XML: {exc}") from None


def _plain(body: bytes) -> bool:
    """UTF-8 or ASCII as far as expat will read it: no UTF-16/32 (a NUL in the first bytes, or their
    byte-order marks), and no XML declaration naming another encoding."""
    if body.startswith(_S3_DECLARATION) or (body[:1] == b"<" and body[1:2] not in (b"?", b"\x00")):
        return True  # S3's declaration, or an element first in a single-byte encoding (UTF-16 has a NUL)
    head = body[:256]
    if b"\x00" in head[:4] or head.startswith((b"\xfe\xff", b"\xff\xfe")):
        return False
    declared = _DECLARED_ENCODING.match(head.lstrip(b"\xef\xbb\xbf \t\r\n"))
    return declared is None or declared.group(1).decode("ascii", "replace").lower() in _PLAIN_ENCODINGS


def local_name(tag: str) -> str:
    """A tag without its ``{namespace}`` (botocore's ``_node_tag``)."""
    return tag[tag.index("}") + 1 :] if tag.startswith("{") else tag


def to_dict(node: Node) -> dict[str, Any]:
    """Children by local name: text for leaves, dicts for nested elements (how error bodies are read).

    As botocore reads them: an empty leaf is None, not "" (it keeps ``element.text``; Ceph RGW sends
    ``<Message></Message>``), and a name that repeats reads as the children of its first element.
    """
    out: dict[str, Any] = {}
    first: dict[str, Node] = {}
    for child in node.children:
        name = child.name
        if name in first:
            out[name] = to_dict(first[name])
            continue
        first[name] = child
        out[name] = to_dict(child) if child.children else child.text
    return out
