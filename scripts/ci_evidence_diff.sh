#!/usr/bin/env bash
# What a pull request did to the evidence, as a Markdown report for a PR comment.
#
#   bash scripts/ci_evidence_diff.sh BASE_REV HEAD_REV REPORT_FILE
#
# Run from inside the git repository that holds the corpus. This is the whole command
# sequence of .github/workflows/evidence-diff.yml, kept here so that tests/test_workflow.py
# runs exactly what CI runs.
#
# For each revision:
#   1. `git archive REV` into a temporary folder: the revision's corpus, patterns and code,
#      without checking anything out (the working tree, index and worktrees are untouched);
#   2. extract its corpus into a fresh database with *that revision's* extractor and
#      patterns, so a change to a vocabulary, a rule or the code shows in the diff. The
#      revision's code is put first on PYTHONPATH; only the third-party dependencies come
#      from the environment (`pip install -e .` of the checkout). A revision without
#      extractor/cli.py (a repository that only keeps corpus/ and patterns/, or a commit
#      from before the extractor existed) is extracted with the installed extractor and the
#      revision's own patterns/;
#   3. a revision without a corpus folder gives an empty evidence database, so a first PR
#      that adds the corpus shows every row as added;
#   4. a revision whose own extractor fails (a broken base branch) is extracted with the
#      installed extractor and its own patterns, and the report ends with a warning saying
#      so, rather than leaving the pull request without a report.
# Then `extract diff base.db head.db` (the installed extractor) writes the report, preceded
# by the hidden marker the workflow uses to find and update its comment.
#
# Environment: PYTHON (default python), CORPUS_DIR (default corpus), MAX_CHARS (default
# 60000, under GitHub's 65,536-character comment limit), FULL_JSON (a path: also write the
# uncut diff as JSON there, for when the comment had to be shortened). Limits: files stored with Git LFS
# are archived as pointers, and a base revision whose code needs other dependencies than
# the installed ones will fail to import.
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 BASE_REV HEAD_REV REPORT_FILE" >&2
    exit 2
fi
base_rev=$1
head_rev=$2
report=$3
python=${PYTHON:-python}
corpus_dir=${CORPUS_DIR:-corpus}
max_chars=${MAX_CHARS:-60000}
marker='<!-- evidence-diff -->'

repo=$(git rev-parse --show-toplevel)
case "$report" in
    /*) ;;
    *) report="$PWD/$report" ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/evidence-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT

# `extract ARGS...` with the extractor found first on $1 (empty: the installed one). Runs
# in an empty folder, so no extractor/ package in the current directory can shadow it.
run_extract() {
    local code=$1
    shift
    mkdir -p "$work/run"
    (
        cd "$work/run"
        PYTHONPATH="${code}${code:+${PYTHONPATH:+:}}${PYTHONPATH:-}" \
            "$python" -c 'import sys; from extractor.cli import cli; sys.exit(cli(prog_name="extract"))' "$@"
    )
}

extract_revision() {
    local rev=$1 name=$2
    local tree="$work/$name/tree" db="$work/$name/db/evidence.db"
    mkdir -p "$tree" "$(dirname "$db")"
    git -C "$repo" archive --format=tar "$rev" | tar -x -C "$tree"
    if [ ! -d "$tree/$corpus_dir" ]; then
        echo "$name ($rev): no $corpus_dir/ folder, so no evidence" >&2
        PYTHONPATH="${PYTHONPATH:-}" "$python" -c \
            'import sys; from extractor.store import open_database; open_database(sys.argv[1]).close()' "$db"
    elif [ -f "$tree/extractor/cli.py" ] && {
        echo "$name ($rev): extracting with the revision's own extractor and patterns" >&2
        run_extract "$tree" "$tree/$corpus_dir" --db "$db" >&2
    }; then
        :
    else
        if [ -f "$tree/extractor/cli.py" ]; then
            # A broken base branch must not make a pull request unreviewable; say so instead.
            echo "$name ($rev): its own extractor failed; using the installed one" >&2
            notes+=("The $name revision's own extractor failed (see the job log), so its corpus was extracted with the head's extractor and the $name's patterns: code changes are not part of this diff.")
            rm -f "$db"
        fi
        echo "$name ($rev): extracting with the installed extractor and the revision's patterns" >&2
        local patterns=()
        if [ -d "$tree/patterns" ]; then
            patterns=(--patterns "$tree/patterns")
        fi
        run_extract "" "$tree/$corpus_dir" --db "$db" ${patterns[@]+"${patterns[@]}"} >&2
    fi
}

notes=()
base_sha=$(git -C "$repo" rev-parse --verify "$base_rev^{commit}")
head_sha=$(git -C "$repo" rev-parse --verify "$head_rev^{commit}")
extract_revision "$base_sha" base
extract_revision "$head_sha" head

{
    echo "$marker"
    run_extract "" diff "$work/base/db/evidence.db" "$work/head/db/evidence.db" \
        --max-chars "$((max_chars - 600 * ${#notes[@]}))" \
        --base-label "${base_sha:0:10}" \
        --head-label "${head_sha:0:10}"
    for note in ${notes[@]+"${notes[@]}"}; do
        printf '\n> [!WARNING]\n> %s\n' "$note"
    done
} >"$report.tmp"
mv "$report.tmp" "$report"
if [ -n "${FULL_JSON:-}" ]; then
    run_extract "" diff "$work/base/db/evidence.db" "$work/head/db/evidence.db" --format json \
        --base-label "${base_sha:0:10}" --head-label "${head_sha:0:10}" >"$FULL_JSON"
fi
head -n 2 "$report" | tail -n 1
