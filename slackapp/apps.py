from django.apps import AppConfig


class SlackAppConfig(AppConfig):
    name = "slackapp"
    verbose_name = "Slack"

    def ready(self) -> None:
        # The apps below tell this one of their changes through their signals.
        from slackapp import receivers  # noqa: F401
