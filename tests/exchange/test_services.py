"""Exports in the seed's layout, formula neutralising, and the import's parse, preview and commit."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from tests import factories
from tests.exchange.conftest import TODAY, csv_bytes, save
from tracker.board import services as board
from tracker.board.models import ConceptSheet, Kind, Priority, RoadmapColumn
from tracker.core import i18n
from tracker.exchange import files, imports, tables
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.results import services
from tracker.results.models import Figure, FigureChange, Unit


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def figure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Figure))


# --- neutralising ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+44 1234", "-2 on last time", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starts(text):
    assert files.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain text", "", 12, Decimal("-3.5"), -4, None, 2.5])
def test_neutralise_leaves_other_values(value):
    assert files.neutralise(value) == value


def test_every_string_cell_of_every_export_is_neutralised(world):
    card = factories.make_card(world.org_a, "=HYPERLINK(\"http://evil.example\",\"Click\")", user=world.team_a,
                               rationale="@cmd", description="+1")
    board.add_action(card, text="-run", owner=None, due_on=None, user=None)
    db.session.commit()
    table = tables.quick_wins_table(world.org_a, TODAY)
    rows = read_csv(files.to_csv(table))
    row = next(r for r in rows if "HYPERLINK" in r[0])
    # The name starts with the card's number, so it is safe anyway; the other cells are neutralised.
    assert row[0].startswith("2. =HYPERLINK")
    assert row[1] == "'@cmd" and row[2] == "'+1" and row[5] == "'-run"
    workbook = load_workbook(io.BytesIO(files.to_xlsx({"Quick wins": table})))
    cells = {c.value for r in workbook.active.iter_rows() for c in r if isinstance(c.value, str)}
    assert {"'@cmd", "'+1", "'-run"} <= cells
    assert all(c.data_type != "f" for r in workbook.active.iter_rows() for c in r)


def test_xlsx_keeps_numbers_as_numbers_and_freezes_bold_headings():
    table = files.Table([["Name", "Count"], ["-1", Decimal("12.50")], ["x", Decimal("3")], ["y", -2]])
    sheet = load_workbook(io.BytesIO(files.to_xlsx({"Sheet/with:bad*chars?": table}))).active
    assert sheet.title == "Sheet with bad chars"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["Name", "Count"], ["'-1", 12.5], ["x", 3],
                                                                       ["y", -2]]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].alignment.wrap_text


def test_xlsx_drops_control_characters_and_cuts_overlong_text():
    table = files.Table([["Text"], ["bell\x07 and\x0bvertical tab"], ["x" * 40000]])
    sheet = load_workbook(io.BytesIO(files.to_xlsx({"Sheet": table}))).active
    assert sheet["A2"].value == "bell andvertical tab"
    assert len(sheet["A3"].value) == files.XLSX_CELL_LIMIT


# --- tables in the seed's layout ------------------------------------------------------------------


def test_results_tracker_in_the_seed_layout(world, results):
    table = tables.results_tracker(world.programme, [world.org_a, world.org_b], TODAY)
    top, middle, bottom = table.rows[:3]
    assert top[:6] == ["Indicator definition", "Indicator", "Target", "Direction", "Progress against target",
                       "Actual count"]
    assert top[-3:] == ["Data collection frequency", "Data source", "Who will collect data"]
    # Four periods × (Council A, Council B, across all) between the fixed columns.
    assert len(top) == 5 + 4 * 3 + 3
    assert middle[5] == "0–3 months since start date" and middle[8] == "3–6 months since start date"
    assert bottom[5:8] == ["Testing phase in Council A", "Testing phase in Council B", "Across all organisations"]
    rows = table.rows
    assert rows[3][0] == "Objective 1: Reduce prevention fall-out" and 3 in table.section_rows
    assert rows[4][0] == "Outcome 1.1: Fewer households fall out"
    by_code = {r[1].split()[0]: r for r in rows[5:] if r[1] and r[1][:1].isdigit()}
    count = by_code["1.1.1"]
    assert count[:3] == ["Number of households helped", "1.1.1 Households helped", 100]
    # Council B's period 2 figure is overdue: "Missing", as the tracker page says.
    assert count[5:11] == [10, 5, 15, 12, "Missing", 12]
    assert count[-3:] == ["Quarterly", "Case system", "Front-line staff"]
    # Proportions: percentages; across all is pooled (6 of 30 = 20%), not the mean of 25% and 10%.
    assert by_code["1.1.2"][2] == 12 and by_code["1.1.2"][5:8] == [Decimal("25.0"), Decimal("10.0"), Decimal("20.0")]
    assert by_code["1.1.3"][5:8] == ["Yes", "No", "1 yes"]
    assert by_code["1.1.4"][8] == '=HYPERLINK("http://evil.example")'
    outputs = rows.index(next(r for r in rows if r[0] == "Outputs contributing to Outcome 1.1"))
    output = rows[outputs + 1]
    assert output[:2] == ["Action plan implemented", "Narrative report submitted"]
    assert output[5] == "Received 10 April 2026" and output[6] == "Overdue" and output[7] is None
    # The .csv neutralises the narrative that looks like a formula.
    text = files.to_csv(table).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def indicator_rows(table, code: str) -> list[list]:
    """The indicator's own row and the rows under it (up to the next indicator or heading)."""
    rows = table.rows
    start = next(i for i, r in enumerate(rows) if r[1] and r[1].startswith(code + " "))
    end = next((i for i in range(start + 1, len(rows)) if rows[i][0] is not None or i in table.section_rows),
               len(rows))
    return rows[start:end]


def test_results_tracker_carries_what_the_tracker_page_shows(world, results):
    table = tables.results_tracker(world.programme, [world.org_a, world.org_b], TODAY)
    count, count_reported = indicator_rows(table, "1.1.1")
    # Direction and progress against target (latest across-all figure 12 against a target of 100).
    assert count[3:5] == ["Higher is better", "Off track (red)"]
    assert count_reported[:5] == [None, "Organisations reported", None, None, None]
    assert count_reported[5:11] == [None, None, "2 of 2 reported", None, None, "1 of 2 reported"]
    # A proportion: the percentages, and under them the numerators and denominators, all numbers.
    share, numerators, denominators, share_reported = indicator_rows(table, "1.1.2")
    assert share[3:5] == ["Lower is better", "Off track (red)"]  # 20% against 12%, lower is better
    assert numerators[1] == "Numerator: fell out" and numerators[5:8] == [5, 1, 6]
    assert denominators[1] == "Denominator: households" and denominators[5:8] == [20, 10, 30]
    assert share_reported[1] == "Organisations reported" and share_reported[7] == "2 of 2 reported"
    # Yes/no: no target, so grey; Council B's figure is outside the testing phase.
    flag, testing, _reported = indicator_rows(table, "1.1.3")
    assert flag[3:5] == [None, "No target"]
    assert testing[1] == "Testing phase (yes/no)" and testing[5:8] == ["Yes", "No", None]
    story, story_reported = indicator_rows(table, "1.1.4")
    assert story_reported[10] == "1 of 2 reported"


@pytest.mark.parametrize(("value", "word"), [("100", "On track (green)"), ("125", "Ahead of target (amber)"),
                                             ("80", "Off track (red)")])
def test_results_tracker_progress_is_the_tracker_page_rag(world, results, value, word):
    save(results.count, world.org_a, 3, value=value)
    db.session.commit()
    table = tables.results_tracker(world.programme, [world.org_a], TODAY)
    assert indicator_rows(table, "1.1.1")[0][4] == word


def test_results_tracker_reads_in_a_fixed_number_of_statements(world, results):
    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            tables.results_tracker(world.programme, [world.org_a, world.org_b], TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = statements()
    outcome = results.count.outcome
    for n in range(4):
        extra = services.create_indicator(outcome, name=f"Extra {n}", unit=Unit.PROPORTION, target=Decimal("5"),
                                          numerator_label="some", denominator_label="all")
        services.create_output(outcome, description=f"Output {n}", evidence="Report")
        for org in (world.org_a, world.org_b):
            save(extra, org, 1, numerator="1", denominator="4")
    db.session.commit()
    assert statements() == before


def test_results_tracker_for_one_organisation_keeps_the_totals(world, results):
    table = tables.results_tracker(world.programme, [world.org_a], TODAY)
    assert not any("Council B" in str(cell) for row in table.rows for cell in row)
    count = next(r for r in table.rows if r[1] == "1.1.1 Households helped")
    assert count[5:7] == [10, 15]
    reported = table.rows[table.rows.index(count) + 1]
    assert reported[1] == "Organisations reported" and reported[6] == "2 of 2 reported"  # every organisation
    figures = tables.figures_table(world.programme, [world.org_a])
    assert {row[1] for row in figures.body} == {"Council A"}


def test_figures_sheet_has_the_import_columns(world, results):
    table = tables.figures_table(world.programme, [world.org_a, world.org_b])
    assert table.header == ["Indicator code", "Organisation", "Period number", "Period", "Value", "Numerator",
                            "Denominator", "Percentage", "Testing phase (yes/no)", "Note", "Source"]
    assert table.body[0] == ["1.1.1", "Council A", 1, "0–3 months since start date", 10, None, None, None, "Yes",
                             "First count", "Case system"]
    share = [r for r in table.body if r[0] == "1.1.2"]
    # A proportion is its numerator and denominator; the percentage beside them is not read by the import.
    assert [r[4:8] for r in share] == [[None, 5, 20, Decimal("25.0")], [None, 1, 10, Decimal("10.0")]]
    assert [r[4] for r in table.body if r[0] == "1.1.3"] == ["Yes", "No"]
    assert len(table.body) == 8


def test_quick_wins_in_the_seed_order(world):
    card = world.card_a
    board.update_card(card, expected_version=card.version, user=None, owners=[world.team_a], initiatives=[],
                      rationale="Friendlier letters keep people in touch", description="Rewrite the PHP",
                      priority=Priority.HIGH)
    board.add_progress_update(card, on=date(2026, 3, 2), body="Draft shared", user=None)
    db.session.commit()
    table = tables.quick_wins_table(world.org_a, TODAY)
    assert table.header == ["Name", "How does this change support the objectives?", "Description",
                            "Priority (l/m/h)", "Owner", "Actions", "Progress", "Linked quick wins", "Roadmap column"]
    assert table.body == [["1. Make letters friendlier", "Friendlier letters keep people in touch",
                           "Rewrite the PHP", "H", "Team A", "Draft new letter (due 1 February 2026) – overdue",
                           "2 March 2026: Draft shared", None, "Backlog (not started)"]]


def test_quick_wins_owners_as_the_pages_show_them(world):
    """The seed's owner "Team" is the whole project team; a card nobody owns says so, as on its page."""
    factories.make_card(world.org_a, "Team work", team_owned=True, owners=[world.team_a])
    factories.make_card(world.org_a, "The team's alone", team_owned=True)
    owners = [row[4] for row in tables.quick_wins_table(world.org_a, TODAY).body]
    assert owners == ["Nobody yet", "The project team, Team A", "The project team"]


def test_quick_wins_list_their_linked_quick_wins(world):
    """As the seed's quick wins log: "It has been identified that this links with quick wins: 2, 4"."""
    second = factories.make_card(world.org_a, "Casework standards", column=RoadmapColumn.CONCEPT)
    fourth = [factories.make_card(world.org_a, f"Quick win {n}") for n in (3, 4)][-1]
    board.link_cards(world.card_a, second, user=None)
    board.link_cards(world.card_a, fourth, user=None)
    board.link_cards(second, world.idea_a, user=None)
    db.session.commit()
    rows = {row[0].split(".")[0]: row for row in tables.quick_wins_table(world.org_a, TODAY).body}
    assert rows["1"][7] == "2, 4"
    assert rows["2"][7:] == ["1, 1.1", "Concept development"]  # linked both ways; an idea by its code
    assert rows["3"][7] is None


def test_opportunities_with_ideas_in_the_seed_order(world):
    second = factories.make_card(world.org_a, "Management standards", kind=Kind.IDEA,
                                 opportunity=world.opportunity_a, priority=Priority.LOW)
    opp = world.opportunity_a
    board.update_opportunity(opp, title=opp.title, rationale="Keeps people in the system", priority=opp.priority,
                             assignee=world.team_a, is_in_progress=True, initiatives=[])
    board.save_sheet(second, ConceptSheet, expected_version=second.version, user=None, name="Standards")
    db.session.commit()
    table = tables.opportunities_table(world.org_a, lambda card, sheet: f"https://x/cards/{card.id}#{sheet}")
    assert table.header == ["Design Opportunity", "How does this change support the objectives?",
                            "Ideas to support design opportunity", "Link to concept", "Link to prototype plan",
                            "Priority L/M/H", "Assigned to", "In progress Y/N", "Roadmap column"]
    assert table.body == [
        ["1 How might we keep in touch?", "Keeps people in the system", "1.1 Regular feedback", None, None, "M",
         "Team A", "Y", "Backlog (not started)"],
        [None, None, "1.2 Management standards", f"https://x/cards/{second.id}#concept", None, "L", None, None,
         "Backlog (not started)"],
    ]


def test_roadmap_lanes_and_columns(world):
    factories.make_card(world.org_a, "Casework standards", column=RoadmapColumn.COMPLETED)
    factories.make_card(world.org_a, "Contact methods", column=RoadmapColumn.COMPLETED)
    factories.make_card(world.org_a, "Standards review", kind=Kind.IDEA, opportunity=world.opportunity_a,
                        column=RoadmapColumn.PROTOTYPING)
    table = tables.roadmap_table(world.org_a, TODAY)
    assert table.header == ["Welsh pilot", "Backlog (not started)", "Concept development", "Prototyping", "On hold",
                            "Completed (service change implemented or live prototyping)", "Date completed"]
    quick, lane = table.body
    completed = board.today()
    assert quick[0] == "Quick wins"
    assert quick[1] == "1 Make letters friendlier"
    assert quick[5] == "2 Casework standards\n3 Contact methods"
    assert quick[6].splitlines()[0].startswith("2: ") and str(completed.year) in quick[6]
    assert lane[:4] == ["1 How might we keep in touch?", "1.1 Regular feedback", None, "1.2 Standards review"]
    assert lane[6] is None


def test_roadmap_cards_carry_their_linked_initiatives(world):
    """As the board shows them, and the seed's sample roadmap: "1.1 Review the tech used … - LINKED TO ABRITAS
    UPGRADE"."""
    abritas = programmes.add_initiative(world.programme, "Abritas upgrade")
    hmo = programmes.add_initiative(world.programme, "HMO work in Treforest")
    factories.make_card(world.org_a, "Review the tech used", kind=Kind.IDEA, opportunity=world.opportunity_a,
                        column=RoadmapColumn.CONCEPT, initiatives=[hmo, abritas])
    card = world.card_a
    board.update_card(card, expected_version=card.version, user=None, owners=[], initiatives=[abritas])
    db.session.commit()
    quick, lane = tables.roadmap_table(world.org_a, TODAY).body
    assert quick[1] == "1 Make letters friendlier – Linked to: Abritas upgrade"
    assert lane[1] == "1.1 Regular feedback"
    assert lane[2] == "1.2 Review the tech used – Linked to: Abritas upgrade, HMO work in Treforest"
    # Another organisation's roadmap does not show them.
    assert "Linked to" not in " ".join(str(c) for row in tables.roadmap_table(world.org_b, TODAY).rows for c in row)


def test_plan_tables_have_no_other_organisation_data(world):
    data = files.to_xlsx(tables.plan_tables(world.org_b, TODAY))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Quick wins", "Design opportunities", "Roadmap"]
    text = " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row)
    assert "Review debt pathway" in text and "Partnership meetings" in text
    assert "Make letters friendlier" not in text and "Regular feedback" not in text


# --- parsing --------------------------------------------------------------------------------------


def test_parse_csv_tolerates_headings_bom_semicolons_and_blank_rows():
    data = ("\ufeffINDICATOR CODE;Organization;Period;Value;Notes\n;;;;\n1.1.1;Council A;2;7;'-1 since\n"
            ).encode()
    parsed = imports.parse("figures.CSV", data)
    assert parsed.columns == ["code", "organisation", "period", "value", "note"]
    assert parsed.rows == [{"row": 3, "code": "1.1.1", "organisation": "Council A", "period": "2", "value": "7",
                            "note": "-1 since"}]


def test_parse_xlsx_prefers_the_figures_sheet():
    workbook = Workbook()
    workbook.active.append(["Results tracker"])
    figures = workbook.create_sheet("Figures")
    figures.append(["Indicator code", "Organisation", "Period number", "Period", "Value"])
    figures.append(["1.1.1", "Council A", 2.0, "3–6 months since start date", 12.5])
    figures.append([None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = imports.parse("results.xlsx", buffer.getvalue())
    assert parsed.rows == [{"row": 2, "code": "1.1.1", "organisation": "Council A", "period": "2",
                            "value": "12.5"}]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("figures.txt", b"a,b", "must be a .csv or .xlsx"),
    ("figures.csv", b"Code,Value\n1.1.1,3\n", "no column for: Organisation, Period number"),
    ("figures.csv", b"", "empty"),
    ("figures.csv", "Indicator code,Organisation,Period number\n1,Caf\xe9,1\n".encode("latin-1"), "CSV UTF-8"),
    ("figures.xlsx", b"not a zip", "not a valid .xlsx"),
    ("figures.csv", b"x" * (imports.MAX_BYTES + 1), "smaller than 2 MB"),
    ("figures.csv", b"Indicator code,Organisation,Period number\n" + b"1.1.1,A,1\n" * (imports.MAX_ROWS + 1),
     "more than 5000 rows"),
])
def test_parse_refuses_bad_files(name, data, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.parse(name, data)


def test_parse_refuses_a_workbook_that_unpacks_too_large(monkeypatch):
    workbook = Workbook()
    workbook.active.append(["Indicator code", "Organisation", "Period number"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(imports.ImportFileError, match="too large once unpacked"):
        imports.parse("figures.xlsx", buffer.getvalue())


# --- round trips ----------------------------------------------------------------------------------


def test_csv_round_trip_is_all_unchanged(world, results):
    data = files.to_csv(tables.figures_table(world.programme, [world.org_a, world.org_b]))
    parsed = imports.parse("figures.csv", data)
    found = imports.preview(world.programme, parsed, world.facilitator, TODAY)
    assert len(found) == 8
    assert {(r.status, r.reason) for r in found} == {("unchanged", "")}


def test_xlsx_round_trip_is_all_unchanged(world, results):
    data = files.to_xlsx(tables.results_tables(world.programme, [world.org_a, world.org_b], TODAY))
    parsed = imports.parse("results.xlsx", data)
    found = imports.preview(world.programme, parsed.to_json(), world.facilitator, TODAY)
    assert len(found) == 8
    assert {r.status for r in found} == {"unchanged"}


@pytest.mark.parametrize(("exported_in", "imported_in"), [("cy", "en"), ("cy", "cy"), ("en", "cy")])
def test_an_export_in_either_language_imports_as_it_is_in_either(world, results, exported_in, imported_in):
    with i18n.in_language(exported_in):
        sheets = tables.results_tables(world.programme, [world.org_a, world.org_b], TODAY)
        data = files.to_xlsx(sheets)
        csv_data = files.to_csv(tables.figures_table(world.programme, [world.org_a, world.org_b]))
    assert ("Ffigurau" in sheets) == (exported_in == "cy")
    with i18n.in_language(imported_in):
        for name, content in (("results.xlsx", data), ("figures.csv", csv_data)):
            parsed = imports.parse(name, content)
            found = imports.preview(world.programme, parsed.to_json(), world.facilitator, TODAY)
            assert len(found) == 8 and {r.status for r in found} == {"unchanged"}, name


# --- preview --------------------------------------------------------------------------------------


def test_preview_statuses_and_reasons(world, results):
    data = csv_bytes(
        "1.1.1,Council A,1,10,,,yes,First count,Case system",  # 2 unchanged
        "1.1.1,council-b,2,8,,,,,",  # 3 new (organisation by slug)
        "1.1.1,Council A,2,13,,,no,,",  # 4 changed
        "9.9.9,Council A,2,1,,,,,",  # 5 unknown indicator
        "1.1.1,Council Z,2,1,,,,,",  # 6 unknown organisation
        "1.1.1,Council A,9,1,,,,,",  # 7 no such period
        "1.1.1,Council A,4,1,,,,,",  # 8 not started
        "1.1.1,Council A,3,abc,,,,,",  # 9 not a number
        "1.1.2,Council A,3,,30,20,,,",  # 10 numerator above denominator
        "1.1.1,Council B,3,,,,,,",  # 11 missing value
        "1.1.1,council b,2,9,,,,,",  # 12 duplicate of row 3
        "1.1.2,Council B,3,,-4,5,,,",  # 13 negative
        "1.1.1,Council A,two,4,,,,,",  # 14 period not a number
        "1.1.3,Council A,3,maybe,,,,,",  # 15 yes/no
        "1.1.3,Council B,3,yes,,,perhaps,,",  # 16 testing phase
    )
    found = imports.preview(world.programme, imports.parse("f.csv", data), world.facilitator, TODAY)
    got = {r.row: (r.status, r.reason) for r in found}
    assert got[2] == ("unchanged", "")
    assert got[3] == ("new", "")
    assert got[4][0] == "changed"
    assert got[4][1] == "Value: 12 → 13; Testing phase: Yes → No; Note: -2 on last time → blank"
    assert got[5] == ("error", "Unknown indicator code “9.9.9”")
    assert got[6] == ("error", "Unknown organisation “Council Z”")
    assert got[7] == ("error", "There is no reporting period 9 in this programme")
    assert got[8] == ("error", "The period 9–12 months since start date has not started yet")
    assert got[9] == ("error", "The value must be a whole number, like 12")
    assert got[10] == ("error", "The numerator cannot be more than the denominator")
    assert got[11] == ("error", "Enter the value")
    assert got[12] == ("error", "Duplicate of row 3: the same indicator, organisation and period")
    assert got[13] == ("error", "The numerator cannot be negative")
    assert got[14] == ("error", "The period number must be a whole number, such as 1")
    assert got[15] == ("error", "The value must be yes or no")
    assert got[16] == ("error", "Testing phase must be yes or no")


def test_preview_respects_the_person_permissions(world, results):
    data = csv_bytes("1.1.1,Council A,3,4,,,,,", "1.1.1,Council B,3,4,,,,,", "1.1.1,Council A,1,11,,,,,")
    found = imports.preview(world.programme, imports.parse("f.csv", data), world.team_a, TODAY)
    assert [(r.status, r.reason) for r in found] == [
        ("new", ""),
        ("error", "You cannot change the figures of Council B"),
        ("error", "Figures for 0–3 months since start date are locked. Ask a facilitator to change them."),
    ]
    viewer = imports.preview(world.programme, imports.parse("f.csv", data), world.viewer, TODAY)
    assert {r.status for r in viewer} == {"error"}


def test_columns_missing_from_the_file_keep_what_the_figure_had(world, results):
    data = csv_bytes("1.1.1,Council A,1,11", header="Indicator code,Organisation,Period number,Value")
    (row,) = imports.preview(world.programme, imports.parse("f.csv", data), world.facilitator, TODAY)
    assert (row.status, row.reason) == ("changed", "Value: 10 → 11")


# --- commit ---------------------------------------------------------------------------------------


def test_commit_writes_every_row_with_its_history(world, results):
    data = csv_bytes("1.1.1,Council B,2,8,,,no,From import,Case system", "1.1.2,Council B,2,,3,30,,,",
                     "1.1.1,Council A,1,10,,,yes,First count,Case system")
    before = figure_count()
    written = imports.commit(world.programme, imports.parse("f.csv", data), world.facilitator, TODAY)
    db.session.commit()
    assert written == 2
    assert figure_count() == before + 2
    figure = db.session.scalar(select(Figure).where(Figure.organisation_id == world.org_b.id,
                                                    Figure.indicator_id == results.count.id, Figure.period_number == 2))
    assert (figure.value, figure.is_testing_phase, figure.note) == (Decimal("8"), False, "From import")
    change = db.session.scalar(select(FigureChange).where(FigureChange.figure_id == figure.id))
    assert (change.via, change.user_id) == ("import", world.facilitator.id)


def test_a_bad_row_in_the_middle_writes_nothing(world, results):
    data = csv_bytes("1.1.1,Council B,2,8,,,,,", "1.1.1,Council A,2,99,,,,,", "1.1.1,Council A,3,oops,,,,,",
                     "1.1.1,Council B,3,4,,,,,")
    before = figure_count()
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.commit(world.programme, imports.parse("f.csv", data), world.facilitator, TODAY)
    db.session.rollback()
    assert [r.status for r in rejected.value.results] == ["new", "changed", "error", "new"]
    db.session.expire_all()
    assert figure_count() == before
    assert db.session.scalar(select(Figure.value).where(
        Figure.organisation_id == world.org_a.id, Figure.indicator_id == results.count.id,
        Figure.period_number == 2)) == Decimal("12")


# --- command line ---------------------------------------------------------------------------------


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(board, "today", lambda: TODAY)


def test_cli_import_dry_run_then_for_real(runner, world, results, tmp_path, frozen_today):
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_bytes("1.1.1,Council B,2,8,,,,,", "1.1.1,Council A,1,10,,,yes,First count,Case system"))
    before = figure_count()
    dry = runner.invoke(args=["tracker", "import-figures", str(path), "--programme", world.programme.slug,
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "    2  new" in dry.output and "    3  unchanged" in dry.output and "Dry run" in dry.output
    assert figure_count() == before
    real = runner.invoke(args=["tracker", "import-figures", str(path), "--programme", world.programme.slug])
    assert real.exit_code == 0, real.output
    assert "1 figure imported as " + world.facilitator.email in real.output
    assert figure_count() == before + 1


def test_cli_import_with_an_error_writes_nothing_and_exits_1(runner, world, results, tmp_path, frozen_today):
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_bytes("1.1.1,Council A,3,4,,,,,", "1.1.1,Council B,3,4,,,,,"))
    before = figure_count()
    result = runner.invoke(args=["tracker", "import-figures", str(path), "--programme", world.programme.slug,
                                 "--as", world.team_a.email])
    assert result.exit_code == 1
    assert "    3  error      You cannot change the figures of Council B" in result.output
    assert figure_count() == before
    outsider = runner.invoke(args=["tracker", "import-figures", str(path), "--programme", world.programme.slug,
                                   "--as", world.outsider.email])
    assert outsider.exit_code != 0 and "has no role" in outsider.output


def test_cli_export(runner, world, results, tmp_path, frozen_today):
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"results.{fmt}"
        result = runner.invoke(args=["tracker", "export-results", "--programme", world.programme.slug,
                                     "--format", fmt, "--output", str(path)])
        assert result.exit_code == 0, result.output
    rows = read_csv((tmp_path / "results.csv").read_bytes())
    assert rows[0][:3] == ["Indicator definition", "Indicator", "Target"]
    assert rows[2][5:8] == ["Testing phase in Council A", "Testing phase in Council B", "Across all organisations"]
    workbook = load_workbook(tmp_path / "results.xlsx")
    assert workbook.sheetnames == ["Results tracker", "Figures"]
    figures = tmp_path / "figures.csv"
    result = runner.invoke(args=["tracker", "export-results", "--programme", world.programme.slug, "--format",
                                 "csv", "--sheet", "figures", "--output", str(figures)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["tracker", "import-figures", str(figures), "--programme", world.programme.slug,
                                "--dry-run"])
    assert again.exit_code == 0 and "8 unchanged" in again.output
