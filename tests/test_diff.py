"""`extract diff`: which rows correspond across two evidence states, and how that is shown.

The first part builds states by hand, one behaviour per test; the last part runs the real
extractor on copies of the corpus and the patterns and edits a vocabulary or a document,
which is what a pull request does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.review.diff import diff_states
from extractor.review.diff_report import (
    GITHUB_COMMENT_LIMIT,
    escape_text,
    quote_with_mention,
    render_markdown,
)
from extractor.review.diff_sources import SideError, load_side
from extractor.review.snapshot import (
    DocumentInfo,
    EvidenceState,
    Row,
    _canonical_row,
    state_from_database,
    write_snapshot,
)
from extractor.store import open_database, write_document
from extractor.types import DocumentResult, Evidence

SENTENCE = "VAS fell from 7.8 at baseline to 3.1 at 12 months (p < 0.001)."


def make_row(mention: str = "3.1", quote: str = SENTENCE, quote_start: int = 100, **fields) -> Row:
    """A review row whose mention sits inside its quote, as the extractor makes them."""
    offset = quote.index(mention)
    values = {
        "id": f"id-{quote_start + offset}-{mention}",
        "kind": "score",
        "measure": "VAS pain",
        "value": float(mention.split()[0].strip("(")) if mention[0].isdigit() else None,
        "timepoint": "follow-up",
        "months": 12,
        "rule": "score_series",
        "quote": quote,
        "quote_start": quote_start,
        "char_start": quote_start + offset,
        "char_end": quote_start + offset + len(mention),
        "mention": mention,
    }
    values.update(fields)
    return _canonical_row(values)


def make_state(docs: dict[str, list[Row]], label: str = "side", **statuses) -> EvidenceState:
    state = EvidenceState(label=label)
    for doc_id, rows in docs.items():
        state.documents[doc_id] = DocumentInfo(
            doc_id=doc_id, status="ok", evidence=len(rows), sha256="s"
        )
        state.rows[doc_id] = rows
    for doc_id, (status, error) in statuses.items():
        state.documents[doc_id] = DocumentInfo(doc_id=doc_id, status=status, error=error)
        state.rows.setdefault(doc_id, [])
    return state


# --- matching ------------------------------------------------------------------------------


def test_same_id_with_another_months_is_one_changed_field() -> None:
    diff = diff_states(
        make_state({"a.txt": [make_row()]}), make_state({"a.txt": [make_row(months=6)]})
    )
    (doc,) = diff.documents
    assert (doc.added, doc.removed) == ([], [])
    assert doc.changed[0].fields == {"months": (12, 6)}


def test_an_attribute_change_that_also_changes_the_id_is_still_a_change() -> None:
    old = make_row(ci_low=2.5, ci_high=3.6)
    new = make_row(id="another-id", ci_low=2.5, ci_high=3.7)
    diff = diff_states(make_state({"a.txt": [old]}), make_state({"a.txt": [new]}))
    assert diff.documents[0].changed[0].fields == {"ci_high": (3.6, 3.7)}
    assert diff.added == diff.removed == 0


def test_text_inserted_earlier_moves_rows_without_changing_them() -> None:
    old = [make_row(), make_row("7.8", timepoint="baseline", months=None)]
    new = [
        make_row(quote_start=160, id="x1"),
        make_row("7.8", quote_start=160, id="x2", timepoint="baseline", months=None),
    ]
    diff = diff_states(make_state({"a.txt": old}), make_state({"a.txt": new}))
    (doc,) = diff.documents
    assert len(doc.moved) == 2 and not (doc.changed or doc.added or doc.removed)
    assert not diff.has_changes


def test_a_widened_span_on_the_same_number_shows_the_new_mention() -> None:
    old = make_row("3.1", id="a")
    new = make_row("3.1 at 12 months", id="b", value=3.1)
    diff = diff_states(make_state({"a.txt": [old]}), make_state({"a.txt": [new]}))
    change = diff.documents[0].changed[0]
    assert change.fields == {"mention": ("3.1", "3.1 at 12 months")}


def test_a_reworded_sentence_shows_the_quote_change() -> None:
    reworded = "At 12 months VAS was 3.1, down from 7.8 (p < 0.001)."
    old = make_row(id="a")
    new = make_row(quote=reworded, id="b")
    diff = diff_states(make_state({"a.txt": [old]}), make_state({"a.txt": [new]}))
    assert set(diff.documents[0].changed[0].fields) == {"quote"}


def test_identical_looking_rows_pair_in_order_not_crosswise() -> None:
    quote = "Arms had (n=40), (n=40) and (n=40) patients."
    first, second, third = (quote.index("(n=40)", i) for i in (0, 12, 20))

    def row(at: int, group: str, ident: str) -> Row:
        return make_row(
            "(n=40)", quote=quote, quote_start=0, kind="sample_size", value=40,
            measure="patients", group_name=group, id=ident, char_start=at, char_end=at + 6,
        )  # fmt: skip

    old = [row(first, "A", "o1"), row(second, "B", "o2"), row(third, "C", "o3")]
    new = [row(first, "A", "n1"), row(third, "C", "n3")]
    diff = diff_states(make_state({"a.txt": old}), make_state({"a.txt": new}))
    (doc,) = diff.documents
    assert [r["group_name"] for r in doc.removed] == ["B"]
    assert doc.changed == [] and doc.added == []


def test_a_different_quantity_is_an_addition_and_a_removal() -> None:
    old = make_row()
    new = make_row(
        "148 patients",
        quote="In total 148 patients were randomised.",
        kind="sample_size",
        measure="patients",
        value=148,
        id="n",
    )
    diff = diff_states(make_state({"a.txt": [old]}), make_state({"a.txt": [new]}))
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 0)


def test_documents_appearing_and_disappearing_bring_their_rows() -> None:
    diff = diff_states(
        make_state({"gone.txt": [make_row()], "same.txt": [make_row(id="s")]}),
        make_state({"new.txt": [make_row(id="n")], "same.txt": [make_row(id="s")]}),
    )
    by_id = {d.doc_id: d for d in diff.documents}
    assert set(by_id) == {"gone.txt", "new.txt"}
    assert by_id["gone.txt"].status == "removed" and len(by_id["gone.txt"].removed) == 1
    assert by_id["new.txt"].status == "added" and len(by_id["new.txt"].added) == 1


def test_a_document_that_now_fails_is_touched_with_its_error() -> None:
    diff = diff_states(
        make_state({"a.pdf": []}),
        make_state({}, **{"a.pdf": ("error", "the PDF is encrypted")}),
    )
    (doc,) = diff.documents
    assert doc.document_fields["status"] == ("ok", "error")
    assert "the PDF is encrypted" in render_markdown(diff)


def test_identical_states_have_no_changes() -> None:
    state = make_state({"a.txt": [make_row()]})
    diff = diff_states(state, make_state({"a.txt": [make_row()]}))
    assert diff.documents == [] and not diff.has_changes
    assert "No evidence changed." in render_markdown(diff)


# --- Markdown ------------------------------------------------------------------------------


def test_summary_line_comes_first_with_the_counts() -> None:
    base = make_state({"a.txt": [make_row(), make_row("7.8", id="b")], "b.txt": [make_row()]})
    head = make_state(
        {"a.txt": [make_row(months=6)], "c.txt": [make_row(id="c1"), make_row("7.8", id="c2")]}
    )
    first = render_markdown(diff_states(base, head)).splitlines()[0]
    assert first == ("**Evidence diff:** 3 documents touched · +2 added · −2 removed · ~1 changed")


def test_changed_field_is_shown_old_to_new() -> None:
    diff = diff_states(
        make_state({"a.txt": [make_row()]}), make_state({"a.txt": [make_row(months=6)]})
    )
    assert "- `months`: 12 → 6" in render_markdown(diff)


def test_mention_is_bold_inside_its_quote() -> None:
    assert quote_with_mention(make_row("3.1")) == (
        "VAS fell from 7.8 at baseline to <b>3.1</b> at 12 months \\(p &lt; 0.001\\)."
    )


def test_markdown_and_html_in_quotes_are_shown_not_interpreted() -> None:
    quote = "Score | *high* `code` <script>alert(1)</script> [link](x) 3.1 _x_ ~y~ & $z$"
    shown = quote_with_mention(make_row("3.1", quote=quote))
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    for raw in ["|", "*", "`", "[", "]", "_", "~", "$"]:
        assert re.search(r"(?<!\\)" + re.escape(raw), shown) is None, raw
    assert "&amp;" in shown and "<b>3.1</b>" in shown


def test_quotes_never_mention_users_or_reference_issues() -> None:
    shown = escape_text("as @octocat showed in #123 (mail a@b.org)")
    assert "@octocat" not in shown and "#123" not in shown
    assert "@\u2060octocat" in shown and "#\u2060123" in shown and "a@b.org" in shown


def test_a_quote_that_starts_like_a_list_does_not_become_one() -> None:
    assert escape_text("- 12 patients", line_start=True).startswith("\\-")
    assert escape_text("1. Results", line_start=True).startswith("1\\.")


def test_a_long_quote_is_cut_around_the_mention() -> None:
    quote = "x " * 400 + "the value 3.1 here " + "y " * 400
    shown = quote_with_mention(make_row("3.1", quote=quote))
    assert "<b>3.1</b>" in shown and len(shown) < 400
    assert shown.startswith("…") and shown.endswith("…")


def test_a_document_with_many_rows_is_folded() -> None:
    rows = [make_row(quote_start=100 * i, id=f"r{i}", months=i) for i in range(12)]
    md = render_markdown(diff_states(make_state({}), make_state({"big.txt": rows})))
    assert "<details><summary><b>big.txt</b> — +12 −0 ~0</summary>" in md
    assert md.count("</details>") == 1


def test_a_small_document_stays_open() -> None:
    md = render_markdown(diff_states(make_state({}), make_state({"small.txt": [make_row()]})))
    assert "<details>" not in md and "#### small.txt — +1 −0 ~0" in md


def _many_rows(n: int, prefix: str = "r") -> list[Row]:
    return [make_row(quote_start=100 * i, id=f"{prefix}{i}", months=i) for i in range(n)]


def test_a_huge_diff_fits_a_github_comment_and_says_what_was_cut() -> None:
    head = make_state({"big.txt": _many_rows(3000), "small.txt": _many_rows(2, "s")})
    md = render_markdown(diff_states(make_state({}), head), max_chars=60_000)
    assert len(md) <= 60_000 < GITHUB_COMMENT_LIMIT
    shown = md.count("\n- **score**")
    note = re.search(r"… and (\d+) more added rows in this document not shown", md)
    assert note and shown + int(note.group(1)) == 3002
    assert "shortened to fit a GitHub comment" in md
    assert "small.txt" in md and "run `extract diff` locally for the full report" in md


def test_rows_are_cut_whole_never_in_the_middle() -> None:
    head = make_state({"big.txt": _many_rows(500)})
    md = render_markdown(diff_states(make_state({}), head), max_chars=5_000)
    assert len(md) <= 5_000
    bullets = md.count("\n- **score**")
    assert bullets == md.count("<b>3.1</b>")  # every shown row has its quote line


def test_rows_of_every_document_shrink_before_any_document_is_left_out() -> None:
    head = make_state({f"doc{i:02d}.txt": _many_rows(40, f"d{i}-") for i in range(20)})
    md = render_markdown(diff_states(make_state({}), head), max_chars=30_000)
    assert len(md) <= 30_000
    headings = re.findall(r"^(?:#### |<details><summary><b>)(doc\d\d\.txt)", md, flags=re.M)
    assert headings == [f"doc{i:02d}.txt" for i in range(20)]
    assert md.count("more added rows in this document not shown") == 20
    assert "more documents" not in md


def test_the_cut_keeps_as_many_rows_as_fit() -> None:
    head = make_state({"big.txt": _many_rows(3000)})
    md = render_markdown(diff_states(make_state({}), head), max_chars=60_000)
    one_row = len(md) / max(md.count("\n- **score**"), 1)
    assert 60_000 - len(md) < 2 * one_row


def test_too_many_documents_for_one_comment_are_counted_in_a_note() -> None:
    head = make_state({f"doc{i:04d}.txt": [make_row(id=f"d{i}")] for i in range(2000)})
    md = render_markdown(diff_states(make_state({}), head), max_chars=20_000)
    assert len(md) <= 20_000
    note = re.search(r"… and (\d+) more documents \(\+(\d+) −0 ~0\) not shown", md)
    assert note and note.group(1) == note.group(2)
    listed = re.findall(r"^- doc\d+\.txt — \+1 −0 ~0$", md, flags=re.M)
    assert listed and len(listed) + int(note.group(1)) == 2000


# --- JSON and the command ------------------------------------------------------------------


def _db(path: Path, docs: dict[str, list[Evidence]]) -> Path:
    db = open_database(path)
    for doc_id, evidence in docs.items():
        for e in evidence:
            e.doc_id = doc_id
        write_document(
            db,
            DocumentResult(
                doc_id=doc_id,
                source_type="text",
                sha256="s",
                status="ok",
                extractor_version="t",
                text=" " * 100 + SENTENCE,
                evidence=evidence,
            ),
        )
    db.close()
    return path


def _evidence(months: float, ident: str = "e1", mention: str = "3.1") -> Evidence:
    start = 100 + SENTENCE.index(mention)
    return Evidence(
        kind="score",
        value=float(mention),
        char_start=start,
        char_end=start + len(mention),
        rule="score_series",
        quote=SENTENCE,
        quote_start=100,
        quote_end=100 + len(SENTENCE),
        measure="VAS pain",
        timepoint="follow-up",
        months=months,
        id=ident,
    )


@pytest.fixture
def two_dbs(tmp_path: Path) -> tuple[Path, Path]:
    base = _db(tmp_path / "base.db", {"a.txt": [_evidence(12.0)]})
    head = _db(tmp_path / "head.db", {"a.txt": [_evidence(6.0)], "b.txt": [_evidence(3.0, "b")]})
    return base, head


def test_json_has_the_same_content_as_the_report(two_dbs) -> None:
    result = CliRunner().invoke(cli, ["diff", *map(str, two_dbs), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["added"] == 1 and data["summary"]["changed"] == 1
    a = next(d for d in data["documents"] if d["doc_id"] == "a.txt")
    assert a["changed"][0]["fields"] == {"months": {"base": 12, "head": 6}}
    assert a["changed"][0]["head"]["mention"] == "3.1"


def test_exit_code_is_1_when_evidence_changed(two_dbs) -> None:
    result = CliRunner().invoke(cli, ["diff", *map(str, two_dbs), "--exit-code"])
    assert result.exit_code == 1
    assert result.output.startswith("**Evidence diff:** 2 documents touched")


def test_exit_code_is_0_when_nothing_changed(two_dbs) -> None:
    base = str(two_dbs[0])
    result = CliRunner().invoke(cli, ["diff", base, base, "--exit-code"])
    assert result.exit_code == 0 and "No evidence changed." in result.output


def test_a_side_that_is_nothing_is_a_usage_error(tmp_path: Path, two_dbs) -> None:
    result = CliRunner().invoke(cli, ["diff", str(two_dbs[0]), "no-such-thing-xyz"])
    assert result.exit_code == 2
    assert "not an evidence database, a snapshot folder, or a git revision" in result.output


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SideError, match="not an SQLite evidence database"):
        load_side(str(tmp_path / "notes.txt"))


def test_a_snapshot_folder_and_its_database_have_no_diff(two_dbs, tmp_path: Path) -> None:
    write_snapshot(two_dbs[1], tmp_path / "snap")
    diff = diff_states(load_side(str(two_dbs[1])), load_side(str(tmp_path / "snap")))
    assert diff.documents == []


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def test_git_revisions_are_read_without_touching_the_worktree(two_dbs, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    for db in two_dbs:
        write_snapshot(db, repo / "db" / "evidence.snapshot")
        _git(repo, "add", "db/evidence.snapshot")
        _git(repo, "commit", "-q", "-m", db.name)
    (repo / "db" / "evidence.snapshot" / "_documents.tsv").write_text("local edit")
    status = _git(repo, "status", "--porcelain")

    base = load_side("HEAD~1", repo=repo)
    head = load_side("HEAD", repo=repo)

    assert _git(repo, "status", "--porcelain") == status
    assert base.rows == state_from_database(two_dbs[0]).rows
    assert head.rows == state_from_database(two_dbs[1]).rows


def test_a_revision_without_a_snapshot_says_so(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-q",
         "--allow-empty", "-m", "empty")  # fmt: skip
    with pytest.raises(SideError, match="has no evidence snapshot at db/evidence.snapshot/"):
        load_side("HEAD", repo=tmp_path)


# --- the real extractor: what a pull request that edits patterns or documents shows -------
#
# One extraction of the unchanged corpus and patterns is shared by the tests below; each
# test extracts one edited copy and diffs it against that baseline, as `extract diff` would
# compare a pull request's base and head.

REPO = Path(__file__).resolve().parent.parent


def extract(corpus: Path, patterns: Path, db: Path) -> EvidenceState:
    """Run the real extraction the way `extract corpus/` does, and read the result."""
    from extractor.runner.run import run_corpus

    run_corpus(corpus, db, patterns)
    return state_from_database(db)


def copy_project(root: Path) -> tuple[Path, Path]:
    """Writable copies of the corpus and the patterns under `root`."""
    shutil.copytree(REPO / "corpus", root / "corpus")
    shutil.copytree(REPO / "patterns", root / "patterns")
    return root / "corpus", root / "patterns"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> EvidenceState:
    root = tmp_path_factory.mktemp("baseline")
    corpus, patterns = copy_project(root)
    return extract(corpus, patterns, root / "evidence.db")


def edit_vocabulary(path: Path, canonical: str, edit) -> None:  # type: ignore[no-untyped-def]
    """Apply `edit(synonyms) -> synonyms` to the line of `canonical` in a vocabulary TSV."""
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.split("\t")[0] == canonical]
    assert len(hits) == 1, f"{path.name} has no single line for {canonical!r}"
    cells = lines[hits[0]].split("\t")
    cells[1] = "|".join(edit(cells[1].split("|")))
    lines[hits[0]] = "\t".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_an_added_complication_synonym_names_the_event_of_existing_rows(
    baseline: EvidenceState, tmp_path: Path
) -> None:
    # Statistics are found by their shape, so the count of an event the vocabulary does not
    # name ("Two events (1 implant-related impingement on a sacral nerve ...") is already a
    # row; adding "impingement on a sacral nerve" as a synonym of "nerve impingement" gives
    # that row its canonical event: the diff shows a changed `measure`, nothing added.
    corpus, patterns = copy_project(tmp_path)
    edit_vocabulary(
        patterns / "complications.tsv",
        "nerve impingement",
        lambda synonyms: [s for s in synonyms if "sacral nerve" not in s],
    )
    without = extract(corpus, patterns, tmp_path / "base.db")

    diff = diff_states(without, baseline)

    changes = [c for doc in diff.documents for c in doc.changed]
    named = [c for c in changes if c.fields.get("measure", (None, None))[1] == "nerve impingement"]
    # one per document that names it (the corpus has this guidance as text and as a PDF)
    assert named and len(named) == len(diff.documents)
    assert all("sacral nerve" in c.head["quote"] for c in named)
    assert all(c.head["value"] == 1 and c.head["kind"] == "complication" for c in named)
    assert diff.added == diff.removed == 0
    assert "`measure`:" in render_markdown(diff)


def test_a_removed_document_removes_its_rows(baseline: EvidenceState, tmp_path: Path) -> None:
    corpus, patterns = copy_project(tmp_path)
    gone = "003_3c6ec5651588653d.txt"
    (corpus / gone).unlink()
    without = extract(corpus, patterns, tmp_path / "head.db")

    diff = diff_states(baseline, without)

    (doc,) = diff.documents
    assert doc.doc_id == gone and doc.status == "removed"
    assert len(doc.removed) == len(baseline.rows[gone]) > 0
    assert diff.added == diff.changed == 0
    assert f"#### {escape_text(gone)} — +0 −{len(doc.removed)} ~0" in render_markdown(diff)


def test_a_changed_timepoint_unit_shows_as_changed_months(
    baseline: EvidenceState, tmp_path: Path
) -> None:
    # A pull request redefines the timepoint unit `year` as 6 months: "at one-year" was
    # 12 months and becomes 6, "at 2years" was 24 and becomes 12. Same rows, one field.
    corpus, patterns = copy_project(tmp_path)
    path = patterns / "timepoints.tsv"
    text, n = re.subn(
        r"^(year\tunit\t[^\t]*\t)12$", r"\g<1>6", path.read_text(encoding="utf-8"), flags=re.M
    )
    assert n == 1, "timepoints.tsv has no `year` unit of 12 months"
    path.write_text(text, encoding="utf-8")
    head = extract(corpus, patterns, tmp_path / "head.db")

    diff = diff_states(baseline, head)

    changes = [c for doc in diff.documents for c in doc.changed]
    assert (diff.added, diff.removed) == (0, 0)
    assert changes and all(set(c.fields) == {"months"} for c in changes)
    assert {c.fields["months"] for c in changes} >= {(12, 6), (24, 12)}
    assert "- `months`: 12 → 6" in render_markdown(diff)
