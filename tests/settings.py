"""The test suite's settings: the app's own, plus the ``scale`` app whose ``seed_scale`` it tests.

Production leaves ``scale`` out (a benchmark's data has no business there); only this module
and ``bench.settings`` add it.
"""

from learningday.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "scale"]  # noqa: F405

# Reading receipts by OCR takes seconds a file: only the tests of that feature turn it on.
RECEIPT_READING = False
