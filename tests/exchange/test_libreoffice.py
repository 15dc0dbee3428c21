"""The .xlsx opens in LibreOffice with the same figures the app computed.

LibreOffice (Debian: ``libreoffice-calc-nogui``) converts the workbook to CSV headless, one file per
sheet, and every cell is compared with the table the app built: numbers as numbers, text as text
(formula-like text stays neutralised text, never a formula). Skipped when LibreOffice is not installed,
except in CI (``CI=true``), where its absence is a failure.
"""

import csv
import os
import shutil
import subprocess
from decimal import Decimal

import pytest

from tests.exchange.conftest import TODAY
from tracker.exchange import files, tables

#: CSV filter: comma, double quote, UTF-8, first line 1, cells as shown, every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI: apt-get install -y libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui")
    return found


def convert(binary: str, workbook, outdir) -> dict[str, list[list[str]]]:
    profile = workbook.parent / "lo-profile"
    subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", CSV_FILTER,
                    "--outdir", str(outdir), str(workbook)], check=True, capture_output=True, timeout=180)
    sheets = {}
    for path in outdir.glob(f"{workbook.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[path.stem[len(workbook.stem) + 1:]] = list(csv.reader(handle))
    return sheets


def expected_cell(value):
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    return str(files.neutralise(value))


def test_libreoffice_reads_the_same_figures(world, results, tmp_path):
    binary = soffice()
    built = tables.results_tables(world.programme, [world.org_a, world.org_b], TODAY)
    workbook = tmp_path / "results.xlsx"
    workbook.write_bytes(files.to_xlsx(built))
    read = convert(binary, workbook, tmp_path / "out")
    assert sorted(read) == ["Figures", "Results tracker"]
    numbers = 0
    for name, table in built.items():
        rows = read[name]
        assert len(rows) >= len(table.rows)
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                want = expected_cell(value)
                got = rows[r][c] if c < len(rows[r]) else ""
                if isinstance(want, Decimal):
                    numbers += 1
                    assert Decimal(got) == want, f"{name} row {r + 1} column {c + 1}: {got!r} != {want}"
                else:
                    assert got == want, f"{name} row {r + 1} column {c + 1}: {got!r} != {want!r}"
        assert not any(any(cell for cell in row) for row in rows[len(table.rows):])
    assert numbers >= 20
    tracker = read["Results tracker"]
    count = next(row for row in tracker if row[1] == "1.1.1 Households helped")
    assert count[3:5] == ["Higher is better", "Off track (red)"]
    assert count[5:8] == ["10", "5", "15"]  # across all organisations: the sum
    reported = tracker[tracker.index(count) + 1]
    assert (reported[1], reported[7]) == ("Organisations reported", "2 of 2 reported")
    at = next(i for i, row in enumerate(tracker) if row[1] == "1.1.2 Share of households falling out")
    share, numerators, denominators = tracker[at:at + 3]
    assert [Decimal(v) for v in share[5:8]] == [25, 10, 20]  # pooled 6/30, not the mean of 25% and 10%
    assert numerators[1] == "Numerator: fell out" and [Decimal(v) for v in numerators[5:8]] == [5, 1, 6]
    assert denominators[1] == "Denominator: households" and [Decimal(v) for v in denominators[5:8]] == [20, 10, 30]
    story = next(row for row in tracker if row[1] == "1.1.4 What changed")
    assert story[8] == "'=HYPERLINK(\"http://evil.example\")"
    shares = [row for row in read["Figures"] if row[0] == "1.1.2"]
    assert [[Decimal(v) for v in row[5:8]] for row in shares] == [[5, 20, 25], [1, 10, 10]]
