"""Building the warehouse with dbt and publishing it safely: one load's orchestration,
versions, locking and read-only access."""
