"""What preflight and verify promise of bad input: exit code 2 and one line on stderr."""

from __future__ import annotations


def assert_one_line_error(code: int, stderr: str, prefix: str, *naming: str) -> None:
    """A bad-input exit: code 2, and stderr one line that starts with `prefix` and names each
    of `naming`."""
    assert code == 2, stderr
    assert stderr.startswith(prefix), stderr
    for part in naming:
        assert part in stderr, stderr
    assert stderr.count("\n") == 1, stderr
