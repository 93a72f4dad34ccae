"""Polars expressions the feature tables share."""

from __future__ import annotations

import polars as pl


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, null unless the denominator is positive (no 0 or sign flips)."""
    return pl.when(denominator > 0).then(numerator / denominator)
