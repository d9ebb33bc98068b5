from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSONParser that answers 400 to absurdly nested documents.

    A body like `[[[[…` makes the json module hit Python's recursion limit and raise RecursionError,
    which DRF does not turn into a ParseError: it would be a 500 for the client's bad input.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
