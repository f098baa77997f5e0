"""MATRIX_SHARD=i/n: the runners of the template's CI together run every test exactly once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from combinations import SUPPORTED
from rendering import ROOT
from sharding import Shard, parse_shard

IDS = [f"tests/test_x.py::test_{number}" for number in range(200)]


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2"])
def test_a_malformed_shard_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="MATRIX_SHARD must be i/n"):
        parse_shard(value)


def test_no_shard_keeps_everything() -> None:
    assert parse_shard(None) is None
    assert parse_shard("") is None
    assert parse_shard(" 2/3 ") == Shard(2, 3)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_shards_partition_the_tests(count: int) -> None:
    shards = [Shard(index, count) for index in range(1, count + 1)]
    for test_id in IDS:
        assert sum(shard.holds(test_id, None) for shard in shards) == 1, test_id
    for combination in SUPPORTED:
        owners = [
            shard
            for shard in shards
            if shard.holds(f"tests/test_matrix.py::t[{combination.id}]", combination)
        ]
        assert len(owners) == 1
        # Every test of one combination lands on the same runner, whatever its name.
        assert owners[0].holds("tests/test_engines.py::other", combination)


def test_combinations_are_dealt_evenly() -> None:
    count = 4
    sizes = [sum(Shard(index, count).holds("", c) for c in SUPPORTED) for index in range(1, count + 1)]
    assert max(sizes) - min(sizes) <= 1, sizes


def collected(shard: str | None) -> set[str]:
    env = {key: value for key, value in os.environ.items() if key != "MATRIX_SHARD"}
    if shard:
        env["MATRIX_SHARD"] = shard
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests/test_sharding.py",
         "tests/test_update.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_the_suite_honours_matrix_shard() -> None:
    everything = collected(None)
    parts = [collected(f"{index}/3") for index in (1, 2, 3)]
    assert all(parts), "each shard holds some tests"
    assert set().union(*parts) == everything
    assert sum(len(part) for part in parts) == len(everything)
