"""Settings for a Celery worker process a test starts: the app's own, with every Redis key
of the broker under a prefix of that test's own, so that nothing else using the same Redis
(other tests, other workers) sees its tasks or has its unacknowledged tasks given back."""

import os

from learningday.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": os.environ["TEST_BROKER_KEY_PREFIX"],
}
