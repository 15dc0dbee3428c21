"""Tables to files: .csv (UTF-8 with a byte-order mark, so Excel reads it right) and .xlsx (openpyxl).

Every string cell of every export goes through :func:`neutralise`, so a cell that a spreadsheet would
take for a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) is shown as text.
Numbers stay numbers.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV_MIMETYPE = "text/csv; charset=utf-8"
#: The most characters an Excel cell holds.
XLSX_CELL_LIMIT = 32767
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What a spreadsheet may read as the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """Rows of plain values (str, int, Decimal, float, date or ``None``); the first ``header_rows`` rows
    are headings. ``section_rows`` (indexes into ``rows``) are headings inside the table (an objective,
    an outcome); ``merges`` are ``(first_row, first_col, last_row, last_col)``, 0-based, for the .xlsx."""

    rows: list[list]
    header_rows: int = 1
    section_rows: set[int] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def header(self) -> list:
        return self.rows[0] if self.rows else []

    @property
    def body(self) -> list[list]:
        return self.rows[self.header_rows:]


def neutralise(value):
    """A string that a spreadsheet would take for a formula gets a leading apostrophe; anything else
    (numbers included) comes back unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(table) -> list[list]:
    return table.rows if isinstance(table, Table) else list(table)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(neutralise(value))


def to_csv(table: Table | list[list]) -> bytes:
    """One table as CSV: UTF-8 with a byte-order mark, CRLF line ends, every string cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in _rows(table):
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip().strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _xlsx_value(value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        # Whole numbers as integers; others as floats (Excel keeps 15 significant digits anyway).
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        # Control characters other than tab and line ends are not allowed in the file format.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))[:XLSX_CELL_LIMIT]
    return value


def to_xlsx(sheets: dict[str, Table | list[list]]) -> bytes:
    """A workbook with one sheet per table: bold, frozen headings; wrapped text; column widths from the
    content (10 to 50 characters); numbers as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for name, table in sheets.items():
        if not isinstance(table, Table):
            table = Table(list(table))
        sheet = workbook.create_sheet(sheet_title(name, taken))
        widths: dict[int, int] = {}
        for r, row in enumerate(table.rows, start=1):
            is_heading = r <= table.header_rows or (r - 1) in table.section_rows
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=_xlsx_value(value))
                cell.alignment = wrap
                if is_heading:
                    cell.font = bold
                if value is not None and (r - 1) not in table.section_rows:
                    longest = max((len(line) for line in str(cell.value).splitlines()), default=0)
                    widths[c] = max(widths.get(c, 0), longest)
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 10), 50)
        for first_row, first_col, last_row, last_col in table.merges:
            sheet.merge_cells(start_row=first_row + 1, start_column=first_col + 1, end_row=last_row + 1,
                              end_column=last_col + 1)
        if table.header_rows:
            sheet.freeze_panes = sheet.cell(row=table.header_rows + 1, column=1)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
