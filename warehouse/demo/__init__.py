"""The bundled demo data: ILLUSTRATIVE raw files as district leads, the census team and
finance would send them, and the deterministic generator that writes them
(``python -m warehouse.demo.generate``).

The district split is invented. Only the county totals are tied to the July 2024
committee report (Tables 1-7, sections 2.13 and 2.22) and to public census facts; the
funding table is the report's own, transcribed with its flaws. See ``data/README.md``.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
