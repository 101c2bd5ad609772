"""A growable numpy column: per-row values kept beside the index (coordinates, fees, offsets)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


class Column:
    """Amortised appends; `view()` is the filled part."""

    def __init__(self, dtype: Any, initial: Iterable[Any] = ()) -> None:
        values = list(initial)
        self.data = np.zeros(max(1024, len(values)), dtype=dtype)
        self.data[: len(values)] = values
        self.size = len(values)

    def _reserve(self, extra: int) -> None:
        if self.size + extra > len(self.data):
            grown = np.zeros(max(2 * len(self.data), self.size + extra), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown

    def append(self, value: Any) -> None:
        self._reserve(1)
        self.data[self.size] = value
        self.size += 1

    def extend(self, values: list[Any]) -> None:
        self._reserve(len(values))
        self.data[self.size : self.size + len(values)] = values
        self.size += len(values)

    def view(self) -> np.ndarray:
        return self.data[: self.size]
