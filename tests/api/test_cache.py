"""The read cache: LRU of answers, latest-run ids with a time-to-live and invalidation."""

from __future__ import annotations

from stockwise.api.cache import ReadCache


def test_answers_are_least_recently_used() -> None:
    cache = ReadCache(max_answers=2)
    cache.keep("a", b"1")
    cache.keep("b", b"2")
    assert cache.answer("a") == b"1"  # "a" is now the most recent
    cache.keep("c", b"3")
    assert (cache.answer("a"), cache.answer("b"), cache.answer("c")) == (b"1", None, b"3")


def test_latest_run_is_remembered_until_a_run_finishes_or_it_expires() -> None:
    calls = []

    def lookup() -> str:
        calls.append(1)
        return f"run{len(calls)}"

    cache = ReadCache(ttl=60)
    assert cache.latest_run("plan", lookup) == cache.latest_run("plan", lookup) == "run1"
    cache.run_finished()
    assert cache.latest_run("plan", lookup) == "run2"
    expired = ReadCache(ttl=0)
    expired.latest_run("plan", lookup)
    assert expired.latest_run("plan", lookup) == "run4"
