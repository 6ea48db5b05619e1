"""Security-suite fixtures."""
import pytest

from web.extensions import limiter


@pytest.fixture(autouse=True)
def rate_limits_back_on():
    """web_client() builds apps with rate limits off, and flask-limiter keeps that for every later app; undo it."""
    yield
    limiter.enabled = True
