"""The Slack app's manifest: what an admin pastes at api.slack.com/apps to create the app.

``python manage.py slack_manifest`` prints it with this site's address; ``slackapp/manifest.json``
is the same for https://learningday.example.com, kept equal by a test.
"""

from __future__ import annotations

from typing import Any

# Each bot scope, and why the app needs it (the README lists them).
SCOPES: dict[str, str] = {
    "commands": "the /learned and /reading commands and the “Log as learning” shortcut",
    "chat:write": "direct messages (reminders, confirmations, claims to decide) and the team channel's posts, "
    "edited or removed later",
    "chat:write.public": "post in a team's public channel without being invited to it first",
    "users:read": "look up the Slack user who asks",
    "users:read.email": "match that user to an account by the email address Slack has verified",
    "channels:read": "list the public channels a manager may pick for their team",
}


def manifest(site_url: str) -> dict[str, Any]:
    events = f"{site_url.rstrip('/')}/slack/events"
    return {
        "display_information": {
            "name": "Learning Day",
            "description": "Log what you learned on Learning Day, where your team already talks.",
            "background_color": "#1f4e79",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "Learning Day", "always_online": True},
            "shortcuts": [
                {
                    "name": "Log as learning",
                    "type": "message",
                    "callback_id": "log_as_learning",
                    "description": "Log this message as what you learned today",
                }
            ],
            "slash_commands": [
                {
                    "command": "/learned",
                    "url": events,
                    "description": "Log what you learned today",
                    "usage_hint": "[what you learned]",
                    "should_escape": False,
                },
                {
                    "command": "/reading",
                    "url": events,
                    "description": "Suggest a paper or book for the reading list",
                    "usage_hint": "<arXiv id, DOI, ISBN or link>",
                    "should_escape": False,
                },
            ],
        },
        "oauth_config": {"scopes": {"bot": list(SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": events, "bot_events": ["app_home_opened"]},
            "interactivity": {"is_enabled": True, "request_url": events, "message_menu_options_url": events},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
