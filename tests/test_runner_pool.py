"""The supervised worker pool: every task comes back once, a dying worker costs only its
own task, and workers leave the parent's objects (the loaded extractor) alone."""

from __future__ import annotations

import gc
import os

from extractor.runner.budget import Budget
from extractor.runner.supervise import SupervisedPool


def failed(task: int, reason: str) -> tuple[str, int]:
    return ("failed", task)


def square(task: int) -> tuple[str, int]:
    return ("ok", task * task)


def test_every_task_comes_back_once_with_two_workers() -> None:
    pool = SupervisedPool(work=square, failure=failed, jobs=2, budget=Budget())
    assert sorted(pool.map(range(20))) == [("ok", n * n) for n in range(20)]


def test_a_worker_that_dies_on_one_task_costs_that_task_alone() -> None:
    def dies_on_seven(task: int) -> tuple[str, int]:
        if task == 7:
            os._exit(3)
        return square(task)

    pool = SupervisedPool(work=dies_on_seven, failure=failed, jobs=2, budget=Budget())
    results = sorted(pool.map(range(12)))
    assert ("failed", 7) in results
    assert sorted(r for r in results if r[0] == "ok") == [
        ("ok", n * n) for n in range(12) if n != 7
    ]


def test_workers_leave_the_parents_objects_out_of_their_garbage_collection() -> None:
    def frozen(_task: int) -> tuple[str, int]:
        return ("ok", gc.get_freeze_count())

    pool = SupervisedPool(work=frozen, failure=failed, jobs=2, budget=Budget())
    assert all(count > 1000 for _, count in pool.map(range(4)))


def test_the_parent_collects_its_own_garbage_as_before_once_workers_started() -> None:
    before = gc.get_freeze_count()
    pool = SupervisedPool(work=square, failure=failed, jobs=2, budget=Budget())
    list(pool.map(range(4)))
    assert gc.get_freeze_count() == before


def test_extracting_in_this_process_leaves_the_loaded_objects_out_of_collection(
    extractor, monkeypatch
) -> None:
    from extractor.runner import workers

    counts = []

    def extract(data: bytes, doc_id: str, ex):  # type: ignore[no-untyped-def]
        counts.append(gc.get_freeze_count())
        return real(data, doc_id, ex)

    real = workers._extract
    monkeypatch.setattr(workers, "_extract", extract)
    before = gc.get_freeze_count()
    tasks = [workers.Task(f"{n}.txt", b"A total of 12 patients.\n") for n in range(2)]
    rows = list(workers.extract_rows(tasks, extractor))
    assert len(rows) == 2 and all(count > 1000 for count in counts)
    assert gc.get_freeze_count() == before  # collected as before once done


def test_a_freeze_made_by_the_caller_is_left_for_the_caller_to_undo() -> None:
    from extractor.runner.supervise import loaded_objects_frozen

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with loaded_objects_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
