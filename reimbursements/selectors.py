"""Reads of claims: budgets, flags for reviewers, and what each person may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, Replace, Trim
from django.db.models.lookups import Exact, GreaterThan

from learningday.models import Membership, User
from reimbursements import rates
from reimbursements.models import Claim, ClaimEvent, PendingReceipt, PersonalBudget, Receipt

S = Claim.State
SPENT = (S.APPROVED, S.PAID)
PENDING = (S.SUBMITTED, S.CHANGES_REQUESTED)
ZERO = Decimal("0")
AMOUNT = DecimalField(max_digits=14, decimal_places=3)

# What a claim is worth in the home currency, in SQL: the approved amount once decided.
HOME_VALUE = Coalesce(
    "approved_amount", "home_amount", Case(When(currency=settings.HOME_CURRENCY, then=F("amount"))), ZERO
)


@dataclass(frozen=True)
class Budget:
    year: int
    total: Decimal
    spent: Decimal
    pending: Decimal

    @property
    def left(self) -> Decimal:
        return self.total - self.spent - self.pending

    @property
    def spent_percent(self) -> int:
        return min(100, round(self.spent / self.total * 100)) if self.total else 100

    @property
    def pending_percent(self) -> int:
        return min(100 - self.spent_percent, round(self.pending / self.total * 100)) if self.total else 0


def budget_totals(user_ids: list[int], year: int) -> dict[int, Budget]:
    """Budgets for many people in two queries: this year's spent and pending per person.

    A claim counts in the year of its purchase date; pending claims count against what
    is left, so that two claims cannot both spend the last of the budget unseen."""
    overrides = dict(PersonalBudget.objects.filter(user_id__in=user_ids).values_list("user_id", "amount"))
    rows = (
        Claim.objects.filter(claimant_id__in=user_ids, purchase_date__year=year, state__in=SPENT + PENDING)
        .values("claimant_id")
        .annotate(
            spent=Sum(
                HOME_VALUE, filter=Q(state__in=SPENT), output_field=DecimalField(max_digits=14, decimal_places=3)
            ),
            pending=Sum(
                HOME_VALUE, filter=Q(state__in=PENDING), output_field=DecimalField(max_digits=14, decimal_places=3)
            ),
        )
    )
    sums = {row["claimant_id"]: (row["spent"] or ZERO, row["pending"] or ZERO) for row in rows}
    return {
        uid: Budget(
            year=year,
            total=overrides.get(uid, settings.ANNUAL_LEARNING_BUDGET),
            spent=sums.get(uid, (ZERO, ZERO))[0],
            pending=sums.get(uid, (ZERO, ZERO))[1],
        )
        for uid in user_ids
    }


def budget_for(user: User, year: int) -> Budget:
    return budget_totals([user.pk], year)[user.pk]


# --- Flags for the reviewer ---------------------------------------------------------------


@dataclass(frozen=True)
class Flags:
    over_budget: bool = False
    over_cap: Decimal | None = None
    duplicate_receipt: bool = False
    duplicate_claim: bool = False
    old_purchase: bool = False
    bought_in_team: bool = False
    claimed_before: bool = False  # the same book by the same person within a year
    # A purchase in another currency: its amount at the ECB's reference rate of the purchase
    # day, and whether the amount charged is more than 5% away from it.
    reference: rates.Reference | None = None
    rate_differs: bool = False

    @property
    def any(self) -> bool:
        return any(
            (self.over_budget, self.over_cap, self.duplicate_receipt, self.duplicate_claim, self.old_purchase,
             self.bought_in_team, self.claimed_before, self.rate_differs)
        )  # fmt: skip

    @property
    def needs_check(self) -> bool:
        return self.duplicate_receipt or self.duplicate_claim or self.claimed_before


LIVE = ~Q(state__in=[S.REJECTED, S.WITHDRAWN])


SAME_BOOK_WITHIN = dt.timedelta(days=365)


def title_key(expression):
    """A book's title as the claims compare it: lower case, without spaces and the usual
    punctuation ("Deep Learning: A Primer" and "deep learning - a primer" match)."""
    key = Lower(Trim(expression))
    for mark in (" ", "-", "–", "—", ":", ",", ".", ";", "'", '"', "’", "!", "?", "(", ")"):
        key = Replace(key, Value(mark), Value(""))
    return key


def with_flag_queries(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate the flags that need other rows, as subqueries: constant queries for a list."""
    same_receipt = Receipt.objects.filter(
        sha256__in=Receipt.objects.filter(claim=OuterRef(OuterRef("pk"))).values("sha256")
    ).exclude(claim=OuterRef("pk"))
    same_claim = Claim.objects.filter(
        LIVE,
        claimant=OuterRef("claimant"),
        purchase_date=OuterRef("purchase_date"),
        amount=OuterRef("amount"),
        currency=OuterRef("currency"),
    ).exclude(pk=OuterRef("pk"))
    teammates_claims = Claim.objects.filter(
        LIVE & ~Q(state=S.DRAFT),
        claimant__in=Membership.objects.filter(
            team__in=Membership.objects.filter(user=OuterRef(OuterRef("claimant"))).values("team")
        ).values("user"),
    ).exclude(claimant=OuterRef("claimant"))
    # Two subqueries rather than one with an OR: most claims have no ISBN, and "isbn = ''"
    # would match tens of thousands of rows. The test on the outer row's own ISBN is a
    # one-time filter, so PostgreSQL skips the scan for a claim without one.
    same_isbn = teammates_claims.filter(GreaterThan(OuterRef("isbn"), Value("")), isbn=OuterRef("isbn"))
    same_item = teammates_claims.filter(item=OuterRef("item"))
    # The same person's other live claims for the same book, bought within a year of this
    # one: its ISBN, its reading item or, between two book claims, its title.
    day = OuterRef("purchase_date")
    same_book_again = (
        Claim.objects.filter(
            LIVE & ~Q(state=S.DRAFT),
            claimant=OuterRef("claimant"),
            purchase_date__gt=ExpressionWrapper(day - SAME_BOOK_WITHIN, output_field=DateField()),
            purchase_date__lt=ExpressionWrapper(day + SAME_BOOK_WITHIN, output_field=DateField()),
        )
        .exclude(pk=OuterRef("pk"))
        .annotate(title_key=title_key(F("description")))
        .filter(
            Q(GreaterThan(OuterRef("isbn"), Value("")), isbn=OuterRef("isbn"))
            | Q(item__isnull=False, item=OuterRef("item"))
            | Q(
                Exact(OuterRef("kind"), Value(Claim.Kind.BOOK)),
                kind=Claim.Kind.BOOK,
                title_key=title_key(OuterRef("description")),
            )
        )
    )
    return claims.annotate(
        has_same_receipt=Exists(same_receipt),
        has_same_claim=Exists(same_claim),
        bought_isbn_in_team=Exists(same_isbn),
        bought_item_in_team=Exists(same_item),
        has_claimed_before=Exists(same_book_again),
    )


def flags(claim: Claim, budget: Budget, *, today: dt.date | None = None) -> Flags:
    """The flags of one claim, given the annotations of ``with_flag_queries``."""
    value = claim.home_value
    left_before = budget.left + (value if claim.state in PENDING else ZERO)
    cap = settings.CLAIM_KIND_CAPS.get(claim.kind)
    submitted = (claim.submitted_at.date() if claim.submitted_at else today) or dt.date.today()
    reference = None
    if claim.currency != settings.HOME_CURRENCY:
        reference = rates.reference(amount=claim.amount, currency=claim.currency, day=claim.purchase_date)
    return Flags(
        over_budget=claim.state in (*PENDING, S.DRAFT) and value > left_before,
        over_cap=cap if cap is not None and value > cap else None,
        duplicate_receipt=bool(getattr(claim, "has_same_receipt", False)),
        duplicate_claim=bool(getattr(claim, "has_same_claim", False)),
        old_purchase=(submitted - claim.purchase_date).days > settings.CLAIM_MAX_AGE_DAYS,
        bought_in_team=bool(
            getattr(claim, "bought_isbn_in_team", False) or getattr(claim, "bought_item_in_team", False)
        ),
        claimed_before=bool(getattr(claim, "has_claimed_before", False)),
        reference=reference,
        rate_differs=rates.differs(claim.home_amount, reference),
    )


def days_waiting(claim: Claim, *, tz, today: dt.date) -> int | None:
    """Whole days since the claim was submitted, counted in the reader's time zone (``tz``):
    0 the day it came in, 1 the next local day, and so on; None if never submitted."""
    if claim.submitted_at is None:
        return None
    return max(0, (today - claim.submitted_at.astimezone(tz).date()).days)


def flags_for(claim: Claim, *, budget: Budget | None = None, today: dt.date | None = None) -> Flags:
    """The flags of one claim (the lists use ``with_flag_queries`` and ``flags`` instead)."""
    annotated = with_flag_queries(Claim.objects.filter(pk=claim.pk)).get()
    return flags(annotated, budget or budget_for(claim.claimant, claim.purchase_date.year), today=today)


# --- Lists ------------------------------------------------------------------------------------


def _listed(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    return claims.select_related("claimant", "decided_by", "item").prefetch_related("receipts")


def my_claims(user: User) -> QuerySet[Claim]:
    return _listed(Claim.objects.filter(claimant=user)).order_by("-created_at")


def _to_decide(user: User) -> QuerySet[Claim]:
    """Submitted claims this person may decide: their teams' members' claims (never their
    own), and for finance, the claims of managers whom no other manager can decide."""
    in_my_teams = Membership.objects.filter(team_id__in=list(user.managed_team_ids)).values("user_id")
    condition = Q(claimant__in=in_my_teams)
    if user.is_finance:
        condition |= ~Exists(_other_managers())
    return Claim.objects.filter(condition, state=S.SUBMITTED).exclude(claimant=user)


def review_queue(user: User) -> QuerySet[Claim]:
    return with_flag_queries(_listed(_to_decide(user))).order_by("submitted_at", "pk")


def review_count(user: User) -> int:
    """How many claims wait for this person's decision: one COUNT query."""
    if not (user.is_manager or user.is_finance):
        return 0
    return _to_decide(user).count()


def to_pay_count(user: User) -> int:
    """For finance: approved claims not paid yet, other than their own (which they may not pay)."""
    if not user.is_finance:
        return 0
    return Claim.objects.filter(state=S.APPROVED).exclude(claimant=user).count()


def changes_requested_of(user: User) -> QuerySet[Claim]:
    """This person's claims sent back to them, each with the note of the request (the latest
    event into "changes requested") as `request_note`: one query."""
    latest = ClaimEvent.objects.filter(claim=OuterRef("pk"), to_state=S.CHANGES_REQUESTED).order_by("-at", "-pk")
    return (
        Claim.objects.filter(claimant=user, state=S.CHANGES_REQUESTED)
        .annotate(request_note=Subquery(latest.values("note")[:1]), requested_at=Subquery(latest.values("at")[:1]))
        .order_by("-requested_at", "-pk")
    )


def finance_list(*, states=SPENT, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Claim]:
    claims = Claim.objects.filter(state__in=states)
    if start:
        claims = claims.filter(decided_at__date__gte=start)
    if end:
        claims = claims.filter(decided_at__date__lte=end)
    return _listed(claims).order_by("state", "decided_at", "pk")


def teams_by_user(user_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for user_id, team in Membership.objects.filter(user_id__in=user_ids).values_list("user_id", "team__name"):
        names[user_id].append(team)
    return names


def _other_managers() -> QuerySet[Membership]:
    """For a claim (the outer query): managers of the claimant's teams other than the claimant."""
    claimant_teams = Membership.objects.filter(user=OuterRef(OuterRef("claimant"))).values("team")
    return Membership.objects.filter(team__in=claimant_teams, role=Membership.Role.MANAGER).exclude(
        user=OuterRef("claimant")
    )


def claim_visible_to(user: User) -> QuerySet[Claim]:
    """Claims this person may open: their own; the submitted and later claims of their
    managed teams' members; those they decided; and for finance, approved and paid claims
    of everyone and those only finance may decide."""
    in_my_teams = Membership.objects.filter(team_id__in=list(user.managed_team_ids)).values("user_id")
    visible = Q(claimant=user) | (Q(claimant__in=in_my_teams) & ~Q(state=S.DRAFT)) | Q(decided_by=user)
    if user.is_finance:
        visible |= Q(state__in=SPENT) | (~Q(state=S.DRAFT) & ~Exists(_other_managers()))
    return Claim.objects.filter(visible)


def pending_receipts_of(user: User) -> QuerySet[PendingReceipt]:
    """The receipts this person attached to a claim form that came back with errors: only
    ever their own, whoever else's ids a form posts."""
    return PendingReceipt.objects.filter(owner_id=user.pk)


# --- Who may decide ----------------------------------------------------------------


def deciders(claim: Claim) -> list[User]:
    """The managers of the claimant's teams, never the claimant."""
    team_ids = Membership.objects.filter(user_id=claim.claimant_id).values("team_id")
    return list(
        User.objects.filter(is_active=True, memberships__team__in=team_ids, memberships__role=Membership.Role.MANAGER)
        .exclude(pk=claim.claimant_id)
        .distinct()
    )


def can_decide(user: User, claim: Claim) -> bool:
    """A manager of one of the claimant's teams; where there is none but the claimant, finance.

    Nobody decides their own claim, whatever their roles."""
    if not user.is_active or user.pk == claim.claimant_id:
        return False
    managers = deciders(claim)
    if managers:
        return any(m.pk == user.pk for m in managers)
    return user.is_finance
