"""Test settings: the same as production-like settings, but fast password hashing.

DATABASE_URL and CELERY_BROKER_URL are honoured, so CI can run the suite on PostgreSQL and
with a real broker.
"""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
