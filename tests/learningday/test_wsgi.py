"""The WSGI entry point gunicorn loads: the app, with its start-up objects frozen."""

import os
import subprocess
import sys

from tests.learningday.test_settings import OURS, ROOT

LOAD = "import gc, learningday.wsgi as w; print(callable(w.application), gc.get_freeze_count())"


def test_the_wsgi_module_freezes_what_start_up_loaded(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in OURS} | {"VAR_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", LOAD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    is_app, frozen = result.stdout.split()
    assert is_app == "True"
    assert int(frozen) > 50_000  # Django and the apps: out of the collector's full passes
