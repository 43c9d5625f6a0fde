from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from logs import reminders
from logs.tasks import send_reminder_batch


class Command(BaseCommand):
    help = "Run one reminder dispatch as if it were the given instant, and print who gets what."

    def add_arguments(self, parser):
        parser.add_argument("--at", required=True, help="An instant with its offset, e.g. 2026-12-03T09:05:00Z")
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing.")

    def handle(self, *args, at: str, dry_run: bool = False, **options):
        try:
            instant = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise CommandError(f"--at {at!r} is not an ISO 8601 instant such as 2026-12-03T09:05:00Z.") from None
        if instant.tzinfo is None:
            raise CommandError("--at needs a time zone, such as Z for UTC.")
        batches = reminders.plan(at=instant)
        for line in reminders.describe(batches):
            self.stdout.write(line)
        people = sum(len(b.user_ids) for b in batches)
        if dry_run:
            self.stdout.write(f"Dry run: {people} emails in {len(batches)} batches would be sent.")
            return
        for batch in batches:
            send_reminder_batch.delay(batch.kind, batch.day.isoformat(), batch.user_ids)
        self.stdout.write(self.style.SUCCESS(f"Queued {people} emails in {len(batches)} batches."))
