"""Moving the test database to a migration state and back, for the tests of data migrations."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to ``targets`` (None: every app at its latest migration); the apps of that state.

    A test that goes back must come forward with None, never to a named migration: a later
    migration of any app would otherwise stay undone for the tests that run after it.
    """
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps
