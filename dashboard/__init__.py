"""The coach dashboard: a FastAPI app over the data directory's store and app database."""
