"""The writers are tested on reports from the cross-cloud checks only, whatever else ships."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpscan.content import Content, load_content


@pytest.fixture(scope="session")
def content(cloud_checks_only: Path) -> Content:
    return load_content(cloud_checks_only)
