"""Prefect 3 orchestration: the nightly ingest-and-score flow (see the flows issue)."""
