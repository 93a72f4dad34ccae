"""Generate realistic running data as real FIT files (samples, tests, benchmarks)."""
