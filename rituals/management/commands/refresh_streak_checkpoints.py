"""Recomputes the stored streak checkpoint of every live ritual (rituals.services.streaks).

Reads are right without it (an invalid checkpoint makes them walk the history), but slow. Run it
after loading rituals or completions outside the ORM (a bulk import, the load benchmark's seed), and
once after a deploy that brought in migration 0003 if app servers of the previous release were
still recording completions after it ran. After migration 0005 it also fills in the start of each
running streak (`streak_run_start`), which makes a late completion inside the run O(1): until then,
each ritual's first one walks its history once (and fills it in). Safe to run at any time: each
batch locks its rituals.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rituals.models import Ritual
from rituals.services.streaks import streak_checkpoints_refresh


class Command(BaseCommand):
    help = "Recomputes the streak checkpoint of every live ritual (or only the invalid ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--invalid-only", action="store_true", help="only rituals whose checkpoint is invalid")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        live = Ritual.objects.filter(deleted_at__isnull=True)
        if options["invalid_only"]:
            live = live.filter(streak_valid=False)
        ids = list(live.order_by("pk").values_list("pk", flat=True))
        saved = 0
        for start in range(0, len(ids), options["batch"]):
            saved += streak_checkpoints_refresh(ritual_ids=ids[start : start + options["batch"]])
        self.stdout.write(f"Recomputed the streak checkpoints of {saved} rituals.")
