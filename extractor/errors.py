"""The one exception type whose message is meant for a person.

A `UserError` is a problem with how `extract` was called or with its surroundings (a
database that is read-only or belongs to another program, a full disk, a patterns folder
without vocabularies), not a bug. The command line prints its message as one line and
exits with status 1; the message says what is wrong and what to do.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; `str(error)` is the whole, one-line explanation."""
