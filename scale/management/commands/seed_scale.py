from __future__ import annotations

import time

from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from learningday import versions
from learningday.models import User
from reimbursements.models import Claim, Receipt
from scale import seed as scale


class Command(BaseCommand):
    help = (
        "Fill an empty database with a large, realistic organisation for benchmarks: people, teams, "
        "two years of entries, reading lists and claims in every state."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=5000, help="How many people (default 5000).")
        parser.add_argument("--weeks", type=int, default=104, help="Learning Days of history (default 104).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--password", default="bench-password", help="Password of the three fixed logins (default bench-password)."
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--flush", action="store_true", help="Empty the whole database first (manage.py flush).")

    def handle(self, *args, people: int, weeks: int, seed: int, password: str, force: bool, flush: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Add --force to load scale data anyway.")
        if people < 5:
            raise CommandError("--people must be at least 5.")
        if weeks < 1:
            raise CommandError("--weeks must be at least 1.")
        if flush:
            began = time.monotonic()
            # The receipts' files would outlive their rows: delete them once the rows are gone.
            files = [name for pair in Receipt.objects.values_list("file", "thumbnail") for name in pair if name]
            call_command("flush", interactive=False, verbosity=0)
            storage = storages["receipts"]
            for name in files:
                storage.delete(name)
            self.stdout.write(
                f"{'flush':<10} {time.monotonic() - began:7.1f} s  ({len(files):,} receipt files deleted)"
            )
        elif existing := User.objects.count():
            raise CommandError(
                f"The database already holds {existing} user{'s' if existing != 1 else ''}: seed_scale fills an "
                "empty database. Add --flush to delete everything in it first."
            )
        self.stdout.write(f"Seeding {people} people and {weeks} weeks of Learning Days (seed {seed}).")
        counts = scale.seed(people=people, weeks=weeks, seed=seed, password=password, write=self.stdout.write)
        # Written in bulk, which moves no version: pages kept before (a flushed database's) are not read again.
        versions.move_all_on()
        self.stdout.write(self.style.SUCCESS("Scale data is ready."))
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<32} {count:>9,}")
        by_state = dict(Claim.objects.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
        self.stdout.write("  claims by state: " + ", ".join(f"{s} {by_state.get(s, 0):,}" for s in Claim.State.values))
        self.stdout.write(f"Sign in with any of these, password {password!r}:")
        for email, role in scale.LOGINS:
            self.stdout.write(f"  {email:<24} {role}")
