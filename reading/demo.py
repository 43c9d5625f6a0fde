"""Demo reading lists: the papers, courses, coding exercises and books from the story.

Real authors, years and identifiers where known; some progress, and some suggestions
waiting for a manager. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from learningday.models import Team, User
from reading.models import Endorsement, Item, Progress, Topic

K = Item.Kind
DL_READING, DL_CODING, MATHS, MANAGEMENT, HISTORY = (
    "deep-learning-reading",
    "deep-learning-coding",
    "maths-and-statistics",
    "management",
    "history-of-technology",
)

# The organisation's fields: slug, name, keywords (whole words, any case; admins edit them).
TOPICS = [
    (DL_READING, "Deep learning reading",
     "deep learning, neural network, neural networks, transformer, attention, augmentation, generative models, "
     "representations, meta-learning, reinforcement learning, Meta-Reinforcement Learning, arXiv"),
    (DL_CODING, "Deep learning coding",
     "PyTorch, JAX, TensorFlow, training loop, fine-tuning, CUDA, MLP, GNN, fast.ai, torch.compile"),
    ("ml-systems", "ML systems",
     "ML, MLOps, inference, serving, GPU, torch.compile, speed-up, Parquet, DuckDB, data pipeline, compiler"),
    (MATHS, "Maths and statistics",
     "maths, math, statistics, probability, linear algebra, calculus, Bayesian, SVD, PCA, eigen-decomposition, "
     "ELBO, KL, Jensen's inequality, calibration, Kalman filter"),
    ("software-engineering", "Software engineering",
     "design docs, design doc, code review, refactoring, testing, SQL, architecture, non-goals"),
    ("robotics", "Robotics",
     "robot, robots, robotics, locomotion, sim-to-real, visuomotor, limb, agents, Apollo guidance computer"),
    (MANAGEMENT, "Management",
     "management, manager, leadership, feedback, hiring, one-on-one, roadmap"),
    (HISTORY, "History of technology",
     "history, history of computing, Apollo, Turing, Babbage, ENIAC, cyber war"),
]  # fmt: skip

# Each demo team's own fields: anything else its people learn is outside the field.
HOME_TOPICS = {
    "robotics": ["robotics", DL_READING, DL_CODING],
    "research": [DL_READING, MATHS],
    "applied": [DL_CODING, "ml-systems", "software-engineering"],
}

# team slug (None: everyone), topic, kind, title, authors, year, arXiv id, ISBN-13, url, why
ITEMS = [
    ("robotics", DL_READING, K.PAPER, "Population Based Augmentation: Efficient Learning of Augmentation Policy Schedules",
     ["Daniel Ho", "Eric Liang", "Ion Stoica", "Pieter Abbeel", "Xi Chen"], 2019, "1905.05393", "", "",
     "AutoAugment's results for a thousandth of the compute; the schedule idea transfers to our data."),
    ("robotics", DL_READING, K.PAPER, "Learning Domain Randomization Distributions for Transfer of Locomotion Policies",
     ["Melissa Mozifian", "Juan Camilo Gamboa Higuera", "David Meger", "Gregory Dudek"], 2019, "1906.00410", "", "",
     "Learn how wide to randomise instead of guessing: directly relevant to sim-to-real."),
    ("robotics", DL_READING, K.PAPER, "Neural Graph Evolution: Towards Efficient Automatic Robot Design",
     ["Tingwu Wang", "Yuhao Zhou", "Sanja Fidler", "Jimmy Ba"], 2019, "1906.05370", "", "", ""),
    ("robotics", DL_READING, K.PAPER,
     "Mid-Level Visual Representations Improve Generalization and Sample Efficiency for Learning Visuomotor Policies",
     ["Alexander Sax", "Bradley Emi", "Amir R. Zamir", "Leonidas Guibas", "Silvio Savarese", "Jitendra Malik"], 2018,
     "1812.11971", "", "", "Which visual priors help a policy, measured carefully."),
    ("robotics", DL_READING, K.PAPER,
     "Efficient Off-Policy Meta-Reinforcement Learning via Probabilistic Context Variables",
     ["Kate Rakelly", "Aurick Zhou", "Deirdre Quillen", "Chelsea Finn", "Sergey Levine"], 2019, "1903.08254", "", "",
     "PEARL: task inference separated from control."),
    ("robotics", DL_READING, K.PAPER, "Does computer vision matter for action?",
     ["Brady Zhou", "Philipp Krähenbühl", "Vladlen Koltun"], 2019, "1905.12887", "", "", ""),
    ("robotics", DL_READING, K.PAPER, "Weight Agnostic Neural Networks", ["Adam Gaier", "David Ha"], 2019,
     "1906.04358", "", "", "Architectures that work with random shared weights: a different way to think about priors."),
    ("research", DL_READING, K.PAPER, "WAIC, but Why? Generative Ensembles for Robust Anomaly Detection",
     ["Hyunsun Choi", "Eric Jang", "Alexander A. Alemi"], 2018, "1810.01392", "", "", ""),
    ("research", DL_READING, K.PAPER,
     "Challenging Common Assumptions in the Unsupervised Learning of Disentangled Representations",
     ["Francesco Locatello", "Stefan Bauer", "Mario Lucic", "Gunnar Rätsch", "Sylvain Gelly", "Bernhard Schölkopf",
      "Olivier Bachem"], 2019, "1811.12359", "", "", "ICML 2019 best paper; read before starting on disentanglement."),
    ("research", DL_READING, K.COURSE, "Deep Unsupervised Learning (CS294-158)",
     ["Pieter Abbeel", "Peter Chen", "Jonathan Ho", "Aravind Srinivas"], 2019, "", "",
     "https://sites.google.com/view/berkeley-cs294-158-sp19/home", "Lectures and homework on generative models."),
    ("research", DL_READING, K.COURSE, "Deep RL Bootcamp", ["Pieter Abbeel", "Rocky Duan", "Peter Chen", "Andrej Karpathy"],
     2017, "", "", "https://sites.google.com/view/deep-rl-bootcamp/lectures", ""),
    ("applied", DL_CODING, K.CODE, "Reptile and MAML: implement both on Omniglot",
     ["Alex Nichol", "Joshua Achiam", "John Schulman"], 2018, "1803.02999", "", "",
     "First-order meta-learning in a hundred lines; then MAML for comparison."),
    ("applied", DL_CODING, K.CODE, "JAX: write a small MLP with jit, grad and vmap", [], None, "", "",
     "https://github.com/jax-ml/jax", ""),
    ("applied", DL_CODING, K.CODE, "Sparse Transformers applied to vision",
     ["Rewon Child", "Scott Gray", "Alec Radford", "Ilya Sutskever"], 2019, "1904.10509", "", "", ""),
    ("applied", DL_CODING, K.CODE, "An LSTM and a transformer from scratch on Penn Treebank", [], None, "", "", "",
     "Compare perplexity and training time; no libraries beyond tensors and autograd."),
    (None, MATHS, K.BOOK, "Time Series Analysis", ["James D. Hamilton"], 1994, "", "9780691042893", "", ""),
    (None, MATHS, K.BOOK, "The Book of Why: The New Science of Cause and Effect", ["Judea Pearl", "Dana Mackenzie"],
     2018, "", "9780465097609", "", "Causality for everyone; start here before the textbook."),
    (None, MANAGEMENT, K.BOOK, "Thanks for the Feedback", ["Douglas Stone", "Sheila Heen"], 2014, "", "", "", ""),
    (None, MANAGEMENT, K.BOOK, "Change Your Questions, Change Your Life", ["Marilee Adams"], 2004, "", "", "", ""),
    (None, HISTORY, K.BOOK, "Dark Territory: The Secret History of Cyber War", ["Fred Kaplan"], 2016, "",
     "9781476763255", "", ""),
    (None, HISTORY, K.BOOK, "The Hacked World Order", ["Adam Segal"], 2016, "", "9781610394154", "", ""),
    (None, HISTORY, K.BOOK, "Technology Transfer to the USSR", ["George D. Holliday"], 1979, "", "", "", ""),
    (None, HISTORY, K.BOOK, "The Turing Test: The Elusive Standard of Artificial Intelligence", ["James H. Moor"], 2003,
     "", "9781402012051", "", ""),
    (None, HISTORY, K.BOOK, "The Information: A History, a Theory, a Flood", ["James Gleick"], 2011, "",
     "9780375423727", "", ""),
    (None, HISTORY, K.BOOK, "Radical Markets", ["Eric A. Posner", "E. Glen Weyl"], 2018, "", "9780691177502", "", ""),
]  # fmt: skip

# Suggestions waiting for a manager: (suggested by, team, topic, kind, title, authors, year, arXiv id)
SUGGESTIONS = [
    ("member@example.com", "robotics", DL_READING, K.PAPER, "Learning to Walk via Deep Reinforcement Learning",
     ["Tuomas Haarnoja", "Sehoon Ha", "Aurick Zhou", "Jie Tan", "George Tucker", "Sergey Levine"], 2018, "1812.11103"),
    ("other@example.com", "research", DL_READING, K.PAPER, "Generative Modeling by Estimating Gradients of the Data Distribution",
     ["Yang Song", "Stefano Ermon"], 2019, "1907.05600"),
]  # fmt: skip

# Who reads what: (email, title start, state, finished weeks ago)
PROGRESS = [
    ("member@example.com", "Population Based Augmentation", Progress.State.DONE, 6),
    ("member@example.com", "Neural Graph Evolution", Progress.State.READING, None),
    ("member@example.com", "The Book of Why", Progress.State.WANT, None),
    ("manager@example.com", "Population Based Augmentation", Progress.State.DONE, 8),
    ("lena@example.com", "Neural Graph Evolution", Progress.State.READING, None),
    ("kenji@example.com", "Weight Agnostic Neural Networks", Progress.State.DONE, 3),
    ("felix@example.com", "Learning Domain Randomization", Progress.State.READING, None),
    ("other@example.com", "WAIC, but Why?", Progress.State.DONE, 4),
    ("aroha@example.com", "Challenging Common Assumptions", Progress.State.READING, None),
    ("priya@example.com", "Reptile and MAML", Progress.State.DONE, 2),
    ("jonas@example.com", "The Information", Progress.State.READING, None),
]


@transaction.atomic
def seed(*, stdout=None) -> None:
    # The migrations add some of these too; a database emptied by a test run may have lost them.
    for slug, name, keywords in TOPICS:
        topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "keywords": keywords})
        if topic.keywords != keywords:  # the migrations' starting keywords give way to the demo's
            topic.keywords = keywords
            topic.save(update_fields=["keywords"])
    teams = {t.slug: t for t in Team.objects.filter(slug__in=["robotics", "research", "applied"])}
    topics = {t.slug: t for t in Topic.objects.all()}
    for team_slug, slugs in HOME_TOPICS.items():
        if team_slug in teams and not teams[team_slug].home_topics.exists():
            teams[team_slug].home_topics.set([topics[slug] for slug in slugs])
    managers = {t.slug: t.memberships.filter(role="manager").select_related("user").first() for t in teams.values()}
    curator = User.objects.filter(email="manager@example.com").first()
    created = 0
    for position, (team, topic, kind, title, authors, year, arxiv_id, isbn, url, why) in enumerate(ITEMS, start=1):
        by = managers[team].user if team and managers.get(team) else curator
        _, new = Item.objects.get_or_create(
            team=teams.get(team) if team else None,
            title=title,
            defaults={
                "kind": kind,
                "authors": authors,
                "year": year,
                "arxiv_id": arxiv_id,
                "isbn": isbn,
                "url": url or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else ""),
                "topic": topics.get(topic),
                "why": why,
                "status": Item.Status.CURATED,
                "suggested_by": by,
                "curated_by": by,
                "curated_at": timezone.now(),
                "position": position * 10,
            },
        )
        created += new
    for email, team, topic, kind, title, authors, year, arxiv_id in SUGGESTIONS:
        _, new = Item.objects.get_or_create(
            team=teams[team],
            title=title,
            defaults={
                "kind": kind,
                "authors": authors,
                "year": year,
                "arxiv_id": arxiv_id,
                "url": f"https://arxiv.org/abs/{arxiv_id}",
                "topic": topics.get(topic),
                "suggested_by": User.objects.get(email=email),
            },
        )
        created += new
    today = timezone.localdate(timezone=dt.UTC)
    for email, title, state, weeks_ago in PROGRESS:
        user = User.objects.filter(email=email).first()
        item = Item.objects.filter(title__startswith=title).first()
        if user and item:
            finished = today - dt.timedelta(weeks=weeks_ago) if weeks_ago else None
            Progress.objects.get_or_create(user=user, item=item, defaults={"state": state, "finished_on": finished})
    for email in ("member@example.com", "lena@example.com"):
        user = User.objects.get(email=email)
        wann = Item.objects.get(title="Weight Agnostic Neural Networks")
        Endorsement.objects.get_or_create(user=user, item=wann)
    if stdout is not None:
        stdout.write(f"reading: {created} new items on the demo teams' lists")
