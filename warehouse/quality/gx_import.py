"""Importing Great Expectations without the statistics it never uses here.

GX's ``expectations.core`` imports ``scipy.stats`` for the KL-divergence and
Kolmogorov-Smirnov expectations, at the top of their modules but used only inside their
methods. None of this project's suites uses them, yet importing ``scipy.stats`` was a
third of GX's import (about 1 s of 3 on the development machine), on every load, before
the audit could start.

``ready()`` registers ``scipy.stats`` as a lazy module (``importlib.util.LazyLoader``,
from the standard library) before GX is first imported: GX's ``from scipy import stats``
then binds a module whose code runs the first time anything in it is used, so an analyst's
suite that does use one of those expectations still works, and pays for the import then.
Every place in this package that imports GX calls ``ready()`` first.
"""

from __future__ import annotations

import importlib.util
import sys

_LAZY = "scipy.stats"


def ready() -> None:
    """Make ``scipy.stats`` load on first use, unless it is loaded already (idempotent)."""
    if _LAZY in sys.modules:
        return
    spec = importlib.util.find_spec(_LAZY)  # imports the scipy package itself (milliseconds)
    if spec is None or spec.loader is None:
        return  # no scipy: GX's own import will say so
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[_LAZY] = module
    loader.exec_module(module)
    # ``from scipy import stats`` asks the package for the attribute: set it, or scipy's
    # own lazy ``__getattr__`` would import the module in full at once.
    parent, _, name = _LAZY.rpartition(".")
    setattr(sys.modules[parent], name, module)
