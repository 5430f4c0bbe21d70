"""Corpus-scale runs: scan thousands of apps into a resumable SQLite store, locally or on a Dask
cluster, then compute prevalence statistics and export the results.

Kept light on purpose: the scan worker child imports this package, so heavy modules (Dask,
matplotlib, pyarrow) are imported only where they are used.
"""

from __future__ import annotations

from .store import SCHEMA_VERSION, Store, StoreError

__all__ = ["SCHEMA_VERSION", "Store", "StoreError"]
