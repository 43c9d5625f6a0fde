"""(Being built: see the issue.)"""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Add this module's listeners to the Bolt app."""
