from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from learningday import versions
from learningday.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "Load the demo organisation. Each app seeds its own <app>/demo.py, in layer order."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Add --force to load demo data anyway.")
        # INSTALLED_APPS lists our apps bottom layer first, so each app finds what it builds on.
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "demo"):
                import_module(f"{config.name}.demo").seed(stdout=self.stdout)
        # The seeds write in bulk, which moves no version: pages kept before are not read again.
        versions.move_all_on()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Sign in with any of these, password {settings.DEMO_PASSWORD!r}:")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<30} {role}")
