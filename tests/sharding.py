"""Split one run of the suite across runners: `MATRIX_SHARD=i/n` runs the i-th of n parts (1-based).

The template repository's CI (.github/workflows/ci.yml) starts n runners with `.ci/run`, each with its
own MATRIX_SHARD; together they run every test once. A test of one combination goes with that
combination, which is dealt round-robin in `tests/combinations.py` order, so every runner gets a
share of the expensive matrix rows; any other test goes by a stable hash of its id. Without
MATRIX_SHARD nothing is deselected.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from combinations import SUPPORTED, UNSUPPORTED, Combination

SHARD = re.compile(r"(?P<index>[1-9][0-9]*)/(?P<count>[1-9][0-9]*)")
ORDER = {combination.id: number for number, combination in enumerate(SUPPORTED + UNSUPPORTED)}


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def holds(self, test_id: str, combination: Combination | None) -> bool:
        if combination is not None and combination.id in ORDER:
            slot = ORDER[combination.id]
        else:
            slot = zlib.crc32(test_id.encode("utf-8"))
        return slot % self.count == self.index - 1


def parse_shard(value: str | None) -> Shard | None:
    """`"2/4"` -> Shard(2, 4); unset or empty -> None; anything else is refused with the reason."""
    if not value:
        return None
    match = SHARD.fullmatch(value.strip())
    if not match or int(match["index"]) > int(match["count"]):
        raise ValueError(f"MATRIX_SHARD must be i/n with 1 <= i <= n, such as 2/4 (got {value!r})")
    return Shard(int(match["index"]), int(match["count"]))
