"""Feed bytes checked before the lenient feed parser reads them.

feedparser reads almost anything, which is right for getting stories out of
a sloppy feed but hides two things ingest must know: bytes that are not in
the encoding they declare (read as mojibake), and a document that is not
well-formed (read only in part).
"""

from __future__ import annotations

import re
from xml.parsers import expat

from .sources.decode import decode_body

_XML_ENCODING = re.compile(rb'^\s*<\?xml[^>]*?encoding=["\']([A-Za-z0-9._-]+)["\']')


def feed_bytes(data: bytes, charset: str | None) -> bytes:
    """Feed bytes whose encoding can be trusted.

    A feed whose bytes are not in the encoding it declares (GBK bodies
    labelled UTF-8 are common) would be read as mojibake, stored, and later
    "corrected" as an update: it is re-encoded as UTF-8 first.
    """
    match = _XML_ENCODING.match(data)
    declared = match.group(1).decode("ascii") if match else (charset or "utf-8")
    try:
        data.decode(declared)
        return data
    except (UnicodeDecodeError, LookupError):
        pass
    if match:  # the declaration must say what the bytes become
        start, end = match.span(1)
        data = data[:start] + b"utf-8" + data[end:]
    return decode_body(data, None).encode("utf-8")  # UTF-8, then GB18030


def well_formed_xml(data: bytes) -> bool:
    """True when ``data`` is one well-formed XML document (feeds are read leniently)."""
    parser = expat.ParserCreate()
    # A document that declares entities is not taken as whole: expanding them
    # only to check the form is not worth the risk.
    parser.EntityDeclHandler = _refuse_entities
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError):
        return False
    return True


def _refuse_entities(*_: object) -> None:
    raise ValueError("entity declarations are not expanded")
