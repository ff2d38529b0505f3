from __future__ import annotations

import pytest

from core.clock import FixedClock
from tests.builders import World, build_world


@pytest.fixture
async def world(db: None, clock: FixedClock) -> World:
    return await build_world(clock)
