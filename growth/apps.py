from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "growth"
    verbose_name = "Growth and impact"

    def ready(self) -> None:
        # The learning log tells this app of a saved entry through its signal (growth/receivers.py).
        from growth import receivers  # noqa: F401
