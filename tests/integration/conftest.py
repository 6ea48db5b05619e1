import pytest
from sqlalchemy import select

from storage.models import Division


@pytest.fixture
def demo_container(container):
    """The container with every division's complaints running on the small demo diagram."""
    with container.session_factory() as session, session.begin():
        for division in session.scalars(select(Division)):
            division.config = {**division.config, "processes": {
                **division.config.get("processes", {}), "complaint": "demo_complaint"}}
    return container
