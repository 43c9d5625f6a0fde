"""Demo learning log: twelve weeks of entries for the demo teams.

Some Learning Days are missed, a few posts land on other days and a few days are
crowded out by regular work, so the feed, streaks and participation show something
real. Deterministic, and running it again on the same day adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from learningday import calendar
from learningday.models import Membership
from learningday.quarters import Quarter
from logs.models import Entry, EntryTopic, PulseAnswer
from logs.selectors import pulse_opens_on
from logs.topics import rank
from reading.models import Topic

C = Entry.Category

ENTRIES = [
    (
        C.READING_PAPERS,
        "Read **Population Based Augmentation** (Ho et al., 2019). The trick: learn a *schedule* of "
        "augmentation policies with population based training instead of one fixed policy. "
        "Matches AutoAugment on CIFAR-10 with about 1000× less compute.",
        ["https://arxiv.org/abs/1905.05393"],
        "Try PBA's schedule on our small image classifier.",
    ),
    (
        C.REIMPLEMENTING,
        "Reimplemented the core of *Neural Graph Evolution* in PyTorch: the graph mutation "
        "operators work, the GNN policy does not learn yet.\n\n- mutations: add/remove limb\n"
        "- next: check the reward normalisation",
        ["https://arxiv.org/abs/1906.05370", "https://github.com/WilsonWangTHU/NeuralGraphEvolution"],
        "Find why the policy's loss stays flat.",
    ),
    (
        C.TUTORIAL,
        "Worked through the first three lessons of the *fast.ai* practical deep learning course. "
        "The learning-rate finder is a neat idea: sweep the rate up, pick the steepest descent.",
        ["https://course.fast.ai/"],
        "Lesson 4: collaborative filtering.",
    ),
    (
        C.EXPLORING_TOOL,
        "Played with **JAX**: `jit`, `grad` and `vmap` compose nicely. Rewrote a tiny MLP; "
        "per-example gradients with `vmap(grad(loss))` are one line.",
        ["https://jax.readthedocs.io/"],
        "",
    ),
    (
        C.RESEARCH,
        "Bite-sized question: does label smoothing hurt calibration on our data? Quick experiment: "
        "ECE goes from 0.041 to 0.029 with ε=0.1. Smaller than I expected.",
        [],
        "Repeat with temperature scaling as a baseline.",
    ),
    (
        C.OUTSIDE_FIELD,
        "Read about the history of the **Kalman filter** and its use in the Apollo guidance computer. "
        "Fixed-point arithmetic on 15-bit words — humbling.",
        ["https://en.wikipedia.org/wiki/Kalman_filter"],
        "",
    ),
    (
        C.MATHS,
        "Refreshed eigen-decomposition and SVD with Strang's lectures; finally clear why PCA is "
        "an SVD of the centred data matrix.",
        ["https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/"],
        "Lecture on positive definite matrices.",
    ),
    (
        C.READING_PAPERS,
        "Read *Efficient Off-Policy Meta-Reinforcement Learning via Probabilistic Context Variables* "
        "(PEARL). Separating task inference from control is what makes it sample-efficient.",
        ["https://arxiv.org/abs/1903.08254"],
        "",
    ),
    (
        C.READING_PAPERS,
        "**Does computer vision matter for action?** Short answer from the paper: yes, intermediate "
        "representations (depth, segmentation) help agents generalise.",
        ["https://arxiv.org/abs/1905.12887"],
        "Compare with the mid-level visual representations paper.",
    ),
    (
        C.READING_PAPERS,
        "Read *WAIC, but Why? Generative Ensembles for Robust Anomaly Detection*. Likelihoods of "
        "generative models are not enough for OOD detection; ensembles' WAIC helps.",
        ["https://arxiv.org/abs/1810.01392"],
        "",
    ),
    (
        C.TUTORIAL,
        "Followed the PyTorch *torch.compile* tutorial; 1.4× speed-up on our training loop, "
        "after removing two graph breaks caused by `.item()` calls.",
        ["https://pytorch.org/tutorials/intermediate/torch_compile_tutorial.html"],
        "",
    ),
    (
        C.EXPLORING_TOOL,
        "Tried **DuckDB** on our experiment logs: SQL straight over 3 GB of Parquet, queries in "
        "under a second on a laptop.",
        ["https://duckdb.org/"],
        "",
    ),
    (
        C.OTHER,
        "Watched a talk on writing good design docs; main takeaway: state the non-goals.",
        [],
        "",
    ),
    (
        C.MATHS,
        "Worked through the derivation of the evidence lower bound (ELBO) again, this time with "
        "Jensen's inequality and with the KL decomposition. Both in my notes now.",
        [],
        "Implement a small VAE to check the maths.",
    ),
]

OFF_DAY_OFFSETS = (1, 5)  # Friday and Tuesday after a Thursday


@transaction.atomic
def seed(*, stdout=None) -> None:
    today = timezone.localdate(timezone=dt.UTC)
    last = calendar.previous_learning_day(today, inclusive=False)
    days = [last - dt.timedelta(weeks=w) for w in range(12)]
    members = list(
        Membership.objects.filter(team__slug__in=["robotics", "research", "applied"]).select_related("user", "team")
    )
    rng = random.Random(2026)  # noqa: S311  (demo data, not security)
    created = 0
    for index, membership in enumerate(sorted(members, key=lambda m: m.user.email)):
        user = membership.user
        for week, day in enumerate(days):
            # The demo member has a long streak with one old gap; the others post most weeks.
            posts = week != 9 if user.email == "member@example.com" else rng.random() < 0.8
            if not posts:
                continue
            kind, body, links, nxt = ENTRIES[(index * 5 + week) % len(ENTRIES)]
            _, new = Entry.objects.get_or_create(
                author=user,
                day=day,
                defaults={
                    "body": body,
                    "category": kind,
                    "hours": Decimal(rng.choice(["3", "4.5", "6", "7.5", "8"])),
                    "links": links,
                    "whats_next": nxt,
                    "crowded_out": rng.random() < 0.1,
                    "visibility": Entry.Visibility.EVERYONE if rng.random() < 0.3 else Entry.Visibility.TEAMS,
                },
            )
            created += new
        if index % 4 == 1:  # learning on another day
            day = days[index % 6] + dt.timedelta(days=OFF_DAY_OFFSETS[index % 2])
            if day <= today:
                kind, body, links, nxt = ENTRIES[(index + 3) % len(ENTRIES)]
                _, new = Entry.objects.get_or_create(
                    author=user, day=day, defaults={"body": body, "category": kind, "links": links}
                )
                created += new
    _tag(days[-1])
    if stdout is not None:
        stdout.write(f"logs: {created} new entries over the last 12 Learning Days")
    seed_pulse(today=today, stdout=stdout)


# The pulse question's demo answers, per quarter back from the current one: how many answered
# in each team. The three ended quarters show the five-answer rule: every team shown; two
# small teams folded into "Other teams"; one small team folded with the smallest team shown.
PULSE_TURNOUT = {
    3: {"robotics": 5, "research": 5, "applied": 5},
    2: {"robotics": 5, "research": 3, "applied": 4},
    1: {"robotics": 5, "research": 4, "applied": 5},
    0: {"robotics": 2, "research": 3, "applied": 1},  # still open: shown once it ends
}
PULSE_COMMENTS = [
    "Reimplementing a paper end to end taught me more than a month of reading about it.",
    "Hard to protect the day when a release is due.",
    "The reading list makes it easy to start; finishing is the hard part.",
    "I finally learned enough statistics to read our experiment reports properly.",
    "Pairing with someone from another team was the best Learning Day this quarter.",
]


def seed_pulse(*, today: dt.date, stdout=None) -> None:
    """A few quarters of pulse answers from the demo teams' people (the demo member has not
    answered the current quarter, so the dashboard asks them on a Learning Day)."""
    rng = random.Random(16)  # noqa: S311  (demo data, not security)
    current = Quarter.of(today)
    by_team: dict[str, list[Membership]] = {}
    for membership in (
        Membership.objects.filter(team__slug__in=["robotics", "research", "applied"])
        .select_related("user", "team")
        .order_by("user__email")
    ):
        by_team.setdefault(membership.team.slug, []).append(membership)
    created = 0
    for back, turnout in PULSE_TURNOUT.items():
        quarter = current
        for _ in range(back):
            quarter = quarter.previous()
        if back == 0 and today < pulse_opens_on(quarter):
            continue
        asked_at = dt.datetime.combine(pulse_opens_on(quarter), dt.time(10), tzinfo=dt.UTC)
        for slug, count in turnout.items():
            people = [m for m in by_team.get(slug, []) if not (back == 0 and m.user.email == "member@example.com")]
            for membership in people[:count]:
                comment = PULSE_COMMENTS[rng.randrange(len(PULSE_COMMENTS))] if rng.random() < 0.4 else ""
                answer, new = PulseAnswer.objects.get_or_create(
                    user=membership.user,
                    quarter=quarter.first_day,
                    defaults={"team": membership.team, "score": rng.choice([2, 3, 4, 4, 5, 5]), "comment": comment},
                )
                if new:
                    PulseAnswer.objects.filter(pk=answer.pk).update(created_at=asked_at)
                created += new
    if stdout is not None:
        stdout.write(f"logs: {created} new pulse answers over the last {len(PULSE_TURNOUT)} quarters")


def _tag(since: dt.date) -> None:
    """Demo entries without topics get the app's suggestions, as the check-in would propose them."""
    topics = list(Topic.objects.all())
    untagged = Entry.objects.filter(day__gte=since, topic_links__isnull=True).prefetch_related("items")
    EntryTopic.objects.bulk_create(
        [
            EntryTopic(entry=entry, topic=suggestion.topic, source=EntryTopic.Source.SUGGESTED)
            for entry in untagged
            for suggestion in rank(text=entry.body, items=entry.items.all(), topics=topics)[:3]
        ]
    )
