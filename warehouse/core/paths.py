"""Where things live: the one module that knows the project's folders and files.

The project root holds dbt/ (the dbt project and its seeds, the reference lists),
expectations/ (the audit's suites), roles.toml (who may read what), static/ (files the
dashboard serves) and, by default, the warehouse file. The warehouse is ``--warehouse``,
else ``$STLS_WAREHOUSE``, else ``warehouse/stls.duckdb``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The dbt project. STLS_DBT_DIR points at another copy of it (an analyst trying a new
# figure or model on a copy; the tests of the analyst's walk-through do exactly that).
DBT_DIR = Path(os.environ.get("STLS_DBT_DIR") or PROJECT_ROOT / "dbt").resolve()
SEEDS_DIR = DBT_DIR / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DEFAULT_ROLES_FILE = PROJECT_ROOT / "roles.toml"
APP = PROJECT_ROOT / "app.py"
REFERENCE_DIR = PROJECT_ROOT / "docs" / "reference"
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
