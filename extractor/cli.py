"""The command line: the only module that talks to click.

Each command reads its arguments and calls one library function; logic lives in the
library where it can be tested and reused. `extract CORPUS_DIR` runs the default
command (`run`), so `extract corpus/` and `extract diff A B` live in one CLI.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click
from click_default_group import DefaultGroup

from extractor import __version__

DEFAULT_DB = Path("db/evidence.db")


def db_option(function):  # type: ignore[no-untyped-def]
    """--db, shared by every command that reads or writes the evidence database."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        show_default=True,
        help="The evidence database (SQLite).",
    )(function)


def patterns_option(function):  # type: ignore[no-untyped-def]
    """--patterns, for running with another set of vocabularies and rules."""
    return click.option(
        "--patterns",
        "patterns_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=None,
        help="Folder of vocabularies and rules (default: the project's patterns/).",
    )(function)


class SuggestingGroup(DefaultGroup):
    """`extract CORPUS_DIR` runs the default command; a mistyped command (`extract serv`) is
    named as one, with the command it resembles, not taken for a missing folder."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not Path(args[0]).exists():
            commands = [name for name in self.commands if name != self.default_cmd_name]
            close = difflib.get_close_matches(args[0], commands, n=1, cutoff=0.6)
            if close:
                ctx.fail(
                    f"no command {args[0]!r} and no folder of that name; "
                    f"did you mean `extract {close[0]}`?"
                )
        return super().parse_args(ctx, args)


@click.group(cls=SuggestingGroup, default="run", default_if_no_args=False)
@click.version_option(__version__, prog_name="extract")
def cli() -> None:
    """Extract quantitative evidence from clinical literature into SQLite.

    \b
    extract corpus/                  extract every .txt, .md and .pdf file below corpus/
    extract eval tests/gold/         score the database against hand-checked gold files
    extract diff main HEAD           what a change did to the evidence, for a pull request
    extract export > comparisons.csv the evidence for metafor or RevMan, without a server
    extract serve                    browse and query the evidence in Datasette
    """


@cli.command("run")
@click.argument("corpus_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@db_option
@patterns_option
@click.option("--force", is_flag=True, help="Re-extract every document, changed or not.")
@click.option(
    "--snapshot",
    "snapshot_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the text snapshot kept in git (default: NAME.snapshot/ beside NAME.db).",
)
@click.option("--no-snapshot", is_flag=True, help="Do not write the text snapshot.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes that extract documents in parallel.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 1 when any document failed (it is still an error row).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300,
    show_default=True,
    help="Seconds one document may take; past them it becomes an error row.",
)
@click.option(
    "--max-memory",
    default="4GB",
    show_default=True,
    help="Memory one document's worker may use (e.g. 2GB, 512MB); past it, an error row.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Extract on this machine, or on a Dask cluster (pip install '.[dask]').",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a Dask scheduler (tcp://host:8786); default: a local cluster of --jobs.",
)
@click.option(
    "--partition-size",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Documents per Dask task (with --engine dask).",
)
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where Dask shards wait to be merged (default: DB.shards/ beside the database).",
)
def run_command(
    corpus_dir: Path,
    db_path: Path,
    patterns_dir: Path | None,
    force: bool,
    snapshot_dir: Path | None,
    no_snapshot: bool,
    jobs: int,
    strict: bool,
    timeout: float,
    max_memory: str,
    engine: str,
    scheduler: str | None,
    partition_size: int,
    shards_dir: Path | None,
) -> None:
    """Extract every text and PDF document below CORPUS_DIR into the evidence database.

    Unchanged documents are skipped; changed ones are re-extracted; rows of deleted
    files are removed. Failed documents are named on stderr; the last line is the
    summary.
    """
    from extractor.errors import UserError
    from extractor.patterns_dir import describe_patterns
    from extractor.review.snapshot import default_snapshot_dir
    from extractor.runner.budget import Budget, parse_size
    from extractor.runner.run import count_corpus_files, run_corpus
    from extractor.runner.run_guard import RunRefused, check_corpus_matches

    try:
        budget = Budget(seconds=timeout, memory_bytes=parse_size(max_memory))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--max-memory") from error
    try:
        check_corpus_matches(corpus_dir, db_path)
    except RunRefused as error:
        raise click.UsageError(str(error)) from error
    if not no_snapshot and snapshot_dir is None:
        snapshot_dir = default_snapshot_dir(db_path)
    options = dict(
        force=force,
        snapshot_dir=None if no_snapshot else snapshot_dir,
        jobs=jobs,
        budget=budget,
    )
    if engine == "dask" or scheduler:
        options["engine"] = _dask_engine(
            db_path, patterns_dir, scheduler, jobs, budget, partition_size, shards_dir
        )
    terminated = _SigtermAsInterrupt()
    try:
        if sys.stderr.isatty():
            with click.progressbar(
                length=count_corpus_files(corpus_dir),
                label="Extracting",
                file=sys.stderr,
                item_show_func=lambda doc_id: doc_id,
            ) as bar:
                summary = run_corpus(
                    corpus_dir,
                    db_path,
                    patterns_dir,
                    on_document=lambda doc_id: bar.update(1, doc_id),
                    **options,
                )
        else:
            summary = run_corpus(corpus_dir, db_path, patterns_dir, **options)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    except KeyboardInterrupt:
        click.echo(
            "interrupted: the documents written so far are kept; "
            "run the same command again to finish",
            err=True,
        )
        sys.exit(143 if terminated else 130)
    finally:
        terminated.restore()
    click.echo(describe_patterns(patterns_dir), err=True)  # after the run: a misuse is one line
    for line in summary.failure_lines():
        click.echo(line, err=True)
    click.echo(summary.line())
    if strict and summary.failed:
        sys.exit(1)


def _dask_engine(db_path, patterns_dir, scheduler, jobs, budget, partition_size, shards_dir):  # type: ignore[no-untyped-def]
    """The Dask engine for `run`; a patterns folder that does not load is a usage error."""
    from extractor.errors import UserError
    from extractor.runner.dask_engine import DaskEngine
    from extractor.runner.run import load_extractor
    from extractor.runner.shards import default_shards_dir

    try:
        extractor = load_extractor(patterns_dir)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    return DaskEngine(
        extractor=extractor,
        shards_dir=shards_dir or default_shards_dir(db_path),
        scheduler=scheduler,
        patterns_dir=patterns_dir,
        budget=budget,
        workers=jobs,
        partition_size=partition_size,
    )


class _SigtermAsInterrupt:
    """SIGTERM handled like Ctrl-C while a run lasts, so workers are stopped and the
    database closed on the way out; truthy once a SIGTERM arrived."""

    def __init__(self) -> None:
        import signal
        import threading

        self.received = False
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: object) -> None:
        self.received = True
        raise KeyboardInterrupt

    def __bool__(self) -> bool:
        return self.received

    def restore(self) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


@cli.command("merge")
@db_option
@click.option(
    "--shards",
    "shards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The shards folder (default: DB.shards/ beside the database).",
)
def merge_command(db_path: Path, shards_dir: Path | None) -> None:
    """Merge the shards a Dask run left (killed before it merged them) into the database.

    A Dask run merges its shards as they come; this finishes what an interrupted one
    saved. The next `extract` run does the same before it starts.
    """
    from extractor.errors import UserError
    from extractor.runner.shards import merge_folder

    try:
        count, merged = merge_folder(db_path, shards_dir)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(m.evidence_rows for m in merged)
    click.echo(f"{count} shards merged: {len(merged)} documents, {rows} evidence rows ({db_path})")


@cli.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--values-only",
    is_flag=True,
    help="Match on kind, value and quote only, not measure, timepoint, arm, CI ...",
)
@click.option(
    "--lenient-measure",
    is_flag=True,
    help="A row whose measure is NULL matches a gold measure its measure_text names.",
)
def eval_command(
    gold: tuple[Path, ...], db_path: Path, as_json: bool, values_only: bool, lenient_measure: bool
) -> None:
    """Score the database against hand-checked GOLD files (.jsonl, or folders of them).

    Prints precision and recall per kind, the false positives and the misses.
    """
    from extractor.review.evaluate import evaluate, format_report, gold_files

    if not db_path.exists():
        raise click.UsageError(f"no evidence database at {db_path}; run `extract CORPUS_DIR` first")
    report = evaluate(
        db_path,
        gold_files(list(gold)),
        attributes=not values_only,
        lenient_measure=lenient_measure,
    )
    click.echo(report.to_json() if as_json else format_report(report))


@cli.command("diff")
@click.argument("base")
@click.argument("head")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for a pull-request comment, or JSON for tools.",
)
@click.option("--exit-code", is_flag=True, help="Exit with 1 when any evidence changed.")
@click.option(
    "--max-chars",
    type=click.IntRange(min=1000),
    default=60_000,
    show_default=True,
    help="Cut the Markdown report to this size (GitHub comments stop at 65,536).",
)
@click.option(
    "--snapshot-path",
    default="db/evidence.snapshot",
    show_default=True,
    help="Where the snapshot folder lives in the repository, for git revisions.",
)
@click.option("--base-label", default=None, help="Name shown for BASE in the report.")
@click.option("--head-label", default=None, help="Name shown for HEAD in the report.")
def diff_command(
    base: str,
    head: str,
    output_format: str,
    exit_code: bool,
    max_chars: int,
    snapshot_path: str,
    base_label: str | None,
    head_label: str | None,
) -> None:
    """Show what changed in the evidence between BASE and HEAD.

    Each side is an evidence database (.db), a snapshot folder, or a git revision whose
    committed snapshot is read (main, HEAD~1, a SHA). Prints rows added, removed and
    changed per document.

    \b
    extract diff main HEAD                      what this branch did to the evidence
    extract diff base.db head.db --format json  the same, for tools
    """
    from extractor.review.diff_report import compare
    from extractor.review.diff_sources import SideError, uncommitted_snapshot_warning

    for spec in (head, base):
        warning = uncommitted_snapshot_warning(spec, snapshot_path=snapshot_path)
        if warning:
            click.echo(warning, err=True)
            break

    try:
        text, diff = compare(
            base,
            head,
            output_format=output_format,
            max_chars=max_chars,
            snapshot_path=snapshot_path,
            base_label=base_label,
            head_label=head_label,
        )
    except SideError as error:
        raise click.UsageError(str(error)) from error
    click.echo(text, nl=False)
    if exit_code and diff.has_changes:
        sys.exit(1)


@cli.command("export")
@db_option
@click.option(
    "--layout",
    type=click.Choice(["metafor", "arms", "evidence"]),
    default="metafor",
    show_default=True,
    help="metafor: one row per study, outcome, time and comparison (m1i, sd1i, n1i ...; "
    "ai, n1i, ci, n2i); arms: one row per study, arm, outcome and time; evidence: every row.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="CSV with a header line, or a JSON list of objects.",
)
@click.option(
    "--measure", default=None, help="Only this outcome (measure, or the words as written)."
)
@click.option("--doc-id", default=None, help="Only this document.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
@patterns_option
def export_command(
    db_path: Path,
    layout: str,
    fmt: str,
    measure: str | None,
    doc_id: str | None,
    output: Path | None,
    patterns_dir: Path | None,
) -> None:
    """Export the evidence for meta-analysis software (metafor, RevMan), without a server.

    \b
    extract export > comparisons.csv                 metafor/RevMan layout
    extract export --layout arms --format json       one row per study and arm
    """
    from extractor.review.export import ExportError, export

    try:
        if output is None:
            export(db_path, sys.stdout, layout, fmt, measure, doc_id, patterns_dir)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = export(db_path, handle, layout, fmt, measure, doc_id, patterns_dir)
            click.echo(f"{count} rows written to {output}", err=True)
    except ExportError as error:
        raise click.UsageError(str(error)) from error


@cli.command("serve")
@db_option
@click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Datasette metadata (default: metadata.yml beside the database, else db/metadata.yml).",
)
@click.option("--port", type=int, default=8001, show_default=True, help="Port on localhost.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--writable",
    is_flag=True,
    hidden=True,
    help="No effect: the database is always served live and read-only (kept for old scripts).",
)
@click.option("--open/--no-open", "open_browser", default=False, help="Open a browser tab.")
def serve_command(
    db_path: Path,
    metadata_path: Path | None,
    port: int,
    host: str,
    writable: bool,
    open_browser: bool,
) -> None:
    """Browse the evidence database in Datasette, read-only, at http://localhost:8001/evidence.

    The database is served as `evidence` whatever its file is called, and followed as it
    changes: rows a running `extract` commits show up, a re-extraction is picked up.
    """
    from extractor.serve import serve

    if not db_path.exists():
        raise click.UsageError(f"no evidence database at {db_path}; run `extract CORPUS_DIR` first")
    sys.exit(
        serve.serve(
            db_path=db_path,
            metadata_path=metadata_path,
            port=port,
            host=host,
            open_browser=open_browser,
        )
    )


@cli.command("explain")
@click.argument("text")
@patterns_option
def explain_command(text: str, patterns_dir: Path | None) -> None:
    """Show why TEXT gives the rows it gives: tokens, rule matches, rows and their rules."""
    from extractor.pipeline import Extractor
    from extractor.review.explain import explain

    click.echo(explain(text, Extractor.load(patterns_dir)))
