"""STLS Insight: the warehouse package (reading files, loading, the CLI, read access)."""

__version__ = "0.1.0"
