"""The Celery app, configured from Django's settings (the CELERY_ ones).

Without REDIS_URL, CELERY_TASK_ALWAYS_EAGER runs every task in-process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningday.settings")

app = Celery("learningday")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py, found through the app registry.
app.autodiscover_tasks()
