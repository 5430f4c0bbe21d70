from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def source_inputs() -> Path:
    """Third-party inputs fetched from the registries (bandit, bottle sdists; http-server npm)."""
    from .fetch_inputs import fetch

    return fetch()
