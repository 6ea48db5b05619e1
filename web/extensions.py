"""Flask extensions, bound to the app in the factory with init_app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])
