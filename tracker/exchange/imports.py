"""Indicator figures from a .csv or .xlsx file: parse, preview row by row, then write all or nothing.

Columns (headings matched case-insensitively; the "Figures" sheet of an export is accepted as it is):
indicator code, organisation (name or slug), period number, value, numerator, denominator, testing phase
(yes/no), note, source. A count takes its value; a proportion its numerator and denominator (its value
column is ignored); a yes/no indicator takes yes or no as its value; a narrative takes its text. When
the file has no testing phase, note or source column, a figure keeps what it had. Numbers are read
as everywhere else (``tracker.core.numbers``), except that thousands separators are accepted (``1,234``).
"""

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.core import i18n, numbers
from tracker.exchange.files import FORMULA_STARTS
from tracker.exchange.tables import figure_headings, figures_sheet_name
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.programmes.permissions import can_edit_org, can_manage_programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Figure, Indicator, Unit

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
#: An .xlsx is a zip file: what its parts may add up to once unpacked (a guard against zip bombs).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Columns read from a spreadsheet row; anything to the right is ignored.
MAX_COLUMNS = 50

FIELDS = ("code", "organisation", "period", "value", "numerator", "denominator", "testing_phase", "note", "source")
REQUIRED = ("code", "organisation", "period")
#: Accepted headings per field, best first (normalised: lower case, punctuation as spaces).
ALIASES = {
    "code": ("indicator code", "code", "indicator"),
    "organisation": ("organisation", "organization", "organisation name", "organization name", "org"),
    "period": ("period number", "period no", "period"),
    "value": ("value", "actual", "figure"),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "testing_phase": ("testing phase yes no", "testing phase", "testing phase y n"),
    "note": ("note", "notes"),
    "source": ("source", "data source"),
}
#: Yes and no as people (and the export, in either language) write them.
YES = {"yes", "y", "true", "1", "ie", "oes", "do"}
NO = {"no", "n", "false", "0", "na", "nac oes", "naddo"}


class ImportFileError(ValueError):
    """The file cannot be read as figures; the message is shown to the person."""


class ImportRejected(ValueError):
    """At least one row is an error, so nothing is written."""

    def __init__(self, results: list["RowResult"]):
        errors = [r for r in results if r.status == "error"]
        super().__init__(_("%(n)s rows have errors", n=len(errors)))
        self.results = results


@dataclass
class ParsedFile:
    """The rows of a file as text, keyed by field; ``columns`` are the fields the file has."""

    columns: list[str]
    rows: list[dict]

    def to_json(self) -> dict:
        return {"columns": self.columns, "rows": self.rows}

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        return cls(list(data["columns"]), list(data["rows"]))


# --- reading files --------------------------------------------------------------------------------


def _normalise_heading(value) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", str(value or "").lower()).split())


def _aliases() -> dict[str, tuple[str, ...]]:
    """Each field's accepted headings: :data:`ALIASES`, and the export's own headings in both languages (a
    file exported in Welsh is imported as it is, whatever language the person importing it reads)."""
    exported = []
    for language in i18n.LANGUAGES:
        with i18n.in_language(language):
            exported.append(figure_headings())
    return {name: tuple(dict.fromkeys([*ALIASES[name], *(_normalise_heading(h[name]) for h in exported)]))
            for name in FIELDS}


def _text(value) -> str:
    """A cell as text: whole numbers without ``.0``; a neutralised cell (``'=…``) without its apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _map_columns(header: list) -> dict[str, int]:
    names = [_normalise_heading(h) for h in header]
    found: dict[str, int] = {}
    aliases = _aliases()
    for name in FIELDS:
        for alias in aliases[name]:
            index = next((i for i, n in enumerate(names) if n == alias and i not in found.values()), None)
            if index is not None:
                found[name] = index
                break
    return found


def _rows_to_parsed(rows) -> ParsedFile:
    """The first non-blank row is the heading row; blank rows are skipped; row numbers are the file's."""
    mapping: dict[str, int] | None = None
    parsed: list[dict] = []
    for number, row in enumerate(rows, start=1):
        cells = [_text(v) for v in list(row)[:MAX_COLUMNS]]
        if not any(cells):
            if number > MAX_ROWS * 2:
                raise ImportFileError(_("The file has more than %(n)s rows", n=MAX_ROWS))
            continue
        if mapping is None:
            mapping = _map_columns(cells)
            missing = [figure_headings()[name] for name in REQUIRED if name not in mapping]
            if missing:
                raise ImportFileError(_("The file has no column for: %(columns)s. The first row must name the "
                                        "columns.", columns=", ".join(missing)))
            continue
        if len(parsed) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(n)s rows", n=MAX_ROWS))
        item = {"row": number}
        for name, index in mapping.items():
            item[name] = cells[index] if index < len(cells) else ""
        parsed.append(item)
    if mapping is None:
        raise ImportFileError(_("The file is empty"))
    return ParsedFile([name for name in FIELDS if name in mapping], parsed)


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file must be saved as “CSV UTF-8”")) from error
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(_("The file is not a valid CSV file")) from error


def _xlsx_parsed(data: bytes) -> ParsedFile:
    """The sheet named "Figures" (or "Ffigurau") if there is one, otherwise the first sheet whose heading row names the
    required columns, otherwise the first sheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("The file is not a valid .xlsx workbook")) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Workbook contains no default style"
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure to open means "not a workbook"
        raise ImportFileError(_("The file is not a valid .xlsx workbook")) from error
    try:
        named = set()
        for language in i18n.LANGUAGES:
            with i18n.in_language(language):
                named.add(figures_sheet_name().lower())
        sheets = sorted(workbook.worksheets, key=lambda s: s.title.strip().lower() not in named)
        first_error = None
        for sheet in sheets:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return _rows_to_parsed(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            except ImportFileError as error:
                first_error = first_error or error
        raise first_error or ImportFileError(_("The file is empty"))
    finally:
        workbook.close()


def parse(filename: str, data: bytes) -> ParsedFile:
    """Read a .csv (UTF-8) or .xlsx file of figures.

    :raises ImportFileError: another kind of file, too large, too many rows, unreadable, or without the
        indicator code, organisation and period number columns.
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file must be smaller than 2 MB"))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        return _rows_to_parsed(_csv_rows(data))
    if extension == "xlsx":
        return _xlsx_parsed(data)
    raise ImportFileError(_("The file must be a .csv or .xlsx file"))


# --- preview and commit ---------------------------------------------------------------------------


STATUS_LABELS = {"new": lambda: _("New"), "changed": lambda: _("Changed"), "unchanged": lambda: _("Unchanged"),
                 "error": lambda: _("Error")}


@dataclass
class RowResult:
    """What importing one row would do: ``new``, ``changed``, ``unchanged`` or ``error``, and why."""

    row: int
    status: str
    reason: str
    code: str
    organisation: str
    period: str
    shown: str
    indicator: Indicator | None = field(default=None, repr=False)
    org: Organisation | None = field(default=None, repr=False)
    period_number: int | None = None
    values: services.FigureValues | None = field(default=None, repr=False)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]()


def _flag(raw: str) -> bool | None:
    """``True``/``False`` for yes/no; ``None`` for blank; raises ``ValueError`` for anything else."""
    text = raw.strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(raw)


def _whole_number(raw: str) -> int:
    number = numbers.parse_number(raw, whole=True)
    if number is None:
        raise ValueError(raw)
    return int(number)


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _differences(old: dict, new: dict) -> str:
    labels = {"value": _("Value"), "numerator": _("Numerator"), "denominator": _("Denominator"), "flag": _("Value"),
              "narrative": _("Narrative"), "is_testing_phase": _("Testing phase"), "note": _("Note"),
              "source": _("Source")}

    def shown(key, value):
        if key in ("flag", "is_testing_phase") and value is not None:
            return _("Yes") if value else _("No")
        return _short(value) if value not in (None, "") else _("blank")

    return "; ".join(f"{labels[k]}: {shown(k, old[k])} → {shown(k, new[k])}" for k in labels if old[k] != new[k])


def _shown(row: dict) -> str:
    if row.get("numerator") or row.get("denominator"):
        return f"{row.get('numerator', '')}/{row.get('denominator', '')}"
    return _short(row.get("value", ""))


def preview(programme: Programme, rows: ParsedFile | dict, user: User | None, today: date) -> list[RowResult]:
    """What importing ``rows`` as ``user`` would do to each figure, without changing anything.

    A row is an error when its indicator code or organisation is unknown in the programme, the person
    may not change that organisation's figures, the period is not a whole number, does not exist or has
    not started, the period is locked (unless the person is a facilitator), a number is invalid or a
    numerator is above its denominator, the value is missing, or an earlier row has the same indicator,
    organisation and period.
    """
    parsed = rows if isinstance(rows, ParsedFile) else ParsedFile.from_json(rows)
    columns = set(parsed.columns)
    indicators = {i.code: i for i in queries.indicators(programme)}
    by_name = {o.name.casefold(): o for o in programme.organisations}
    by_slug = {o.slug.lower(): o for o in programme.organisations}
    may_change_locked = can_manage_programme(user, programme)
    editable: dict[int, bool] = {}
    existing = {(f.indicator_id, f.organisation_id, f.period_number): f for f in db.session.scalars(
        select(Figure).join(Indicator, Indicator.id == Figure.indicator_id)
        .where(Indicator.programme_id == programme.id))}
    seen: dict[tuple[int, int, int], int] = {}
    results = []
    for row in parsed.rows:
        code, org_name, period_raw = row.get("code", ""), row.get("organisation", ""), row.get("period", "")
        result = RowResult(row["row"], "error", "", code, org_name, period_raw, _shown(row))
        results.append(result)

        def error(reason: str, result=result) -> None:
            result.status, result.reason = "error", reason

        indicator = indicators.get(code) or (indicators.get(code.split()[0]) if code.split() else None)
        if not code:
            error(_("Enter the indicator code"))
            continue
        if indicator is None:
            error(_("Unknown indicator code “%(code)s”", code=code))
            continue
        if not org_name:
            error(_("Enter the organisation"))
            continue
        org = by_name.get(org_name.strip().casefold()) or by_slug.get(org_name.strip().lower())
        if org is None:
            error(_("Unknown organisation “%(name)s”", name=org_name))
            continue
        if org.id not in editable:
            editable[org.id] = can_edit_org(user, org)
        if not editable[org.id]:
            error(_("You cannot change the figures of %(org)s", org=org.name))
            continue
        try:
            period_number = _whole_number(period_raw)
        except (ArithmeticError, ValueError):
            error(_("The period number must be a whole number, such as 1") if period_raw
                  else _("Enter the period number"))
            continue
        key = (indicator.id, org.id, period_number)
        if key in seen:
            error(_("Duplicate of row %(n)s: the same indicator, organisation and period", n=seen[key]))
            continue
        seen[key] = result.row
        result.indicator, result.org, result.period_number = indicator, org, period_number
        current = existing.get(key)
        try:
            is_testing = _flag(row.get("testing_phase", "")) if "testing_phase" in columns else None
        except ValueError:
            error(_("Testing phase must be yes or no"))
            continue
        if is_testing is None:
            is_testing = current.is_testing_phase if current is not None else True
        values = services.FigureValues(
            is_testing_phase=is_testing,
            note=row.get("note", "") if "note" in columns else (current.note if current else ""),
            source=row.get("source", "") if "source" in columns else (current.source if current else ""))
        raw_value = row.get("value", "")
        if indicator.unit == Unit.COUNT:
            values.value = numbers.without_thousands(raw_value)
        elif indicator.unit == Unit.PROPORTION:
            values.numerator = numbers.without_thousands(row.get("numerator", ""))
            values.denominator = numbers.without_thousands(row.get("denominator", ""))
        elif indicator.unit == Unit.YES_NO:
            try:
                values.flag = _flag(raw_value)
            except ValueError:
                error(_("The value must be yes or no"))
                continue
        else:
            values.narrative = raw_value
        try:
            stored = services.validate_figure(indicator, programme, period_number, values, today)
        except services.FigureInvalid as invalid:
            error("; ".join(invalid.errors.values()))
            continue
        period = period_rules.period(programme, period_number)
        if period.is_locked(today) and not may_change_locked:
            error(_("Figures for %(label)s are locked. Ask a facilitator to change them.", label=period.label))
            continue
        result.values = values
        new = services.snapshot(Figure(**stored))
        if current is None:
            result.status = "new"
        elif services.snapshot(current) == new:
            result.status = "unchanged"
        else:
            result.status, result.reason = "changed", _differences(services.snapshot(current), new)
    return results


def commit(programme: Programme, rows: ParsedFile | dict, user: User | None, today: date) -> int:
    """Write every new or changed figure (each change keeps its history, marked "import") and return
    how many. Changes the session and flushes; the caller commits, or rolls back on any exception.

    :raises ImportRejected: a row is an error, so nothing may be written.
    """
    results = preview(programme, rows, user, today)
    if any(r.status == "error" for r in results):
        raise ImportRejected(results)
    may_change_locked = can_manage_programme(user, programme)
    written = 0
    for result in results:
        if result.status in ("new", "changed"):
            _figure, changed = services.save_figure(
                result.indicator, result.org, result.period_number, result.values, user=user, today=today,
                expected_version=None, via="import", may_change_locked=may_change_locked)
            written += int(changed)
    return written


def summary(results: list[RowResult]) -> dict[str, int]:
    """How many rows of each status."""
    counts = dict.fromkeys(("new", "changed", "unchanged", "error"), 0)
    for result in results:
        counts[result.status] += 1
    return counts
