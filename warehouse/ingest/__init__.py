"""Reading received files and keeping every row as received (the raw layer)."""
