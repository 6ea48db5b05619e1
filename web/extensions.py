"""Flask extensions, bound to the app in the factory with init_app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# storage comes from the app's RATELIMIT_STORAGE_URI (settings.ratelimit_storage_url): a shared store such as
# redis:// makes a limit hold across every worker and host; if that store is down, each worker falls back to
# its own memory so sign-in keeps working (the per-account lockout in the database still holds)
limiter = Limiter(key_func=get_remote_address, default_limits=[], in_memory_fallback_enabled=True)
