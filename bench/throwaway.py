"""Django for a bench script, on a throwaway database: a new SQLite file in a temporary folder, unless
DATABASE_URL names one. Import it first, before anything that needs settings: `import throwaway  # noqa`."""

import os
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
