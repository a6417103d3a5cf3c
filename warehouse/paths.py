"""Where the warehouse lives: ``--warehouse``, else ``$STLS_WAREHOUSE``, else the default."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.contracts import PROJECT_ROOT

DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "stls.duckdb"
# dbt's docs site, written by `make docs` and served by the dashboard (static serving is on
# in .streamlit/config.toml) at DBT_DOCS_URL.
DBT_DOCS = PROJECT_ROOT / "static" / "dbt-docs" / "index.html"
DBT_DOCS_URL = "app/static/dbt-docs/index.html"


def resolve_warehouse(option: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file to use, as an absolute path (it need not exist yet)."""
    chosen = option or os.environ.get("STLS_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(chosen).expanduser()
    if not path.is_absolute():
        path = Path.cwd().joinpath(path)
    return path.resolve()
