"""Tables in PDFs come out in the canonical table text (docs/TABLE_TEXT.md), cell by cell.

Every table is drawn here at known positions (tests/pdf_factory.make_positioned_pdf), with
or without rules, alone on a page or inside a two-column layout, so each test states the
rows it expects.
"""

from __future__ import annotations

from pdf_factory import make_positioned_pdf

from extractor.ingest.pdf import read_pdf
from extractor.text.normalise import normalise

SIZE = 9.0
PITCH = 14.0
CAPTION = "Table 1. Baseline characteristics of the randomised patients"
HEADER = ["Characteristic", "Fusion (n = 102)", "Control (n = 46)", "P"]
ROWS = [
    ["Age, years", "54.2 (8.1)", "55.0 (7.9)", "0.41"],
    ["Women, n (%)", "60 (58.8)", "28 (60.9)", "0.88"],
    ["ODI score", "52.1 (11.0)", "50.3 (12.2)", "0.37"],
    ["VAS pain", "82.3 (9.9)", "81.0 (10.4)", "0.52"],
]
COLUMNS = [60.0, 230.0, 340.0, 470.0]
PROSE = [
    "Patients were randomised in a one to one ratio to fusion or to",
    "conservative management, stratified by centre and by symptom length.",
]


def _table(columns, top, rows, caption=CAPTION, indents=None):
    """Items for a caption and rows of cells; returns (items, baseline of each row)."""
    items = [(columns[0], top, caption, SIZE)]
    baselines = []
    y = top + 1.6 * PITCH
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                x = columns[c] + (indents or {}).get(r, 0.0) if c == 0 else columns[c]
                items.append((x, y, text, SIZE))
        baselines.append(y)
        y += PITCH
    return items, baselines


def _prose(x, top, lines):
    return [(x, top + i * 12.0, text, SIZE) for i, text in enumerate(lines)]


def _block(text: str) -> list[str]:
    """The lines of the table block that starts with a caption line."""
    start = text.index("Table 1")
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)].split("\n")


def _cells(line: str) -> list[str]:
    assert line.startswith("|") and line.endswith("|"), line
    return [c.strip() for c in line[1:-1].split("|")]


def _single_page(items, rules=()):
    return read_pdf(make_positioned_pdf([items], [rules] if rules else [])).pages[0]


def test_unruled_table_is_rendered_row_by_row_with_inferred_columns() -> None:
    table, _ = _table(COLUMNS, 200.0, [HEADER, *ROWS])
    page = _single_page(_prose(60, 150, PROSE) + table + _prose(60, 320, PROSE))
    block = _block(page)
    assert block[0] == CAPTION
    assert _cells(block[1]) == HEADER
    assert block[2] == "|===|===|===|===|"
    assert [_cells(line) for line in block[3:]] == ROWS
    # The prose around it is untouched, and the block stands apart from it.
    assert page.startswith("\n".join(PROSE) + "\n\n" + CAPTION)
    assert page.endswith("\n\n" + "\n".join(PROSE))


def test_ruled_table_is_read_through_its_rules() -> None:
    table, baselines = _table(COLUMNS, 200.0, [HEADER, *ROWS])
    left, right = COLUMNS[0] - 4, 540.0
    lines = [(left, y - SIZE - 3, right, y - SIZE - 3) for y in baselines]
    lines.append((left, baselines[-1] + 5, right, baselines[-1] + 5))
    top, bottom = baselines[0] - SIZE - 3, baselines[-1] + 5
    lines += [(x - 4, top, x - 4, bottom) for x in COLUMNS] + [(right, top, right, bottom)]
    block = _block(_single_page(table, lines))
    assert block[0] == CAPTION
    assert _cells(block[1]) == HEADER
    assert block[2] == "|---|---|---|---|"
    assert [_cells(line) for line in block[3:]] == ROWS


def test_label_wrapped_onto_a_second_line_is_one_cell() -> None:
    rows = [
        HEADER,
        ["Duration of symptoms,", "4.5 (3.1)", "4.9 (3.6)", "0.50"],
        ["months", "", "", ""],
        ["ODI score", "52.1 (11.0)", "50.3 (12.2)", "0.37"],
    ]
    table, _ = _table(COLUMNS, 200.0, rows)
    block = _block(_single_page(table))
    assert [_cells(line) for line in block[3:]] == [
        ["Duration of symptoms, months", "4.5 (3.1)", "4.9 (3.6)", "0.50"],
        ["ODI score", "52.1 (11.0)", "50.3 (12.2)", "0.37"],
    ]


def test_indented_sub_rows_follow_their_group_row() -> None:
    rows = [
        HEADER,
        ["Age, years", "54.2 (8.1)", "55.0 (7.9)", "0.41"],
        ["Sex, n (%)", "", "", ""],
        ["Female", "60 (58.8)", "28 (60.9)", "0.88"],
        ["Male", "42 (41.2)", "18 (39.1)", ""],
    ]
    table, _ = _table(COLUMNS, 200.0, rows, indents={3: 8.0, 4: 8.0})
    block = _block(_single_page(table))
    assert [_cells(line) for line in block[3:]] == [
        ["Age, years", "54.2 (8.1)", "55.0 (7.9)", "0.41"],
        ["Sex, n (%)", "", "", ""],
        ["Female", "60 (58.8)", "28 (60.9)", "0.88"],
        ["Male", "42 (41.2)", "18 (39.1)", ""],
    ]


LEFT_PROSE = [f"Left column line {i} of the running text" for i in range(1, 41)]
RIGHT_ABOVE = [f"Right column line {i} of the text" for i in range(1, 9)]
RIGHT_BELOW = [f"Right column line {i} of the text" for i in range(9, 19)]
NARROW_HEADER = ["Outcome", "Fusion", "Control"]
NARROW_ROWS = [
    ["ODI", "26.2 (15.0)", "38.9 (17.1)"],
    ["VAS", "30.4 (26.1)", "70.3 (25.3)"],
    ["EQ-5D", "0.74 (0.2)", "0.58 (0.3)"],
]


def test_table_inside_the_right_column_keeps_both_columns_of_prose_in_order() -> None:
    left = _prose(60, 80, LEFT_PROSE)
    right_above = _prose(320, 80, RIGHT_ABOVE)
    table, baselines = _table(
        [320.0, 400.0, 480.0],
        80 + 9 * 12.0,
        [NARROW_HEADER, *NARROW_ROWS],
        caption="Table 1. Outcomes",
    )
    right_below = _prose(320, baselines[-1] + 24, RIGHT_BELOW)
    page = _single_page(left + right_above + table + right_below)
    block = _block(page)
    assert block[0] == "Table 1. Outcomes"
    assert _cells(block[1]) == NARROW_HEADER
    assert block[2] == "|===|===|===|"
    assert [_cells(line) for line in block[3:]] == NARROW_ROWS
    words = page.replace("\n", " ").split()
    expected_prose = " ".join(LEFT_PROSE + RIGHT_ABOVE).split()
    assert words[: len(expected_prose)] == expected_prose
    assert page.endswith("\n".join(RIGHT_BELOW))


def test_table_across_both_columns_is_read_whole_between_them() -> None:
    left = _prose(60, 80, LEFT_PROSE[:12])
    right = _prose(320, 80, RIGHT_ABOVE + RIGHT_BELOW[:4])
    table, _ = _table(COLUMNS, 80 + 14 * 12.0, [HEADER, *ROWS])
    page = _single_page(left + right + table)
    block = _block(page)
    assert _cells(block[1]) == HEADER
    assert [_cells(line) for line in block[3:]] == ROWS
    prose = page[: page.index("Table 1")].split()
    assert prose == " ".join(LEFT_PROSE[:12] + RIGHT_ABOVE + RIGHT_BELOW[:4]).split()


def test_rendered_table_survives_the_normaliser_unchanged() -> None:
    table, _ = _table(COLUMNS, 200.0, [HEADER, *ROWS])
    raw = read_pdf(make_positioned_pdf([_prose(60, 150, PROSE) + table]))
    block = "\n".join(_block(raw.pages[0]))
    assert block in normalise(raw).text


def test_table_cells_point_into_the_normalised_text_on_their_page() -> None:
    table, _ = _table(COLUMNS, 200.0, [HEADER, *ROWS])
    raw = read_pdf(make_positioned_pdf([_prose(60, 150, PROSE), _prose(60, 150, PROSE) + table]))
    text = normalise(raw)
    offset = text.text.index("| 54.2 (8.1) |") + 2
    assert text.text[offset : offset + len("54.2 (8.1)")] == "54.2 (8.1)"
    assert text.page_at(offset) == 2
