"""A bounded memo for the short texts a document asks about again and again.

Table cells (`12 (5.3)`, `NA`), bracket contents and table labels read word by word come
back many times in one document and across documents; parsing each once is the cheapest
speed-up there is. The memo forgets everything when full, so its memory stays bounded
however large the corpus, with no bookkeeping on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class BoundedMemo(Generic[Value]):
    """Values by key, computed once; cleared when `size` entries are held."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: dict[Hashable, Value] = {}

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        if key in self._values:
            return self._values[key]
        if len(self._values) >= self._size:
            self._values.clear()
        value = self._values[key] = compute()
        return value


class BoundedCache(dict[Key, Value]):
    """`function(key)` by key, as `cache[key]`, computed once; cleared when `size` entries
    are held.

    For a function of its key alone on a hot path (a rule's regex test of a token's text,
    a name's arm key): a hit is a plain dict lookup, with no closure made per call as
    `BoundedMemo.get` needs."""

    def __init__(self, function: Callable[[Key], Value], size: int) -> None:
        super().__init__()
        self._function = function
        self._size = size

    def __missing__(self, key: Key) -> Value:
        if len(self) >= self._size:
            self.clear()
        value = self[key] = self._function(key)
        return value
