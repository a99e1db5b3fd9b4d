from tests.conftest import _audit_append_only  # noqa: F401  (same database hygiene as the tests)
from tests.functional.conftest import browser_type_launch_args  # noqa: F401  (Debian's Chromium)
