"""Shared fixtures: every test gets its own processed-data cache, never the project's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CSA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
