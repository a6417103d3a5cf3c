"""The audit: Great Expectations suites over a load's rows, the publish decision, and
what the data steward is told (the dq layer)."""
