"""Annotation: what a document's text says, found once per document, before any rule runs.

Statistics are found by their shape (`statistics.py`), vocabulary terms and cue words by
one phrase pass over the text; the rules that decide what a statistic is evidence of read
these annotations instead of searching the text again for every number.
"""
