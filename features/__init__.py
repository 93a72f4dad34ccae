"""Pure feature code over polars frames: FIT decoding, per-run and athlete-day features."""
