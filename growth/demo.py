"""Demo data of growth: the impact figures computed once from the demo's log, as the nightly
task would, so that /impact/ has figures in the embedded setup (which runs no beat)."""

from __future__ import annotations

from growth.summaries import impact_recompute


def seed(*, stdout=None) -> None:
    result = impact_recompute()
    if stdout is not None:
        stdout.write(f"growth: impact figures for {result.team_days} team Learning Days")
