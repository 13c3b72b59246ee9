"""The API's JSON parser, with limits: a body nested 2.000 deep made the standard parser
recurse until Python gave up (a server error), and DRF reads a body without the size limit
Django applies to forms."""

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_DEPTH = 50  # the deepest the API's own bodies go is 3 (a list of rows of values)

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def nesting_depth(body: bytes) -> int:
    """How deep the brackets of a JSON text nest, brackets inside strings not counted."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


class LimitedJSONParser(JSONParser):
    """JSON bodies of at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes, nested at most MAX_DEPTH
    deep; anything else is a 400 with the API's error body, before json parses it."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) if stream is not None else b""
        if len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise body_too_large()
        if nesting_depth(body) > MAX_DEPTH:
            raise ParseError(
                _("The JSON is nested more than %(max)s levels deep.") % {"max": MAX_DEPTH}
            )
        encoding = get_encoding(parser_context or {})  # text encodings only
        try:
            data = json.loads(body.decode(encoding), parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": exc}
            ) from exc
        if _has_nul(data):
            # No field may hold it, and PostgreSQL cannot even look it up ("A string literal
            # cannot contain NUL"): refused here, once, before any field reads the body.
            raise ParseError(_("The request body contains a NUL character (U+0000)."))
        return data


def _has_nul(data) -> bool:
    """Whether any text in the parsed body, a key or a value, holds U+0000. Iterative: the
    depth is already bounded, but a stack costs nothing."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def body_too_large() -> ParseError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return ParseError(
        _("The request body is larger than %(max)s bytes.")
        % {"max": f"{limit:,}".replace(",", ".")}
    )


def _no_constant(name):
    # NaN and Infinity are not JSON (DRF's STRICT_JSON refuses them too).
    raise ValueError(f"{name} is not allowed")
