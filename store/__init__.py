"""The data directory's analytical tables: Delta Lake, written by keyed merges (DESIGN §2)."""
