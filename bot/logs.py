"""Log lines that stay one line each: whatever a person typed (a page name, an address) may
hold line breaks, and written raw they would let them forge lines of their own."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


class OneLineFormatter(logging.Formatter):
    """Line breaks and other control characters in a message are escaped (\\n, \\r, \\x1b);
    a traceback, written by the program itself, keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return super().formatMessage(record).translate(_ESCAPES)


_ESCAPES = {
    code: ("\\n" if code == 10 else "\\r" if code == 13 else f"\\x{code:02x}")
    for code in [*range(0, 9), *range(10, 32), 127]
}


def configure() -> None:
    """Send INFO and above to standard error, one line per message."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
