"""The memo of short texts computes a value once and stays bounded."""

from __future__ import annotations

from extractor.memo import BoundedCache, BoundedMemo


def test_a_value_asked_again_is_not_computed_again() -> None:
    calls: list[str] = []
    memo: BoundedMemo[int] = BoundedMemo(10)
    for _ in range(3):
        assert memo.get("12 (5.3)", lambda: calls.append("x") or 7) == 7
    assert calls == ["x"]


def test_a_full_memo_starts_afresh_instead_of_growing() -> None:
    calls: list[int] = []
    memo: BoundedMemo[int] = BoundedMemo(2)
    for key in (1, 2, 3, 1):
        memo.get(key, lambda k=key: calls.append(k) or k)
    assert calls == [1, 2, 3, 1]  # 1 was forgotten when 3 arrived


def test_a_cached_function_is_called_once_per_key() -> None:
    calls: list[str] = []
    cache: BoundedCache[str, int] = BoundedCache(lambda text: calls.append(text) or len(text), 10)
    assert [cache["group A"], cache["group A"], cache["placebo"]] == [7, 7, 7]
    assert calls == ["group A", "placebo"]


def test_a_full_cache_starts_afresh_instead_of_growing() -> None:
    calls: list[int] = []
    cache: BoundedCache[int, int] = BoundedCache(lambda k: calls.append(k) or k, 2)
    for key in (1, 2, 3, 1):
        assert cache[key] == key
    assert calls == [1, 2, 3, 1] and len(cache) <= 2
