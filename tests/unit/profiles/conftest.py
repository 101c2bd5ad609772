"""What the profiles use-case tests share: a fresh in-memory unit of work and a settable clock."""

from __future__ import annotations

import pytest

from tests.unit.profiles.fakes import clock, unit_of_work


@pytest.fixture
def uow():
    return unit_of_work()


@pytest.fixture
def now():
    return clock()
