"""`gunicorn -c gunicorn.conf.py 'app:server'` (make serve): the settings live in
services/gunicorn_settings.py, so an installed wheel serves the same way."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run from any directory

from services.gunicorn_settings import *  # noqa: E402, F403
from services.gunicorn_settings import on_starting  # noqa: E402, F401 (a hook)
