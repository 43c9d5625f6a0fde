from django.apps import AppConfig


class LearningDayConfig(AppConfig):
    name = "learningday"
    verbose_name = "Learning Day"

    def ready(self) -> None:
        from learningday import (
            checks,  # noqa: F401  (registers the deploy checks)
            versions,
        )

        versions.connect()
