"""CSV as the adapters send it: streamed a chunk at a time, every cell one a spreadsheet
opens safely."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterable, Sequence

from aiohttp import web

# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_WRITE = 500


def safe_cell(cell: str) -> str:
    """`cell`, with a leading quote when a spreadsheet would read it as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


async def stream_csv(
    request: web.Request,
    filename: str,
    header: Sequence[str],
    rows: AsyncIterable[Sequence[str]],
    *,
    private: bool = False,
) -> web.StreamResponse:
    """`rows` under `header` as a CSV download, written ROWS_PER_WRITE rows at a time."""
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    if private:
        headers["Cache-Control"] = "private, no-store"
    response = web.StreamResponse(headers=headers)
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    async for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
        if count % ROWS_PER_WRITE == 0:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            # A write returns at once while the client keeps up: let clicks, health checks
            # and deliveries in between chunks of a long download.
            await asyncio.sleep(0)
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response
