"""Test settings: the real settings, with fast password hashing and tasks run in-process.

DATABASE_URL is honoured, so CI runs the suite on PostgreSQL too. Tasks stay in-process so each
test sees its own effects; tests/test_celery_worker.py sends tasks to a real worker over
CELERY_BROKER_URL when CI provides one.
"""

import os

# The settings default to production; the tests run on the development settings, as make run
# does (tests/test_settings.py checks the production ones in processes of their own).
os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True

# A developer's own key never reaches the tests, and no test talks to the real jobindsats.dk:
# tests/test_jobindsats.py points the connector at a local stub and sets a key of its own.
JOBINDSATS_TOKEN = ""
JOBINDSATS_URL = "http://127.0.0.1:9/v3"
JOBINDSATS_RETRY_DELAYS = [0.01, 0.02]
