"""Reviewing extraction: snapshots, diffs, evaluation against gold, explanations, exports."""
