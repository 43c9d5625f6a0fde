"""A large, realistic organisation for benchmarks: ``manage.py seed_scale``.

Thousands of people in hundreds of teams, two years of Learning Days, reading lists and
claims in every state, written with ``bulk_create`` in large batches. Like ``seed_demo``
this is a tool for the whole project, so it reaches into every app; unlike the demo it
is not split per app, because the apps' rows are interwoven (entries point at reading
items, claims at books and at the managers who decide them).

Everything is drawn from one ``random.Random(seed)``: the same seed on the same day gives
the same rows. Only timestamps (relative to now) and receipt file names (random by
design, see ``receipt_path``) differ between runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import math
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, models, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from learningday import calendar
from learningday.markdown import render
from learningday.models import FINANCE_GROUP, LEADERSHIP_GROUP, Holiday, Membership, Team, User
from logs.models import Away, Entry, EntryTopic
from reading.models import Endorsement, Item, Progress, Topic
from reimbursements import money
from reimbursements.models import Claim, ClaimEvent, PersonalBudget, Receipt, receipt_path
from reimbursements.receipts import process_receipt

UTC = dt.UTC
BATCH = 2000  # rows per INSERT: big enough to amortise round trips, small enough for SQLite's variable limit
S = Claim.State
C = Entry.Category

MEMBER_EMAIL = "member@scale.example"
MANAGER_EMAIL = "manager@scale.example"
FINANCE_EMAIL = "finance@scale.example"
LEADERSHIP_EMAIL = "leadership@scale.example"
LOGINS = [
    (MEMBER_EMAIL, "member of the first team: entries, reading, claims in every state"),
    (MANAGER_EMAIL, "manager of the first team: submitted claims waiting in /claims/review/"),
    (FINANCE_EMAIL, "finance: approved and paid claims of everyone in /claims/finance/"),
    (LEADERSHIP_EMAIL, "leadership, in no team: the whole organisation's /impact/"),
]
# Of the people who post, how many took up a field new to them in the last quarter.
PICKING_UP = 0.08


# --- Word material -------------------------------------------------------------------------

FIRST_NAMES = [
    "Ada", "Alan", "Amara", "Ana", "Anders", "Aroha", "Ayesha", "Bao", "Beatriz", "Ben", "Carla", "Chen", "Chiara",
    "Chloé", "Daniel", "Dmitri", "Elena", "Emeka", "Emma", "Fatima", "Felix", "Fiona", "Giulia", "Hana", "Hannah",
    "Hiro", "Ibrahim", "Ines", "Ingrid", "Isaac", "Jamal", "Jana", "Javier", "Jonas", "Julia", "Kenji", "Kwame",
    "Lars", "Lea", "Lena", "Leon", "Lucas", "Luis", "Maja", "Malik", "Marco", "María", "Mateo", "Mei", "Mia",
    "Mohammed", "Nadia", "Nia", "Noah", "Noor", "Olga", "Olivia", "Omar", "Paula", "Pedro", "Priya", "Rafael",
    "Ravi", "Rosa", "Sam", "Sara", "Sofia", "Sven", "Tariq", "Thomas", "Tom", "Valentina", "Wei", "Yara", "Yuki",
    "Zainab", "Zoe", "Ahmed", "Aiko", "Bruno", "Camille", "Dario", "Eva", "Farah", "Goran", "Helga", "Ivan", "Jin",
    "Kofi", "Laila", "Mira", "Nils", "Oskar"
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Berg", "Brown", "Chen", "Costa", "Dubois",
    "Eriksson", "Fischer", "Garcia", "Gruber", "Haddad", "Hansen", "Hoffmann", "Huang", "Ivanova", "Iyer", "Jensen",
    "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lima", "Lopez", "Martin", "Meyer", "Mueller", "Nair", "Nakamura",
    "Ngata", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Pereira", "Petrov", "Popescu", "Rossi", "Sato",
    "Schmidt", "Schneider", "Silva", "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Vogel", "Wagner", "Wang",
    "Weber", "Williams", "Wilson", "Wong", "Yamamoto", "Yilmaz", "Zhang", "Zimmermann", "Almeida", "Bianchi",
    "Castro", "Demir", "Edwards", "Fernandes", "Gonzalez", "Horvat", "Jovanovic", "Khan", "Lindqvist", "Moreau"
]  # fmt: skip
# IANA zone, weight: most of the organisation in Europe, the rest spread round the world.
TIMEZONES = [
    ("Europe/Berlin", 30),
    ("Europe/London", 12),
    ("America/New_York", 12),
    ("America/Los_Angeles", 8),
    ("Asia/Kolkata", 10),
    ("Australia/Sydney", 4),
    ("Asia/Tokyo", 5),
    ("Europe/Paris", 6),
    ("Europe/Stockholm", 3),
    ("America/Sao_Paulo", 3),
    ("Asia/Singapore", 3),
    ("Pacific/Auckland", 2),
    ("Africa/Lagos", 2),
]
TEAM_AREAS = [
    "Robotics", "Vision", "Search", "Payments", "Platform", "Data", "Speech", "Maps", "Ads", "Security",
    "Infrastructure", "Mobile", "Web", "Forecasting", "Recommendations", "Compilers", "Storage", "Networking",
    "Identity", "Billing", "Growth", "Analytics", "ML Ops", "Perception", "Planning", "Simulation", "Localization",
    "Trust", "Observability", "Developer Tools"
]  # fmt: skip
TEAM_KINDS = ["", " Research", " Applied", " Core", " Foundations", " Labs", " Experience"]

TOPICS = [
    "Deep learning reading", "Deep learning coding", "Maths and statistics", "Management", "Historical context",
    "Reinforcement learning", "Computer vision", "Natural language processing", "Speech and audio",
    "Robotics and control", "Probabilistic modelling", "Optimisation", "Causal inference", "Databases",
    "Distributed systems", "Cloud infrastructure", "Security and privacy", "Programming languages", "Compilers",
    "Software design", "Testing and reliability", "Data engineering", "Visualisation", "Human-computer interaction",
    "Ethics and society", "Product and strategy", "Writing and communication", "Economics", "Biology and medicine",
    "Physics and simulation",
]  # fmt: skip

# (word as people write it, a link about it, weight): the weight sets how often entries mention it,
# so that a search for "postgres" or "kubernetes" finds a realistic few per cent of the log.
SUBJECTS = [
    ("Kubernetes", "https://kubernetes.io/docs/concepts/", 4),
    ("Postgres", "https://www.postgresql.org/docs/current/", 5),
    ("PyTorch", "https://pytorch.org/docs/stable/", 9),
    ("JAX", "https://jax.readthedocs.io/", 4),
    ("transformers", "https://arxiv.org/abs/1706.03762", 8),
    ("diffusion models", "https://arxiv.org/abs/2006.11239", 5),
    ("reinforcement learning", "https://spinningup.openai.com/", 5),
    ("Rust", "https://doc.rust-lang.org/book/", 4),
    ("DuckDB", "https://duckdb.org/docs/", 2),
    ("Kafka", "https://kafka.apache.org/documentation/", 2),
    ("Terraform", "https://developer.hashicorp.com/terraform/docs", 2),
    ("Docker", "https://docs.docker.com/", 3),
    ("Django", "https://docs.djangoproject.com/", 3),
    ("React", "https://react.dev/learn", 2),
    ("Bayesian statistics", "https://mc-stan.org/users/documentation/", 3),
    ("Kalman filters", "https://en.wikipedia.org/wiki/Kalman_filter", 2),
    ("graph neural networks", "https://distill.pub/2021/gnn-intro/", 3),
    ("contrastive learning", "https://arxiv.org/abs/2002.05709", 3),
    ("causal inference", "https://www.bradyneal.com/causal-inference-course", 2),
    ("linear algebra", "https://ocw.mit.edu/courses/18-06-linear-algebra-spring-2010/", 3),
    ("information theory", "https://www.inference.org.uk/itprnn/book.html", 2),
    ("WebAssembly", "https://webassembly.org/", 1),
    ("Prometheus", "https://prometheus.io/docs/", 2),
    ("Redis", "https://redis.io/docs/", 2),
    ("SQLite", "https://www.sqlite.org/docs.html", 2),
    ("Spark", "https://spark.apache.org/docs/latest/", 2),
    ("LLM evaluation", "https://crfm.stanford.edu/helm/", 4),
    ("quantisation", "https://huggingface.co/docs/transformers/quantization", 2),
    ("vector databases", "https://github.com/facebookresearch/faiss", 2),
    ("property-based testing", "https://hypothesis.readthedocs.io/", 1),
    ("type systems", "https://mypy.readthedocs.io/", 1),
    ("CUDA", "https://docs.nvidia.com/cuda/cuda-c-programming-guide/", 2),
    ("gradient boosting", "https://xgboost.readthedocs.io/", 2),
    ("time series forecasting", "https://otexts.com/fpp3/", 2),
    ("OpenTelemetry", "https://opentelemetry.io/docs/", 1),
    ("Bazel", "https://bazel.build/docs", 1),
]
OUTSIDE = [
    "the history of the Apollo guidance computer", "how container shipping changed trade",
    "the economics of open source", "the biology of sleep", "medieval book-keeping",
    "the invention of the transistor", "how GPS corrects for relativity", "urban planning in Barcelona",
    "the psychology of habits", "early cryptography", "how vaccines are tested", "the physics of bicycles",
]  # fmt: skip
MATHS = [
    "eigen-decomposition and the SVD", "the evidence lower bound", "convex duality", "Markov chains",
    "the central limit theorem", "Fourier transforms", "measure-theoretic probability", "matrix calculus",
    "Lagrange multipliers", "information geometry", "stochastic differential equations", "Bayes' theorem",
]  # fmt: skip
OPENINGS = {
    C.READING_PAPERS: [
        "Read a paper on {s}. The key idea: {idea}.",
        "Spent the day reading about {s}; {idea}.",
        "Two papers on {s} today. Both argue that {idea}.",
    ],
    C.REIMPLEMENTING: [
        "Reimplemented the core of a {s} paper from scratch. {state}.",
        "Kept going with my {s} reimplementation. {state}.",
        "Ported the reference {s} code to our stack. {state}.",
    ],
    C.TUTORIAL: [
        "Worked through the official {s} tutorial, chapters {n} to {m}.",
        "Followed a course on {s}; today was lesson {n}.",
        "Did the {s} getting-started guide end to end.",
    ],
    C.EXPLORING_TOOL: [
        "Played with **{s}** on a toy project.",
        "Tried {s} on our own data for the first time.",
        "Set up {s} locally to see whether it fits our workflow.",
    ],
    C.RESEARCH: [
        "Bite-sized question: does {s} help with {problem}?",
        "Quick experiment with {s}: {problem}, measured properly this time.",
        "Looked into whether {s} explains {problem}.",
    ],
    C.OUTSIDE_FIELD: [
        "Read about {outside}, far from my field.",
        "A day outside my field: {outside}.",
        "Finished a long essay on {outside}.",
    ],
    C.MATHS: [
        "Refreshed {maths} with lecture notes and exercises.",
        "Worked through the derivation of {maths} again, slowly.",
        "Maths day: {maths}, with pen and paper.",
    ],
    C.OTHER: [
        "Watched two talks on {s} and wrote up notes.",
        "Pair-learned {s} with a colleague from another team.",
        "Wrote a short internal explainer on {s}.",
    ],
}
IDEAS = [
    "scale matters less than the quality of the data", "a simple baseline beats most of the variants",
    "the speed-up comes from batching, not the new operator", "evaluation leaks explain half of the gains",
    "the method is mostly a better regulariser", "the trick is in the normalisation, not the architecture",
    "latency, not throughput, is what users notice", "most of the cost is in the data loader",
    "the theory only holds with small learning rates", "caching the intermediate results is enough",
]  # fmt: skip
STATES = [
    "The loss goes down, but slower than in the paper", "Forward pass works; the backward pass still has a bug",
    "Numbers match the paper within a per cent", "Training is stable once I clip the gradients",
    "It runs, but uses three times the memory it should", "The ablation table reproduces except one row",
]  # fmt: skip
PROBLEMS = [
    "our flaky nightly job", "the slow dashboard queries", "calibration on small datasets",
    "the memory spike at start-up", "label noise in the training set", "cold starts after deploys",
    "drift between staging and production", "the long tail of request latency",
]  # fmt: skip
SENTENCES = [
    "The documentation for {s} is better than I remembered.",
    "Compared it with {s2}; they solve different problems more than I thought.",
    "Measured it: {n}× faster on the benchmark, but only after warming up.",
    "Most of the time went into setting up the environment, which is a lesson in itself.",
    "I want to try this on a real project before I form an opinion.",
    "The error messages from {s} are excellent; {s2} could learn from them.",
    "Wrote down three questions to bring to the next team sync.",
    "Surprising result: the default settings of {s} were the best ones.",
    "There is a good chapter on {s2} that I skimmed and want to read properly.",
    "Half of what I read contradicts a blog post I trusted; checking sources next time.",
    "With {n} GB of data everything still fits on a laptop.",
    "It took {n} attempts to get the example running because of version mismatches.",
    "Our current approach with {s2} holds up better than I feared.",
    "The key insight is about trade-offs, not about any one tool.",
]  # fmt: skip
BULLETS = [
    "read the {s} docs on configuration", "ran the examples against our staging data",
    "compared {s} with {s2} on the same task", "wrote a small benchmark ({n} runs)",
    "noted the failure modes worth knowing", "tried the advanced options; most are not needed",
    "checked how {s} handles errors and retries", "profiled memory with and without caching",
    "summarised the paper's ablations in a table", "listed what would have to change in our code",
]  # fmt: skip
HEADINGS = ["## What I tried", "## Notes", "### Takeaways", "## Open questions", "### Results", "## Context"]
CODE = {
    "Postgres": ("sql", "EXPLAIN (ANALYZE, BUFFERS)\nSELECT author_id, count(*)\nFROM logs_entry\nGROUP BY 1;"),
    "Kubernetes": ("yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 3"),
    "Docker": ("dockerfile", "FROM python:3.11-slim\nRUN pip install -r requirements.txt"),
    "Rust": ("rust", 'fn main() {\n    let xs: Vec<u32> = (1..10).collect();\n    println!("{:?}", xs);\n}'),
    "JAX": ("python", "per_example = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))"),
    "SQLite": ("sql", "PRAGMA journal_mode = wal;\nPRAGMA synchronous = normal;"),
    "Terraform": ("hcl", 'resource "aws_s3_bucket" "receipts" {\n  bucket = "learningday-receipts"\n}'),
}
DEFAULT_CODE = [
    ("python", "for step, batch in enumerate(loader):\n    loss = model(batch).mean()\n    loss.backward()"),
    ("bash", "time python train.py --epochs 3 --batch-size 64"),
    ("python", "import numpy as np\nu, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)"),
]
WHATS_NEXT = [
    "Try it on our own data.", "Read the follow-up paper.", "Write up a short summary for the team.",
    "Finish the last two chapters.", "Ask the infra team how they use it.", "Repeat the experiment with a baseline.",
    "Pair with someone who has used it in production.", "Turn the notebook into a small library.",
]  # fmt: skip

# Reading list material.
METHODS = [
    "Transformers", "Diffusion Models", "Graph Networks", "Mixture of Experts", "State Space Models",
    "Contrastive Learning", "Meta-Learning", "Normalising Flows", "Bayesian Optimisation", "Policy Gradients",
    "Sparse Attention", "Retrieval Augmentation", "Variational Inference", "Gaussian Processes", "Distillation",
    "Self-Supervision", "Neural Fields", "Equivariant Networks", "Active Learning", "Curriculum Learning",
]  # fmt: skip
TASKS = [
    "Long-Context Retrieval", "Robot Manipulation", "Time Series Forecasting", "Anomaly Detection",
    "Code Generation", "Speech Recognition", "Image Segmentation", "Recommendation", "Protein Folding",
    "Query Optimisation", "Sim-to-Real Transfer", "Tabular Data", "Machine Translation", "Weather Prediction",
]  # fmt: skip
ADJECTIVES = ["Efficient", "Scalable", "Robust", "Simple", "Calibrated", "Sparse", "Adaptive", "Hierarchical"]
PAPER_TITLES = [
    "{adj} {method} for {task}", "On the Limits of {method} in {task}", "{method} at Scale: Lessons from {task}",
    "Rethinking {method} for {task}", "A Closer Look at {adj} {method}", "{method} Without the Tricks",
    "When Do {method} Help {task}?", "{adj} {task} with {method}",
]  # fmt: skip
BOOK_TITLES = [
    "{subject} in Practice", "Designing {subject}", "The Art of {subject}", "A History of {subject}",
    "Introduction to {subject}", "{subject}: A Field Guide", "Thinking in {subject}", "Foundations of {subject}",
]  # fmt: skip
BOOK_SUBJECTS = [
    "Distributed Systems", "Machine Learning", "Statistics", "Engineering Management", "Data Pipelines",
    "Reliable Software", "Probability", "Computer Architecture", "Product Strategy", "Technical Writing",
    "Information Retrieval", "Control Theory", "Decision Making", "Optimisation", "Cryptography",
]  # fmt: skip
COURSES = ["Deep Learning Specialisation", "Full Stack Deep Learning", "Practical Statistics", "Systems Design"]
# Items many teams put on their lists: same identifiers on several lists, as happens.
CLASSICS = [
    (Item.Kind.PAPER, "Attention Is All You Need",
     ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones", "Aidan N. Gomez",
      "Łukasz Kaiser", "Illia Polosukhin"], 2017, "1706.03762", ""),
    (Item.Kind.PAPER, "Deep Residual Learning for Image Recognition",
     ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"], 2015, "1512.03385", ""),
    (Item.Kind.PAPER, "Adam: A Method for Stochastic Optimization",
     ["Diederik P. Kingma", "Jimmy Ba"], 2014, "1412.6980", ""),
    (Item.Kind.PAPER, "Denoising Diffusion Probabilistic Models",
     ["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"], 2020, "2006.11239", ""),
    (Item.Kind.PAPER, "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
     ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"], 2018, "1810.04805", ""),
    (Item.Kind.PAPER, "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
     ["Alexey Dosovitskiy", "Lucas Beyer", "Alexander Kolesnikov"], 2020, "2010.11929", ""),
    (Item.Kind.BOOK, "Designing Data-Intensive Applications", ["Martin Kleppmann"], 2017, "", "9781449373320"),
    (Item.Kind.BOOK, "Deep Learning",
     ["Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"], 2016, "", "9780262035613"),
    (Item.Kind.BOOK, "Pattern Recognition and Machine Learning",
     ["Christopher M. Bishop"], 2006, "", "9780387310732"),
    (Item.Kind.BOOK, "The Manager's Path", ["Camille Fournier"], 2017, "", "9781491973899"),
    (Item.Kind.BOOK, "Thinking, Fast and Slow", ["Daniel Kahneman"], 2011, "", "9780374533557"),
]  # fmt: skip
VENDORS = ["Amazon", "Thalia", "Hugendubel", "Waterstones", "O'Reilly", "Coursera", "Udemy", "Blackwell's", "Kobo"]
REJECTIONS = [
    "Not related to Learning Day topics.", "Bought before you joined the team.", "Already on the team's shelf.",
    "Personal subscription, not a learning resource.",
]  # fmt: skip
CHANGES = [
    "Please add the receipt page that shows the price.", "The receipt is cut off; please upload all of it.",
    "Which course is this? Please add its name to the description.", "The amount does not match the receipt.",
]  # fmt: skip
# Other currencies a few claims are in, with a plausible rate to the home currency.
FOREIGN = [("USD", "0.92"), ("GBP", "1.17"), ("CHF", "1.04"), ("SEK", "0.088"), ("JPY", "0.0062"), ("INR", "0.011")]
# How claims end up, by the age of the purchase in days: (younger than, weights in STATE_ORDER).
STATE_ORDER = [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.PAID, S.REJECTED, S.WITHDRAWN]
STATE_WEIGHTS = [
    (14, [25, 35, 8, 20, 7, 2, 3]),
    (60, [3, 6, 4, 15, 62, 6, 4]),
    (math.inf, [2, 1, 1, 2, 83, 7, 4]),
]
HOURS = [Decimal(h) for h in ("1", "2", "3", "4", "4.5", "5", "6", "6", "7", "7.5", "8", "8", "8")]


# --- Small helpers -----------------------------------------------------------------------------


@contextmanager
def historical_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the timestamps we give it.

    ``bulk_create`` runs each field's ``pre_save``, and for ``auto_now`` / ``auto_now_add``
    fields that replaces whatever we set with now(): two years of entries would all be
    created this minute, and the feed (ordered by -day, -created_at) and the claim lists
    (-created_at) would be meaningless. Turning the flags off on the field objects for the
    length of the seeding keeps our values; ``finally`` puts them back even on error, so
    the rest of the process (and a test run) sees the models unchanged. This is cheaper
    and simpler than a second UPDATE over hundreds of thousands of rows.
    """
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def isbn13(prefix12: str) -> str:
    """An ISBN-13 with its check digit."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(prefix12))
    return prefix12 + str((10 - total % 10) % 10)


def receipt_jpeg() -> tuple[bytes, bytes, bytes]:
    """A small till-receipt photo as the app stores it (re-encoded by process_receipt), split
    around a 10-byte serial in a JPEG comment so that every receipt's bytes and sha256 differ;
    and its thumbnail."""
    image = Image.new("RGB", (240, 320), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 232, 312), outline="black", width=2)
    for row, text in enumerate(["RECEIPT", "", "1 x Book", "", "TOTAL 24.90 EUR", "", "Thank you!"]):
        draw.text((24, 30 + row * 36), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    processed = process_receipt(data=buffer.getvalue(), filename="receipt.jpg")
    comment = b"Learning Day receipt "
    serial_len = 10
    segment = b"\xff\xfe" + (2 + len(comment) + serial_len).to_bytes(2, "big") + comment
    content = processed.content
    # A COM segment right after SOI: valid JPEG, ignored by every decoder.
    return content[:2] + segment, content[2:], processed.thumbnail or b""


def receipt_pdf() -> tuple[bytes, bytes]:
    """A one-page PDF invoice, split around a 10-byte serial inside its text (same length
    for every serial, so the cross-reference offsets stay right)."""
    serial = b"LD00000000"  # the placeholder: the same length as every real serial
    stream = b"BT /F1 14 Tf 30 350 Td (INVOICE " + serial + b") Tj 0 -30 Td (1 x Online course) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    process_receipt(data=bytes(out), filename="invoice.pdf")  # the app would accept it
    head, tail = bytes(out).split(serial)
    return head, tail


@dataclass
class Person:
    id: int
    email: str
    tz: str
    joined: dt.date
    propensity: float  # chance of posting on a Learning Day
    crowded: float  # chance a posted day was partly eaten by regular work
    cum_weights: list[float]
    teams: list[int] = field(default_factory=list)
    away: list[tuple[dt.date, dt.date]] = field(default_factory=list)


class Seeder:
    """Builds the organisation phase by phase; ``run`` is the only entry point."""

    def __init__(
        self,
        *,
        people: int,
        weeks: int,
        seed: int,
        password: str,
        write: Callable[[str], None],
        now: dt.datetime | None = None,
    ) -> None:
        self.n_people = people
        self.weeks = weeks
        self.rng = random.Random(seed)  # noqa: S311  (test data, not security)
        # Entries' topics draw from their own generator, so the rest of the data stays as it was before them.
        self.topic_rng = random.Random(seed + 1)  # noqa: S311
        self.password = password
        self.write = write
        self.now = now or timezone.now()
        self.today = self.now.astimezone(UTC).date()
        self.last_day = calendar.previous_learning_day(self.today)
        self.days = [self.last_day - dt.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
        self.first_day = self.days[0]
        self.local_today = {tz: calendar.local_date(tz, at=self.now) for tz, _ in TIMEZONES}
        self.zones = {tz: zoneinfo.ZoneInfo(tz) for tz, _ in TIMEZONES}
        self.counts: dict[str, int] = {}
        self.stored_files: list[str] = []
        self.storage = storages["receipts"]

    # --- Running ---------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        start = time.monotonic()
        try:
            with (
                transaction.atomic(),
                historical_timestamps(Team, Item, Endorsement, Progress, Entry, Claim, Receipt, ClaimEvent),
            ):
                for name, phase in [
                    ("people", self.seed_people),
                    ("calendar", self.seed_calendar),
                    ("reading", self.seed_reading),
                    ("fields", self.seed_fields),
                    ("entries", self.seed_entries),
                    ("claims", self.seed_claims),
                ]:
                    began = time.monotonic()
                    phase()
                    reset_queries()  # with DEBUG on, Django keeps every statement's SQL: let it go
                    self._done(name, began, start)
                began = time.monotonic()
        except BaseException:
            # The rows are rolled back; do not leave their receipt files behind.
            for name in self.stored_files:
                self.storage.delete(name)
            raise
        self._done("commit", began, start)
        if connection.vendor == "postgresql":
            began = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses on a table it saw empty
            self._done("analyze", began, start)
        return self.counts

    def _done(self, phase: str, began: float, start: float) -> None:
        now = time.monotonic()
        self.write(f"{phase:<10} {now - began:7.1f} s  ({now - start:.1f} s in all)")

    def _insert(self, model: type[models.Model], rows: Sequence[models.Model]) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        key = model._meta.label
        self.counts[key] = self.counts.get(key, 0) + len(rows)
        return created

    def _at(self, day: dt.date, tz: str, hour_from: int = 8, hour_to: int = 20) -> dt.datetime:
        """A moment during a local day, never later than now: on today, between midnight and now.

        Always draws the same random numbers, whatever the time of day, so that the rest
        of the data does not depend on when the command runs."""
        minutes, fraction = self.rng.randrange(hour_from * 60, hour_to * 60), self.rng.random()
        zone = self.zones[tz]
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)
        latest = self.now - dt.timedelta(minutes=1)
        if moment <= latest:
            return moment
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(UTC)
        if midnight <= latest:
            return midnight + (latest - midnight) * fraction
        return latest - dt.timedelta(minutes=int(fraction * 600))  # a day still to come: a little before now

    # --- People and teams ------------------------------------------------------------------

    def seed_people(self) -> None:
        rng = self.rng
        zones, zone_weights = zip(*TIMEZONES, strict=True)
        base = [18, 10, 14, 14, 10, 8, 6, 4]  # how common each category is across the organisation
        fixed_hash = make_password(self.password)  # hashed once: hashing thousands would take minutes
        users, people = [], []
        period_start = self.first_day
        for index in range(self.n_people):
            email = (
                [MEMBER_EMAIL, MANAGER_EMAIL, FINANCE_EMAIL][index] if index < 3 else f"person{index:05d}@scale.example"
            )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            tz = "Europe/Berlin" if index < 3 else rng.choices(zones, zone_weights)[0]
            # One in twenty joined during the period; the rest were here before it began.
            if index >= 3 and rng.random() < 0.05:
                joined = period_start + dt.timedelta(days=rng.randrange(max(1, (self.today - period_start).days)))
            else:
                joined = period_start - dt.timedelta(days=rng.randrange(30, 1500))
            password = fixed_hash if index < 3 else "!" + "".join(rng.choices("abcdefghijkmnpqrstuvwxyz23456789", k=40))
            users.append(
                User(
                    email=email,
                    display_name=f"{first} {last}",
                    timezone=tz,
                    password=password,
                    date_joined=dt.datetime.combine(joined, dt.time(9), tzinfo=UTC),
                    remind_morning=rng.random() < 0.85,
                    remind_nudge=rng.random() < 0.6,
                    receive_digest=rng.random() < 0.7,
                    is_staff=False,
                )
            )
            weights = [w * (4 if rng.random() < 0.25 else 1) for w in base]
            cum = list(itertools.accumulate(weights))
            people.append(
                Person(
                    id=0,
                    email=email,
                    tz=tz,
                    joined=joined,
                    propensity=0.88 if index < 3 else min(0.98, rng.betavariate(8, 2)),
                    crowded=rng.choice([0.03, 0.08, 0.15, 0.3]),
                    cum_weights=cum,
                )
            )
        for user, person in zip(self._insert(User, users), people, strict=True):
            person.id = user.pk
        self._insert(
            EmailAddress, [EmailAddress(user_id=p.id, email=p.email, verified=True, primary=True) for p in people]
        )
        self.people = people
        member, manager, finance = people[0], people[1], people[2]

        # Teams of about 25, some small, some large; each with one or two managers.
        n_teams = max(1, round(self.n_people / 25))
        names = [f"{area}{kind}" for kind in TEAM_KINDS for area in TEAM_AREAS]
        rng.shuffle(names)
        names = [names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "") for i in range(n_teams)]
        teams = [
            Team(
                name=name,
                slug=slugify(name),
                guidelines=rng.choice(["", "", "Pick one paper a month to read together; log it and link the item."]),
                created_at=dt.datetime.combine(
                    period_start - dt.timedelta(days=rng.randrange(60, 900)), dt.time(9), tzinfo=UTC
                ),
            )
            for name in names
        ]
        self.teams = [t.pk for t in self._insert(Team, teams)]
        self.team_members: dict[int, list[int]] = defaultdict(list)
        self.team_managers: dict[int, list[int]] = defaultdict(list)
        memberships: dict[tuple[int, int], Membership] = {}

        def join(person: Person, team: int, role: str) -> None:
            person.teams.append(team)
            self.team_members[team].append(person.id)
            if role == Membership.Role.MANAGER:
                self.team_managers[team].append(person.id)
            joined_at = dt.datetime.combine(person.joined, dt.time(10), tzinfo=UTC)
            memberships[person.id, team] = Membership(user_id=person.id, team_id=team, role=role, joined_at=joined_at)

        first_team = self.teams[0]
        others = people[3:]
        rng.shuffle(others)
        join(manager, first_team, Membership.Role.MANAGER)
        join(member, first_team, Membership.Role.MEMBER)
        # The first manager of every other team, then a second for about a third of teams.
        pool = iter(others)
        for team in self.teams[1:]:
            person = next(pool, None)
            if person is None:
                break
            join(person, team, Membership.Role.MANAGER)
        rest = list(pool)
        sizes = [rng.lognormvariate(0, 0.5) for _ in self.teams]
        sizes[0] = 1.8  # the benchmark logins' team: larger than most (about 40 at 25 a team)
        for person in rest:
            join(person, rng.choices(self.teams, sizes)[0], Membership.Role.MEMBER)
        for team in self.teams:
            members = [pid for pid in self.team_members[team] if pid not in self.team_managers[team]]
            if (team == first_team or rng.random() < 0.33) and len(members) > 3:
                second = members[0] if team != first_team else members[-1]
                memberships[second, team].role = Membership.Role.MANAGER
                self.team_managers[team].append(second)
        # A few people in a second team.
        for person in rest:
            if rng.random() < 0.03 and len(self.teams) > 1:
                team = rng.choice(self.teams)
                if team not in person.teams:
                    join(person, team, Membership.Role.MEMBER)
        self._insert(Membership, list(memberships.values()))

        group, _ = Group.objects.get_or_create(name=FINANCE_GROUP)  # gone after a flush
        in_finance = [finance.id] + [p.id for p in rng.sample(rest, min(len(rest), max(2, self.n_people // 1000)))]
        group.user_set.through.objects.bulk_create(
            [group.user_set.through(user_id=uid, group_id=group.pk) for uid in in_finance]
        )
        self.finance = in_finance
        self.counts["auth.Group finance members"] = len(in_finance)
        # Leadership: one login of its own in no team (made apart from the people above, so
        # their random draws stay as they were).
        leader = self._insert(
            User,
            [
                User(
                    email=LEADERSHIP_EMAIL,
                    display_name="Lea Leitner",
                    timezone="Europe/Berlin",
                    password=fixed_hash,
                    date_joined=dt.datetime.combine(period_start, dt.time(9), tzinfo=UTC),
                )
            ],
        )[0]
        address = EmailAddress(user_id=leader.pk, email=LEADERSHIP_EMAIL, verified=True, primary=True)
        self._insert(EmailAddress, [address])
        leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
        leadership.user_set.add(leader)

        budgets = [
            PersonalBudget(user_id=p.id, amount=Decimal(rng.choice([500, 750, 1500, 2000])), note="Agreed at hiring")
            for p in rest
            if rng.random() < 0.01
        ]
        self._insert(PersonalBudget, budgets)

    # --- Holidays and away periods ---------------------------------------------------------

    def seed_calendar(self) -> None:
        rng = self.rng
        holidays = {}
        for day in self.days:
            if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 3):
                holidays[day] = "Winter break"
        if len(self.days) > 10:
            holidays.setdefault(self.days[len(self.days) // 2], "Company offsite")
        self.holidays = set(holidays)
        self._insert(Holiday, [Holiday(date=d, name=n) for d, n in sorted(holidays.items())])
        span = (self.today - self.first_day).days + 30
        aways = []
        for person in self.people[3:]:
            if rng.random() < 0.06:
                start = self.first_day + dt.timedelta(days=rng.randrange(span))
                end = start + dt.timedelta(days=rng.randrange(2, 15))
                person.away.append((start, end))
                aways.append(
                    Away(
                        user_id=person.id,
                        start=start,
                        end=end,
                        note=rng.choice(["", "Holiday", "Parental leave", "Conference"]),
                    )
                )
        self._insert(Away, aways)

    # --- Reading lists ---------------------------------------------------------------------

    def seed_reading(self) -> None:
        rng = self.rng
        existing = set(Topic.objects.values_list("slug", flat=True))
        Topic.objects.bulk_create(
            [Topic(name=name, slug=slugify(name)) for name in TOPICS if slugify(name) not in existing]
        )
        topics = list(Topic.objects.order_by("slug").values_list("pk", flat=True))
        n_items = self.n_people * 4
        span_days = max(1, (self.today - self.first_day).days)
        positions: dict[int | None, int] = defaultdict(int)
        classic_on: set[tuple[int | None, int]] = set()
        everyone_managers = sorted({m for managers in self.team_managers.values() for m in managers})
        kinds, kind_weights = zip(
            *[(Item.Kind.PAPER, 40), (Item.Kind.BOOK, 20), (Item.Kind.TUTORIAL, 12), (Item.Kind.COURSE, 10),
              (Item.Kind.VIDEO, 10), (Item.Kind.CODE, 8)],
            strict=True,
        )  # fmt: skip
        items = []
        for serial in range(n_items):
            team = None if rng.random() < 0.12 else rng.choice(self.teams)
            members = self.team_members[team] if team else [p.id for p in self.people]
            curators = self.team_managers[team] if team else everyone_managers
            created = self._at(self.first_day + dt.timedelta(days=rng.randrange(span_days)), "Europe/Berlin")
            roll = rng.random()
            status = (
                Item.Status.CURATED if roll < 0.8 else Item.Status.SUGGESTED if roll < 0.93 else Item.Status.REJECTED
            )
            classic = rng.randrange(len(CLASSICS)) if rng.random() < 0.04 else None
            if classic is not None and (team, classic) not in classic_on:
                classic_on.add((team, classic))
                kind, title, authors, year, arxiv_id, isbn = CLASSICS[classic]
                doi = ""
                url = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else ""
            else:
                kind = rng.choices(kinds, kind_weights)[0]
                authors = [
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    for _ in range(rng.randint(1, 6 if kind == Item.Kind.PAPER else 2))
                ]
                arxiv_id = doi = isbn = url = ""
                if kind == Item.Kind.PAPER:
                    year = rng.choices(range(1995, self.today.year + 1), range(1, self.today.year - 1993))[0]
                    title = rng.choice(PAPER_TITLES).format(
                        adj=rng.choice(ADJECTIVES), method=rng.choice(METHODS), task=rng.choice(TASKS)
                    )
                    if rng.random() < 0.75:
                        # Five-digit numbers from 60000 up: the shape of a real arXiv id, unlikely to be one.
                        arxiv_id = (
                            f"{year % 100:02d}{rng.randint(1, 12):02d}.{60000 + serial % 40000:05d}"
                            if year >= 2015
                            else ""
                        )
                    if not arxiv_id or rng.random() < 0.3:
                        doi = f"10.5555/scale.{serial}"  # 10.5555 is Crossref's prefix for test DOIs
                    url = f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else f"https://doi.org/{doi}"
                elif kind == Item.Kind.BOOK:
                    year = rng.randint(1975, self.today.year)
                    title = rng.choice(BOOK_TITLES).format(subject=rng.choice(BOOK_SUBJECTS))
                    isbn = isbn13(f"9781{serial:08d}") if rng.random() < 0.85 else ""
                else:
                    year = rng.choice([None, rng.randint(2012, self.today.year)])
                    subject = rng.choice(SUBJECTS)[0]
                    title = {
                        Item.Kind.TUTORIAL: f"{subject}: a hands-on tutorial",
                        Item.Kind.COURSE: f"{rng.choice(COURSES)}: {subject}",
                        Item.Kind.VIDEO: f"Talk: what we learned running {subject}",
                        Item.Kind.CODE: f"Implement {rng.choice(METHODS).lower()} with {subject}",
                    }[kind]
                    url = f"https://learning.example/{kind}/{serial}"
            curated_at = None
            if status != Item.Status.SUGGESTED:
                curated_at = min(created + dt.timedelta(days=rng.randrange(0, 10), hours=rng.randrange(1, 8)), self.now)
            position = 0
            if status == Item.Status.CURATED:
                positions[team] += 10
                position = positions[team]
            items.append(
                Item(
                    kind=kind,
                    title=title,
                    authors=authors,
                    year=year,
                    url=url,
                    arxiv_id=arxiv_id,
                    doi=doi,
                    isbn=isbn,
                    topic_id=rng.choice(topics) if rng.random() < 0.9 else None,
                    why=rng.choice(["", "", f"Good background for our work on {rng.choice(TASKS).lower()}."]),
                    team_id=team,
                    status=status,
                    rejection_reason=rng.choice(REJECTIONS) if status == Item.Status.REJECTED else "",
                    suggested_by_id=rng.choice(members) if members else None,
                    curated_by_id=rng.choice(curators) if curators and curated_at else None,
                    curated_at=curated_at,
                    position=position,
                    created_at=created,
                    updated_at=curated_at or created,
                )
            )
        created_items = self._insert(Item, items)
        # What each list offers its readers: curated items, and books for claims.
        self.curated: dict[int | None, list[int]] = defaultdict(list)
        self.books: dict[int | None, list[tuple[int, str, str]]] = defaultdict(list)
        for item in created_items:
            if item.status == Item.Status.CURATED:
                self.curated[item.team_id].append(item.pk)
                if item.kind == Item.Kind.BOOK:
                    self.books[item.team_id].append((item.pk, item.title, item.isbn))

        progress, endorsements = [], []
        for index, person in enumerate(self.people):
            visible = [pk for team in person.teams for pk in self.curated[team]] + self.curated[None]
            if not visible:
                continue
            k = 8 if index == 0 else min(len(visible), int(rng.expovariate(1 / 2.2) + 0.5))
            states = [Progress.State.DONE, Progress.State.READING, Progress.State.WANT]
            for n, pk in enumerate(rng.sample(visible, min(k, len(visible)))):
                state = states[n % 3] if index == 0 else rng.choices(states, [4, 3, 3])[0]
                when = self.first_day + dt.timedelta(days=rng.randrange(span_days))
                finished = when if state == Progress.State.DONE else None
                progress.append(
                    Progress(
                        user_id=person.id,
                        item_id=pk,
                        state=state,
                        finished_on=finished,
                        updated_at=self._at(when, person.tz),
                    )
                )
                if state != Progress.State.WANT and (index == 0 or rng.random() < 0.25):
                    endorsements.append(
                        Endorsement(user_id=person.id, item_id=pk, created_at=self._at(when, person.tz))
                    )
        self._insert(Progress, progress)
        self._insert(Endorsement, endorsements)

    # --- The learning log ------------------------------------------------------------------

    def _body_pool(self, size: int) -> dict[str, list[tuple[str, str, list[str]]]]:
        """Distinct markdown bodies per category, each rendered once: rendering every entry
        would take longer than the rest of the seeding together."""
        rng = self.rng
        names, links, weights = zip(*SUBJECTS, strict=True)
        link_of = dict(zip(names, links, strict=True))
        pool: dict[str, list[tuple[str, str, list[str]]]] = defaultdict(list)
        cats = list(C.values)
        for n in range(size):
            category = cats[n % len(cats)]
            s, s2 = rng.choices(names, weights, k=2)
            if s2 == s:
                s2 = names[(names.index(s) + 1) % len(names)]
            fill = {
                "s": s, "s2": s2, "n": rng.randint(2, 12), "m": rng.randint(13, 20), "idea": rng.choice(IDEAS),
                "state": rng.choice(STATES), "problem": rng.choice(PROBLEMS), "outside": rng.choice(OUTSIDE),
                "maths": rng.choice(MATHS),
            }  # fmt: skip
            parts = [rng.choice(OPENINGS[category]).format(**fill) + " " + " ".join(
                rng.choice(SENTENCES).format(**fill) for _ in range(rng.randint(1, 3))
            )]  # fmt: skip
            used = [link_of[s]]
            shape = rng.random()
            if shape > 0.35:  # a list of what was tried
                parts.append(rng.choice(HEADINGS))
                parts.append("\n".join(f"- {rng.choice(BULLETS).format(**fill)}" for _ in range(rng.randint(2, 5))))
            if shape > 0.6:  # some code
                lang, code = CODE.get(s) or rng.choice(DEFAULT_CODE)
                parts.append(f"```{lang}\n{code}\n```")
            if shape > 0.75:  # more paragraphs and links
                parts.append(rng.choice(HEADINGS))
                parts.append(" ".join(rng.choice(SENTENCES).format(**fill) for _ in range(rng.randint(2, 4))))
                parts.append(f"See [{s}]({link_of[s]}) and [{s2}]({link_of[s2]}).")
                used.append(link_of[s2])
            elif rng.random() < 0.5:
                parts.append(f"Link: [{s}]({link_of[s]})")
            body = "\n\n".join(parts)
            pool[category].append((body, render(body), list(dict.fromkeys(used))))
        return pool

    def seed_fields(self) -> None:
        """Each team's home topics (two or three), and the few people taking up a field new to them."""
        rng = self.topic_rng
        self.all_topics = list(Topic.objects.order_by("slug").values_list("pk", flat=True))
        self.item_topic = dict(Item.objects.filter(topic__isnull=False).values_list("pk", "topic_id"))
        home: dict[int, list[int]] = {team: rng.sample(self.all_topics, rng.choice([2, 3])) for team in self.teams}
        through = Topic.home_teams.through
        self._insert(through, [through(topic_id=t, team_id=team) for team, topics in home.items() for t in topics])
        self.home_of: dict[int, list[int]] = {}
        self.picking_up: dict[int, tuple[int, dt.date]] = {}
        since = self.last_day - dt.timedelta(weeks=12)  # the last 13 Learning Days
        for person in self.people:
            mine = sorted({t for team in person.teams for t in home[team]})
            self.home_of[person.id] = mine
            if rng.random() < PICKING_UP:
                self.picking_up[person.id] = (rng.choice([t for t in self.all_topics if t not in mine]), since)

    def _entry_topics(self, person: Person, day: dt.date, items: list[int]) -> set[int]:
        """An entry's topics: its items' topics, mostly one of the person's field, sometimes
        another; a field being taken up, from the day it began."""
        rng = self.topic_rng
        topics = {self.item_topic[pk] for pk in items if pk in self.item_topic}
        new = self.picking_up.get(person.id)
        home = self.home_of[person.id]
        if topics or rng.random() > 0.1:  # one in ten says nothing a topic could be found in
            if home and rng.random() < 0.72:
                topics.add(rng.choice(home))
            else:
                topics.add(rng.choice([t for t in self.all_topics if not new or t != new[0]]))
            if rng.random() < 0.2:
                topics.add(rng.choice([t for t in self.all_topics if not new or t != new[0]]))
        if new and day >= new[1] and rng.random() < 0.6:
            topics.add(new[0])
        elif new:
            topics.discard(new[0])  # an item on it, before: still new when taken up
        return topics

    def seed_entries(self) -> None:
        rng = self.rng
        expected = self.n_people * self.weeks
        pool = self._body_pool(min(3000, max(80, expected // 40)))
        cats = list(C.values)
        visibility = [Entry.Visibility.TEAMS, Entry.Visibility.EVERYONE]
        links_table = Entry.items.through
        for day in self.days:
            holiday = day in self.holidays
            rows: list[Entry] = []
            picks: list[list[int]] = []
            authors: list[Person] = []
            for person in self.people:
                for when in self._posting_days(person, day, holiday):
                    authors.append(person)
                    category = rng.choices(cats, cum_weights=person.cum_weights)[0]
                    body, html, links = rng.choice(pool[category])
                    created = self._at(when, person.tz, 9, 21)
                    edited = rng.random() < 0.15
                    updated = (
                        min(created + dt.timedelta(minutes=rng.randrange(5, 600)), self.now) if edited else created
                    )
                    rows.append(
                        Entry(
                            author_id=person.id,
                            day=when,
                            body=body,
                            body_html=html,
                            category=category,
                            hours=rng.choice(HOURS) if rng.random() < 0.6 else None,
                            links=links if rng.random() < 0.7 else [],
                            whats_next=rng.choice(WHATS_NEXT) if rng.random() < 0.3 else "",
                            crowded_out=rng.random() < person.crowded,
                            visibility=visibility[rng.random() < 0.3],
                            created_at=created,
                            updated_at=updated,
                        )
                    )
                    visible = self.curated[person.teams[0]] if person.teams else self.curated[None]
                    picks.append(
                        rng.sample(visible, min(len(visible), rng.randint(1, 2)))
                        if visible and rng.random() < 0.1
                        else []
                    )
            created_rows = self._insert(Entry, rows)
            links = [
                links_table(entry_id=e.pk, item_id=pk)
                for e, chosen in zip(created_rows, picks, strict=True)
                for pk in chosen
            ]
            self._insert(links_table, links)
            suggested, chosen = EntryTopic.Source.SUGGESTED, EntryTopic.Source.CHOSEN
            self._insert(
                EntryTopic,
                [
                    EntryTopic(entry_id=e.pk, topic_id=t, source=suggested if self.topic_rng.random() < 0.7 else chosen)
                    for e, person, chosen_items in zip(created_rows, authors, picks, strict=True)
                    for t in sorted(self._entry_topics(person, e.day, chosen_items))
                ],
            )
            reset_queries()
            del rows, created_rows, links

    def _posting_days(self, person: Person, day: dt.date, holiday: bool) -> list[dt.date]:
        """The days a person posts in the week of this Learning Day: mostly the day itself,
        sometimes another day of the week (learning on another day), never before joining,
        while away, or after their own today."""
        rng = self.rng
        today = self.local_today[person.tz]
        days = []
        if day >= person.joined and not any(a <= day <= b for a, b in person.away):
            chance = 0.04 if holiday else person.propensity
            if rng.random() < chance and day <= today:
                days.append(day)
            if rng.random() < 0.03:
                off = day + dt.timedelta(days=rng.choice([-3, -2, -1, 1, 1, 1]))
                if person.joined <= off <= today:
                    days.append(off)
        return days

    # --- Claims ----------------------------------------------------------------------------

    def seed_claims(self) -> None:
        rng = self.rng
        jpeg_head, jpeg_tail, thumbnail = receipt_jpeg()
        pdf_head, pdf_tail = receipt_pdf()
        self.payloads = (jpeg_head, jpeg_tail, thumbnail, pdf_head, pdf_tail)
        self.serial = 0
        home = settings.HOME_CURRENCY
        chunk: list[tuple[Claim, list[tuple], list[dt.datetime]]] = []
        for index, person in enumerate(self.people):
            n = 8 if index < 2 else rng.randint(4, 12)
            finals = [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED, S.PAID, S.WITHDRAWN, S.PAID]
            for k in range(n):
                since = max(self.first_day, person.joined)
                age = rng.randrange(max(1, (self.today - since).days + 1))
                purchase = self.today - dt.timedelta(days=age)
                # The member shows every state; the manager always has one waiting for the other manager.
                if index == 0:
                    state, purchase = finals[k], self.today - dt.timedelta(days=3 + k * 20)
                elif index == 1 and k == 0:
                    state, purchase = S.SUBMITTED, self.today - dt.timedelta(days=5)
                else:
                    state = self._state_for(age)
                chunk.append(self._claim(person, purchase, state, home))
            # A fuller review queue for the manager login: recent claims from the first team.
            if index > 2 and self.teams[0] in person.teams and rng.random() < 0.5:
                chunk.append(self._claim(person, self.today - dt.timedelta(days=rng.randrange(14)), S.SUBMITTED, home))
            if len(chunk) >= 4000 or index == len(self.people) - 1:
                self._write_claims(chunk)
                chunk = []

    def _state_for(self, age: int) -> str:
        """Recent claims are still moving; old ones have mostly been paid."""
        weights = next(w for limit, w in STATE_WEIGHTS if age < limit)
        return self.rng.choices(STATE_ORDER, weights)[0]

    def _deciders(self, person: Person) -> list[int]:
        """Who decides this person's claims: a manager of one of their teams, never
        themselves; where there is none, finance (as selectors.can_decide says)."""
        managers = sorted({m for team in person.teams for m in self.team_managers[team] if m != person.id})
        return managers or [f for f in self.finance if f != person.id]

    def _claim(
        self, person: Person, purchase: dt.date, state: str, home: str
    ) -> tuple[Claim, list[tuple], list[dt.datetime]]:
        rng = self.rng
        kind = rng.choices([Claim.Kind.BOOK, Claim.Kind.COURSE, Claim.Kind.TUTOR, Claim.Kind.OTHER], [55, 20, 10, 15])[
            0
        ]
        item_id, isbn = None, ""
        if kind == Claim.Kind.BOOK:
            shelf = [b for team in person.teams for b in self.books[team]] + self.books[None]
            if shelf and rng.random() < 0.4:
                item_id, description, isbn = rng.choice(shelf)
            else:
                description = rng.choice(BOOK_TITLES).format(subject=rng.choice(BOOK_SUBJECTS))
            base = rng.uniform(12, 90)
        elif kind == Claim.Kind.COURSE:
            description, base = f"{rng.choice(COURSES)} ({rng.choice(SUBJECTS)[0]})", rng.uniform(30, 450)
        elif kind == Claim.Kind.TUTOR:
            description, base = f"{rng.randint(2, 6)} tutoring sessions: {rng.choice(MATHS)}", rng.uniform(60, 300)
        else:
            description, base = f"Conference ticket: {rng.choice(SUBJECTS)[0]} meetup", rng.uniform(10, 150)
        currency, rate = (home, "1") if rng.random() < 0.88 else rng.choice(FOREIGN)
        home_amount = money.quantize(Decimal(str(round(base, 2))), home)
        amount = home_amount if currency == home else money.quantize(home_amount / Decimal(rate), currency)
        if amount <= 0:
            amount = Decimal(1)
        if currency != home:
            home_amount = money.quantize(amount * Decimal(rate), home)
        deciders = self._deciders(person)
        decider = rng.choice(deciders) if deciders else None
        if decider is None and state not in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN):
            state = S.SUBMITTED  # nobody could decide it
        payers = [f for f in self.finance if f != person.id]
        if not payers and state == S.PAID:
            state = S.APPROVED

        # The path it took, as services would have moved it, with who did each step.
        path = [S.DRAFT]
        if state != S.DRAFT:
            path.append(S.SUBMITTED)
            if state == S.CHANGES_REQUESTED or (decider and state != S.WITHDRAWN and rng.random() < 0.08):
                path.append(S.CHANGES_REQUESTED)
                if state != S.CHANGES_REQUESTED:
                    path.append(S.SUBMITTED)
            if state in (S.APPROVED, S.PAID):
                path.append(S.APPROVED)
            if state in (S.PAID, S.REJECTED, S.WITHDRAWN):
                path.append(state)
        approved = home_amount
        partial = state in (S.APPROVED, S.PAID) and rng.random() < 0.04 and home_amount > 20
        if partial:
            approved = money.quantize(home_amount * Decimal("0.8"), home)

        # Timestamps: each step a while after the one before; squeezed to end before now.
        created = self._at(purchase + dt.timedelta(days=rng.choice([0, 0, 1, 2, 5])), person.tz)
        gaps = {
            S.SUBMITTED: dt.timedelta(minutes=rng.randrange(2, 60 * 48)),
            S.CHANGES_REQUESTED: dt.timedelta(hours=rng.randrange(4, 96)),
            S.APPROVED: dt.timedelta(hours=rng.randrange(2, 120)),
            S.REJECTED: dt.timedelta(hours=rng.randrange(2, 120)),
            S.WITHDRAWN: dt.timedelta(hours=rng.randrange(1, 72)),
            S.PAID: dt.timedelta(days=rng.randrange(1, 10), hours=rng.randrange(0, 8)),
        }
        steps = [dt.timedelta(0)] + [gaps[s] for s in path[1:]]
        total, room = sum(steps, dt.timedelta(0)), self.now - dt.timedelta(minutes=1) - created
        scale = max(0.0, room / total) if total > room else 1.0
        at, times = created, []
        for step in steps:
            at = at + step * scale
            times.append(at)
        payer = rng.choice(payers) if payers else None
        reference = f"SEPA-{times[-1]:%Y%m%d}-{(payer or 0) % 97:02d}"  # one batch per finance person per day

        events = []
        before = ""
        for step, when in zip(path, times, strict=True):
            actor = person.id
            note, value = "", None
            if step == S.DRAFT:
                value = amount
            elif step == S.CHANGES_REQUESTED:
                actor, note = decider, rng.choice(CHANGES)
            elif step == S.APPROVED:
                actor, value = decider, approved
                note = "Approved 80%: the rest is outside the Learning Day budget." if partial else ""
            elif step == S.REJECTED:
                actor, note = decider, rng.choice(REJECTIONS)
            elif step == S.WITHDRAWN:
                note = "Withdrawn by the claimant."
            elif step == S.PAID:
                actor, value, note = payer, approved, f"Payment reference {reference}"
            events.append((before, step, actor, when, note, value))
            before = step
        submitted = [t for s, t in zip(path, times, strict=True) if s == S.SUBMITTED]
        decision = [(s, t) for s, t in zip(path, times, strict=True) if s in (S.APPROVED, S.REJECTED)]
        claim = Claim(
            claimant_id=person.id,
            kind=kind,
            description=description,
            vendor=rng.choice(VENDORS) if kind in (Claim.Kind.BOOK, Claim.Kind.COURSE) else "",
            purchase_date=purchase,
            amount=amount,
            currency=currency,
            home_amount=home_amount,
            approved_amount=approved if state in (S.APPROVED, S.PAID) else None,
            item_id=item_id,
            isbn=isbn,
            state=state,
            payment_reference=reference if state == S.PAID else "",
            submitted_at=submitted[-1] if submitted else None,
            decided_at=decision[-1][1] if decision else None,
            decided_by_id=decider if decision else None,
            paid_at=times[-1] if state == S.PAID else None,
            created_at=created,
            updated_at=times[-1],
        )
        # Receipts: one before submitting (two now and then); another after changes were asked for.
        uploads = []
        if state != S.DRAFT or rng.random() < 0.5:
            uploads.append(
                created + (times[1] - created) / 2
                if len(times) > 1
                else min(created + dt.timedelta(minutes=3), self.now)
            )
            if rng.random() < 0.07:
                uploads.append(uploads[0] + dt.timedelta(seconds=40))
        if S.CHANGES_REQUESTED in path and len(path) > path.index(S.CHANGES_REQUESTED) + 1:
            i = path.index(S.CHANGES_REQUESTED)
            uploads.append(times[i] + (times[i + 1] - times[i]) / 2)
        return claim, events, uploads

    def _write_claims(self, chunk: list) -> None:
        claims = self._insert(Claim, [c for c, _, _ in chunk])
        events, receipts = [], []
        last_sha: dict[int, tuple[int, bool]] = {}
        for claim, (_, trail, uploads) in zip(claims, chunk, strict=True):
            for before, to, actor, when, note, value in trail:
                events.append(
                    ClaimEvent(
                        claim_id=claim.pk,
                        actor_id=actor,
                        at=when,
                        from_state=before,
                        to_state=to,
                        note=note,
                        amount=value,
                    )
                )
            for when in uploads:
                receipts.append(self._receipt(claim, when, last_sha))
        self._insert(ClaimEvent, events)
        self._insert(Receipt, receipts)
        reset_queries()

    def _receipt(self, claim: Claim, when: dt.datetime, last: dict[int, tuple[int, bool]]) -> Receipt:
        """A receipt file of its own, written through the receipt storage; now and then the
        same bytes as the claimant's previous receipt, which the reviewer's page flags."""
        rng = self.rng
        jpeg_head, jpeg_tail, thumbnail, pdf_head, pdf_tail = self.payloads
        previous = last.get(claim.claimant_id)
        if previous and rng.random() < 0.005:
            serial, is_image = previous
        else:
            self.serial += 1
            serial, is_image = self.serial, rng.random() < 0.65
        last[claim.claimant_id] = (serial, is_image)
        code = f"LD{serial:08d}".encode()
        data = jpeg_head + code + jpeg_tail if is_image else pdf_head + code + pdf_tail
        ext = ".jpg" if is_image else ".pdf"
        name = self.storage.save(receipt_path(None, "receipt" + ext), ContentFile(data))
        self.stored_files.append(name)
        thumb = ""
        if is_image:
            thumb = self.storage.save(receipt_path(None, "thumb.jpg"), ContentFile(thumbnail))
            self.stored_files.append(thumb)
        original = (
            rng.choice(["IMG_%04d.jpg", "photo-%d.jpg"])
            if is_image
            else rng.choice(["invoice-%d.pdf", "receipt_%d.pdf"])
        )
        return Receipt(
            claim_id=claim.pk,
            file=name,
            thumbnail=thumb,
            content_type="image/jpeg" if is_image else "application/pdf",
            original_name=original % rng.randrange(1000, 9999),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            pages=None if is_image else 1,
            uploaded_at=when,
        )


def seed(*, people: int, weeks: int, seed: int, password: str, write: Callable[[str], None]) -> dict[str, int]:
    """Fill an empty database; returns the rows written per model."""
    return Seeder(people=people, weeks=weeks, seed=seed, password=password, write=write).run()
