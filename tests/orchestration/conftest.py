"""The shared run of real-shaped deliveries (tests/real_deliveries.py)."""

from __future__ import annotations

import pytest

from tests.orchestration.test_agent_event_stream import land_agent_event_stream
from tests.orchestration.test_real_exports import land_connect_records_and_zendesk
from tests.orchestration.test_unreadable_identifiers import land_unreadable_identifiers
from tests.real_deliveries import Delivered, deliver


@pytest.fixture(scope="session")
def delivered(tmp_path_factory) -> Delivered:
    return deliver(tmp_path_factory.mktemp("real_deliveries"),
                   [land_unreadable_identifiers, land_connect_records_and_zendesk, land_agent_event_stream])
