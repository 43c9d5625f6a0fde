import json

from django.conf import settings
from django.core.management.base import BaseCommand

from slackapp.manifest import manifest


class Command(BaseCommand):
    help = "Print the Slack app's manifest for this site (SITE_URL), to paste at api.slack.com/apps."

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default=settings.SITE_URL, help="the public address (default: SITE_URL)")

    def handle(self, *args, site_url: str, **options) -> None:
        if not site_url.startswith("https://"):
            self.stderr.write(f"Slack calls only https:// addresses; {site_url} will not work in Slack.")
        self.stdout.write(json.dumps(manifest(site_url), indent=2, ensure_ascii=False))
