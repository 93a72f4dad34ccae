"""How much work one FIT file may make the decoder do (docs/frame_contract.md, "Limits").

FIT framing lets a small file ask for a lot: a message can be one byte, a definition six, and
every developer field a column of the records frame. Without limits a crafted file of a few
MiB took minutes and gigabytes. Each limit is far above what any file of ../shared/fit_corpus
needs (the margins are in the docs); a file past one is refused with a `FitDecodeError`
naming it, before the work it would cost is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from stridewise.features.fit.errors import FitDecodeError


@dataclass(frozen=True)
class Limits:
    """Per-file limits of the numpy decoder."""

    messages: int = 1_000_000
    """Data and definition messages (corpus: 100,007)."""
    definitions: int = 10_000
    """Distinct definitions: a definition repeated byte for byte is read once (corpus: 179)."""
    developer_fields: int = 10_000
    """Developer fields declared by definitions, all definitions together (corpus: 261)."""
    developer_descriptions: int = 10_000
    """`field_description` and `developer_data_id` messages (corpus: 49)."""
    values_per_byte: int = 32
    """Decoded values (message-table cells, float64) per byte of the file (corpus: 7.8)."""
    values: int = 24_000_000
    """Decoded values in all, whatever the file's size (corpus: 2.2 million)."""

    def allowed_values(self, size: int) -> int:
        """How many values a file of `size` bytes may decode to."""
        return min(self.values_per_byte * size, self.values)


LIMITS = Limits()


def over_limit(limit: int, what: str) -> FitDecodeError:
    """The error for a file past a limit: one line naming the limit."""
    return FitDecodeError(f"over the limit of {limit:,} {what} per file")
