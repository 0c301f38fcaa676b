"""The SSH tests run against a real sshd (see sshd_server.py); failing to start one fails them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.providers.host.sshd_server import Sshd, SshdUnavailable, running_sshd


@pytest.fixture(scope="session")
def sshd() -> Iterator[Sshd]:
    try:
        with running_sshd() as server:
            yield server
    except SshdUnavailable as exc:
        pytest.fail(str(exc))
