"""Demo data of growth: the impact figures computed once from the demo's log, as the nightly
task would, so that /impact/ has figures and /growth/ people to learn with in the embedded setup (which runs no beat)."""

from __future__ import annotations

from growth.summaries import impact_recompute, topic_weeks_rebuild


def seed(*, stdout=None) -> None:
    result = impact_recompute()
    topic_weeks_rebuild()
    if stdout is not None:
        stdout.write(f"growth: impact figures for {result.team_days} team Learning Days")
