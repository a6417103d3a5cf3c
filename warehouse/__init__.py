"""STLS Insight: the warehouse package, one folder per stage of the data's flow.

core -> ingest -> quality -> publish -> reporting -> dashboard; cli.py and demo/ on top.
docs/design.md ("Where things live") maps the folders.
"""

from importlib.metadata import PackageNotFoundError, version

try:  # the one version number is pyproject.toml's
    __version__ = version("stls-insight")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "unknown"
