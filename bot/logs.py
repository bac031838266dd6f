"""Log lines that stay one line each: whatever a person typed (a page name, an address) may
hold line breaks, and written raw they would let them forge lines of their own. Readable
text by default; one JSON object per line with PAGEKEEPER_LOG_FORMAT=json. Either way a line
written while a request is served names its id."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from bot.requests_log import WithRequestId

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
FORMATS = ("text", "json")


class OneLineFormatter(logging.Formatter):
    """Line breaks and other control characters in a message are escaped (\\n, \\r, \\x1b);
    a traceback, written by the program itself, keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record).translate(_ESCAPES)
        request = getattr(record, "request_id", "")
        return f"{line} request={request}" if request else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: at, level, logger, message, request (when serving one), and
    the error's traceback as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request_id", "")
        if request:
            line["request"] = request
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


_ESCAPES = {
    code: ("\\n" if code == 10 else "\\r" if code == 13 else f"\\x{code:02x}")
    for code in [*range(0, 9), *range(10, 32), 127]
}


def configure(form: str = "text") -> None:
    """Send INFO and above to standard error, one line per message, as text or JSON."""
    if form not in FORMATS:
        raise ValueError(f"PAGEKEEPER_LOG_FORMAT must be text or json, not {form!r}")
    # No line names its source file, thread or process: not gathering them spares a walk up
    # the stack and several look-ups on every line (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if form == "json" else OneLineFormatter(FORMAT))
    handler.addFilter(WithRequestId())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
