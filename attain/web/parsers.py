"""The API's JSON body parser: DRF's, with the errors it leaves to the server or to
Python's English.

DRF catches ``ValueError`` only: a body nested thousands of levels deep (``[[[[…``)
made ``json.load`` raise ``RecursionError``, a server error; and its message for a
malformed body is Python's, in English, whatever the caller's language. Here both are a
400 in the caller's language, with the line and column of a syntax error.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The request body is nested too deeply.")) from None
        except ParseError as error:
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _(
                    "The request body is not valid JSON (line %(line)s, column %(column)s)."
                ) % {"line": cause.lineno, "column": cause.colno}
            else:
                message = _("The request body is not valid JSON.")
            raise ParseError(message) from None
