"""Rows that come in contiguous segments (the records of a run, the sessions of a season).

Every per-segment measure is then one `ufunc.reduceat` at the segments' first rows, and every
per-segment value reaches its rows by indexing: one pass of array operations, whatever the
number of segments.
"""

from __future__ import annotations

import numpy as np


class Segments:
    """Segments of the given lengths, laid end to end (`owner`: the segment of each row)."""

    def __init__(self, lengths: np.ndarray) -> None:
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.first = self.starts[:-1]
        self.last = self.starts[1:] - 1
        self.owner = np.repeat(np.arange(len(lengths)), lengths)

    @classmethod
    def of_labels(cls, labels: np.ndarray) -> Segments:
        """Segments where `labels` changes (each segment's rows contiguous)."""
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(labels)) + 1, [len(labels)]])
        return cls(np.diff(bounds) if len(labels) else np.empty(0, dtype=np.int64))

    def spread(self, per_segment: np.ndarray | list[float] | list[bool]) -> np.ndarray:
        return np.asarray(per_segment)[self.owner]

    def total(self, values: np.ndarray, where: np.ndarray | bool = True) -> np.ndarray:
        """Sum per segment of the values where `where` holds (missing values skipped; none: 0)."""
        return np.add.reduceat(np.where(where & ~np.isnan(values), values, 0.0), self.first)

    def count(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.add.reduceat((where & ~np.isnan(values)).astype(np.int64), self.first)

    def mean(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.total(values, where) / self.count(values, where)

    def std(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Sample standard deviation (n - 1) per segment; NaN under two values."""
        n = self.count(values, where)
        deviation = values - self.spread(self.mean(values, where))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 1, np.sqrt(self.total(deviation**2, where) / (n - 1)), np.nan)

    def lowest(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.fmin.reduceat(np.where(where, values, np.nan), self.first)

    def highest(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        return np.fmax.reduceat(np.where(where, values, np.nan), self.first)

    def any(self, where: np.ndarray) -> np.ndarray:
        return np.logical_or.reduceat(where, self.first)

    def cumsum(self, x: np.ndarray) -> np.ndarray:
        """Cumulative sum restarting with each segment, each summed from its own first row
        as if it were alone (one running total less each segment's start carried the rounding
        of the segments before: a run's warm-up moved by a record with what was batched
        before it). A loop over segments, each a numpy sum."""
        parts = (np.cumsum(x[a : b + 1]) for a, b in zip(self.first, self.last, strict=True))
        return np.concatenate([np.empty(0, dtype=np.asarray(x).dtype), *parts])

    def steps(self, x: np.ndarray) -> np.ndarray:
        """x[k] - x[k-1] within a segment; a segment's first row repeats its second (NaN in a
        one-row segment: it has no step, and its next row is another segment's)."""
        step = np.diff(x, prepend=x[:1]).astype(np.float64)
        second = np.minimum(self.first + 1, len(x) - 1)
        step[self.first] = np.where(self.first < self.last, step[second], np.nan)
        return step

    def trailing_mean(self, x: np.ndarray, rows: int) -> np.ndarray:
        """Mean of the last `rows` rows of the same segment."""
        total = np.concatenate([[0.0], np.cumsum(x)])
        k = np.arange(len(x))
        low = np.maximum(k - rows, self.spread(self.first) - 1)
        return (total[k + 1] - total[low + 1]) / (k - low)
