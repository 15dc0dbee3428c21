"""Cases of an audit from a .csv or .xlsx file: parse, preview row by row, then add all or nothing.

One row per case. Columns, matched case-insensitively by their headings: case reference, case type, household
type, logged outcome, year assessed, notes, and one column per element headed with the element's name (as the
audit's template names it) holding its score, "n/a" for not applicable. A row with every element's score is
added scored; a row with no scores is added to be scored later; a row with some but not all is an error.
Attribute values must be in the audit's lists (matched case-insensitively).
"""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import insert, select

from tracker.audits import services
from tracker.audits.forms import NA_WORDS
from tracker.audits.models import AttributeKind, Audit, AuditCase, AuditElement, AuditScore
from tracker.core.db import utcnow
from tracker.exchange.imports import (  # the figures import's limits and readers: one way to read a file
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ImportFileError,
    _csv_rows,
    _text,
)
from tracker.extensions import db

#: Accepted headings (normalised) per column that is not an element.
COLUMNS = {
    "reference": ("case reference", "reference", "case ref", "ref", "case"),
    "case_type": ("case type", "type"),
    "household": ("household type", "household"),
    "outcome": ("logged outcome", "outcome"),
    "year": ("year assessed", "year"),
    "notes": ("notes", "note"),
}
KINDS = {"case_type": AttributeKind.CASE_TYPE, "household": AttributeKind.HOUSEHOLD,
         "outcome": AttributeKind.OUTCOME, "year": AttributeKind.YEAR}


def _normalise(value) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", str(value or "").lower()).split())


def _rows(filename: str, data: bytes):
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file must be smaller than 2 MB"))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        return _csv_rows(data)
    if extension != "xlsx":
        raise ImportFileError(_("The file must be a .csv or .xlsx file"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("The file is not a valid .xlsx workbook")) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any failure to open means "not a workbook"
        raise ImportFileError(_("The file is not a valid .xlsx workbook")) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [list(row) for _n, row in zip(range(MAX_ROWS * 2 + 2), workbook.worksheets[0].iter_rows(
                max_col=MAX_COLUMNS, values_only=True), strict=False)]
    finally:
        workbook.close()


def parse(audit: Audit, filename: str, data: bytes) -> list[dict]:
    """The file's rows as text: ``{"row", "reference", "case_type", …, "scores": {element id: text}}``.

    :raises ImportFileError: another kind of file, too large, too many rows, unreadable, or a heading row that
        names none of the columns.
    """
    elements = services.elements_of(audit)
    by_title = {_normalise(e.title): e for e in elements}
    mapping: dict | None = None
    parsed: list[dict] = []
    for number, row in enumerate(_rows(filename, data), start=1):
        cells = [_text(v) for v in list(row)[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if mapping is None:
            names = [_normalise(c) for c in cells]
            mapping = {}
            for key, aliases in COLUMNS.items():
                index = next((i for i, n in enumerate(names) if n in aliases and i not in mapping.values()), None)
                if index is not None:
                    mapping[key] = index
            mapping["scores"] = {by_title[n].id: i for i, n in enumerate(names) if n in by_title}
            if len(mapping) == 1 and not mapping["scores"]:
                raise ImportFileError(_("The first row must name the columns: case reference, case type, household "
                                        "type, logged outcome, year assessed, notes, and each element"))
            continue
        if len(parsed) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than %(n)s rows", n=MAX_ROWS))
        item = {"row": number, "scores": {}}
        for key in COLUMNS:
            index = mapping.get(key)
            item[key] = cells[index] if index is not None and index < len(cells) else ""
        for element_id, index in mapping["scores"].items():
            item["scores"][str(element_id)] = cells[index] if index < len(cells) else ""
        parsed.append(item)
    if mapping is None:
        raise ImportFileError(_("The file is empty"))
    return parsed


@dataclass
class RowResult:
    row: int
    reference: str
    errors: list[str]
    score: int = 0
    possible: int = 0
    scored: bool = False
    attributes: dict = field(default_factory=dict, repr=False)
    scores: dict = field(default_factory=dict, repr=False)
    notes: str = ""


def _score(element: AuditElement, raw: str) -> tuple[int | None, str | None]:
    text = raw.strip()
    if text.casefold() in NA_WORDS:
        return None, None
    if text.isascii() and text.isdigit() and int(text) <= element.max_score:
        return int(text), None
    return None, _("%(element)s: the score must be a whole number from 0 to %(max)s, or n/a",
                   element=element.title, max=element.max_score)


def preview(audit: Audit, rows: list[dict]) -> list[RowResult]:
    """What adding each row would do, without changing anything (a fixed number of statements)."""
    elements = services.elements_of(audit)
    lists = services.attributes_of(audit)
    values = {kind: {a.label.casefold(): a for a in lists[kind]} for kind in AttributeKind}
    results = []
    for row in rows:
        result = RowResult(row=row.get("row", 0), reference=str(row.get("reference", ""))[:60], errors=[],
                           notes=str(row.get("notes", ""))[:10_000])
        for key, kind in KINDS.items():
            raw = str(row.get(key, "")).strip()
            if raw and raw.casefold() not in values[kind]:
                result.errors.append(_("%(kind)s “%(value)s” is not in the audit's list", kind=kind.label,
                                       value=raw[:60]))
            result.attributes[kind] = values[kind].get(raw.casefold()) if raw else None
        raw_scores = {int(k): str(v) for k, v in (row.get("scores") or {}).items() if str(k).isdigit()}
        given = {e.id: raw_scores.get(e.id, "").strip() for e in elements}
        if any(given.values()):
            missing = [e.title for e in elements if not given[e.id]]
            if missing:
                result.errors.append(_("Score every element or none: no score for %(elements)s",
                                       elements=", ".join(missing)))
            else:
                for element in elements:
                    value, error = _score(element, given[element.id])
                    if error:
                        result.errors.append(error)
                    result.scores[element.id] = value
                result.scored = not result.errors
                result.score, result.possible = services.case_total(elements, result.scores)
        results.append(result)
    return results


def commit(audit: Audit, rows: list[dict]) -> int:
    """Add every row's case (scored when its row gives scores); all or nothing. The rows' values were checked
    by :func:`preview` against the audit's own elements and lists, so the cases and their scores are written
    in bulk: the same few statements for 10 rows or 1,000 (one case at a time took eight a row).

    :raises ImportFileError: a row has an error (nothing is added).
    """
    results = preview(audit, rows)
    if any(r.errors for r in results):
        raise ImportFileError(_("Nothing was imported: correct the rows with errors and upload the file again"))
    services.lock_audit(audit)
    first, now = services.next_case_number(audit), utcnow()
    cases = []
    for number, result in enumerate(results, start=first):
        chosen = result.attributes
        cases.append({
            "audit_id": audit.id, "number": number, "reference": result.reference.strip(),
            "notes": result.notes.strip(),
            **{column: chosen[kind].id if chosen[kind] else None
               for kind, column in services.ATTRIBUTE_COLUMNS.items()},
            "score": result.score if result.scored else 0, "possible": result.possible if result.scored else 0,
            "scored_dt": now if result.scored else None})
    # Core statements: the unit of work would send one INSERT per case, and one per score. The new cases'
    # ids are read back by their numbers (the audit's lock is held; an ordered RETURNING would be sent a
    # row at a time on SQLite).
    connection = db.session.connection()
    connection.execute(insert(AuditCase.__table__), cases)
    ids = dict(connection.execute(select(AuditCase.number, AuditCase.id).where(
        AuditCase.audit_id == audit.id, AuditCase.number >= first)).all())
    scores = [{"case_id": ids[case["number"]], "element_id": element_id, "score": value}
              for case, result in zip(cases, results, strict=True) if result.scored
              for element_id, value in result.scores.items()]
    if scores:
        connection.execute(insert(AuditScore.__table__), scores)
    return len(results)
