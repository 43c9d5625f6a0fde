from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from learningday import calendar, fragments, versions
from learningday.exports import csv_response
from learningday.models import Membership
from learningday.parsing import parse_id
from learningday.services import ALREADY_SAVED
from logs.selectors import entries_visible_to
from reading.models import Progress
from reading.selectors import items_visible_to
from reimbursements import money, pending, rates, selectors, services, tasks
from reimbursements.forms import (
    READ_NOTE,
    ApproveForm,
    ChangesForm,
    ClaimForm,
    MarkPaidForm,
    NewClaimForm,
    PeriodForm,
    RejectForm,
    proposed_values,
)
from reimbursements.models import Claim, Receipt

log = logging.getLogger(__name__)

PAGE_SIZE = 25


def _visible_claim(request: HttpRequest, pk: int) -> Claim:
    """The claim, if this person may see it; 404 otherwise, so nobody learns it exists."""
    return get_object_or_404(
        selectors.claim_visible_to(request.user).select_related("claimant", "item", "decided_by"), pk=pk
    )


def _own_claim(request: HttpRequest, pk: int) -> Claim:
    claim = _visible_claim(request, pk)
    if claim.claimant_id != request.user.pk:
        raise PermissionDenied("Only the person who filed a claim can do this.")
    return claim


def _decidable_claim(request: HttpRequest, pk: int) -> Claim:
    claim = _visible_claim(request, pk)
    if not selectors.can_decide(request.user, claim):
        raise PermissionDenied("You may not decide this claim.")
    return claim


def _require_finance(request: HttpRequest) -> None:
    if not request.user.is_finance:
        raise PermissionDenied("This page is for finance.")


def _today(request: HttpRequest):
    return calendar.user_today(request.user)


def _kept(request: HttpRequest, kind: str, template: str, context: Callable[[], dict], *parts) -> SafeString:
    """A claims page's body for this viewer at this address, kept under the versions of the
    claims (with their receipts, trails and personal budgets), of the directory (names, teams,
    items) and of the exchange rates; ``context`` is only called to render it anew. Whoever
    may see the page is checked before, on every request."""
    watched = (*versions.current(versions.CLAIMS, versions.DIRECTORY), rates.version(), *parts)
    return fragments.for_viewer(
        request, kind, watched, template, lambda: {**context(), "home_currency": settings.HOME_CURRENCY}
    )


# --- The claimant ----------------------------------------------------------------------


def my_claims(request: HttpRequest) -> HttpResponse:
    def context() -> dict:
        page = Paginator(selectors.my_claims(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        return {"page": page, "budget": selectors.budget_for(request.user, _today(request).year)}

    body = _kept(request, "claims-mine", "reimbursements/_mine_body.html", context)
    return render(request, "reimbursements/mine.html", {"body": body})


def claim_new(request: HttpRequest) -> HttpResponse:
    form = NewClaimForm(request.POST or None, request.FILES or None, user=request.user, today=_today(request))
    if request.method == "POST":
        pending.pending_receipts_remove(user=request.user, pending=form.removed)
        reading = "read_receipt" in request.POST
        if form.is_valid() and not reading:
            try:
                saved = services.claim_save(user=request.user, token=form.token, **_save_args(request, form))
            except services.ClaimError as error:
                _show_on_form(form, error)
            else:
                _tell(request, saved)
                return redirect(saved.claim)
        _keep_receipts(request, form, reading=reading)
    return render(request, "reimbursements/form.html", {"form": form}, status=400 if form.errors else 200)


def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own_claim(request, pk)
    if not claim.is_editable:
        messages.error(request, "A claim can be changed only as a draft or when changes were asked for.")
        return redirect(claim)
    form = ClaimForm(
        request.POST or None, request.FILES or None, instance=claim, user=request.user, today=_today(request)
    )
    if request.method == "POST":
        pending.pending_receipts_remove(user=request.user, pending=form.removed)
        reading = "read_receipt" in request.POST
        if form.is_valid() and not reading:
            try:
                saved = services.claim_save(user=request.user, claim=claim, **_save_args(request, form))
            except services.ClaimError as error:
                _show_on_form(form, error)
            else:
                _tell(request, saved)
                return redirect(saved.claim)
        _keep_receipts(request, form, reading=reading)
    context = {"form": form, "claim": claim, "receipts": claim.receipts.all()}
    return render(request, "reimbursements/form.html", context, status=400 if form.errors else 200)


def _save_args(request: HttpRequest, form: ClaimForm) -> dict:
    return {
        "data": form.claim_data(),
        "receipts": form.new_receipts(),
        "pending": form.pending,
        "submit": "submit" in request.POST,
        "suggest": form.cleaned_data["suggest_for_reading"],
    }


def _keep_receipts(request: HttpRequest, form: ClaimForm, *, reading: bool = False) -> None:
    """The form comes back with errors, or to have its receipt read: the receipts of this
    post that passed the checks are kept for the person and listed on the form with those
    kept before, so nothing is attached twice. What a kept receipt says fills the fields
    left empty (in the embedded setup it was read while this request ran; otherwise the
    form's script asks for it, or the next render shows it)."""
    kept = [pending.pending_receipt_keep(user=request.user, processed=r) for r in form.new_receipts()]
    if settings.RECEIPT_READING:
        for row in kept:
            # In the embedded setup the task runs here and now, so this render has its proposal.
            transaction.on_commit(partial(tasks.read_pending_receipt.delay, row.pk))
    # Read again: a claim_save that failed may have found one of them cleaned away meanwhile.
    ids = [p.pk for p in form.pending] + [p.pk for p in kept]
    form.pending = list(selectors.pending_receipts_of(request.user).filter(pk__in=ids).order_by("created_at", "pk"))
    if reading:
        form.without_claim_errors()
    form.propose(request.user)


def pending_reading(request: HttpRequest, pk: int) -> JsonResponse:
    """What a kept receipt proposes, for the claim form's script: its owner's only (404 to anyone else)."""
    row = get_object_or_404(selectors.pending_receipts_of(request.user), pk=pk)
    proposal = row.proposed
    fields = proposed_values(proposal, user=request.user) if proposal is not None else {}
    return JsonResponse({"reading": row.reading, "fields": fields, "note": READ_NOTE})


def _show_on_form(form: ClaimForm, error: services.ClaimError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _tell(request: HttpRequest, saved: services.ClaimSaved) -> None:
    if saved.repeat:
        messages.info(request, ALREADY_SAVED)
        return
    if saved.suggested is not None:
        messages.info(request, f"“{saved.suggested.title}” is on {saved.suggested.team.name}'s reading list.")
    if saved.held:
        messages.warning(
            request, f"{saved.held} Your claim is saved as a draft: submit it if you still need your own copy."
        )
    elif saved.submitted:
        messages.success(request, "Submitted. Your manager decides it; you get an email either way.")
    else:
        messages.success(request, "Saved as a draft. Submit it when the receipts are in.")


@require_POST
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own_claim(request, pk)
    return _act(request, claim, services.claim_submit, "Submitted. Your manager decides it.")


@require_POST
def claim_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _own_claim(request, pk)
    return _act(request, claim, services.claim_withdraw, "Withdrawn. Nobody will decide it now.")


@require_POST
def receipt_delete(request: HttpRequest, pk: int, receipt_id: int) -> HttpResponse:
    claim = _own_claim(request, pk)
    receipt = get_object_or_404(Receipt, pk=receipt_id, claim=claim)
    try:
        services.receipt_remove(user=request.user, receipt=receipt)
    except services.ClaimError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Receipt removed.")
    return redirect("claims:edit", pk=claim.pk)


def _act(request: HttpRequest, claim: Claim, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(user=request.user, claim=claim, **kwargs)
    except services.ClaimError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(claim)


# --- One claim -----------------------------------------------------------------------------


def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    user = request.user
    may_decide = claim.state == Claim.State.SUBMITTED and selectors.can_decide(user, claim)

    def context() -> dict:
        budget = selectors.budget_for(claim.claimant, claim.purchase_date.year)
        context = {
            "claim": claim,
            "receipts": claim.receipts.all(),
            "events": claim.events.select_related("actor"),
            "budget": budget,
            "flags": selectors.flags_for(claim, budget=budget, today=_today(request)),
            "is_claimant": claim.claimant_id == user.pk,
            "may_decide": may_decide,
            "may_pay": claim.state == Claim.State.APPROVED and user.is_finance and claim.claimant_id != user.pk,
        }
        if may_decide:
            context.update(
                approve_form=ApproveForm(initial={"amount": money.quantize(claim.home_value, settings.HOME_CURRENCY)}),
                reject_form=RejectForm(),
                changes_form=ChangesForm(),
                recent_entries=entries_visible_to(user).filter(author=claim.claimant).order_by("-day")[:5],
                reading=Progress.objects.filter(user=claim.claimant, item__in=items_visible_to(user))
                .select_related("item")
                .order_by("-updated_at")[:8],
            )
        return context

    if may_decide:
        # Shown live: deciding shows the claimant's latest entries and reading beside the
        # claim, which change with every post, not only with the claims.
        body = render_to_string(
            "reimbursements/_detail_body.html", {**context(), "home_currency": settings.HOME_CURRENCY}, request
        )
    else:
        body = _kept(request, "claim", "reimbursements/_detail_body.html", context, claim.pk)
    return render(request, "reimbursements/detail.html", {"claim": claim, "body": body})


def receipt(request: HttpRequest, pk: int, receipt_id: int | None = None) -> FileResponse:
    """A receipt file, to the claimant, those who may decide the claim, and finance only."""
    claim = _visible_claim(request, pk)
    receipts = claim.receipts.all()
    found = receipts.filter(pk=receipt_id).first() if receipt_id else receipts.first()
    if found is None:
        raise Http404("No such receipt.")
    thumbnail = request.GET.get("thumbnail") == "1" and bool(found.thumbnail)
    stored = found.thumbnail if thumbnail else found.file
    content_type = "image/jpeg" if thumbnail else found.content_type
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
    try:
        opened = stored.open("rb")
    except FileNotFoundError:  # the row is there, the file is not (a lost object, a partial restore)
        log.error("Receipt %s of claim %s: its file %r is missing from the storage.", found.pk, claim.pk, stored.name)
        raise Http404("The receipt's file is missing.") from None
    response = FileResponse(
        opened,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=f"claim-{claim.pk}-receipt-{found.pk}.{extension.get(content_type, 'bin')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


# --- Deciding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    claim: Claim
    budget: selectors.Budget
    flags: selectors.Flags
    days_waiting: int | None

    @property
    def quick(self) -> bool:
        """Approved in full from the queue with one click: nothing that needs a check."""
        return not self.flags.needs_check

    @property
    def pickable(self) -> bool:
        """Approved together with others: no flag at all."""
        return not self.flags.any


def _require_reviewer(request: HttpRequest) -> None:
    if not (request.user.is_manager or request.user.is_finance):
        raise PermissionDenied("The review queue is for managers.")


def review(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)

    def context() -> dict:
        page = Paginator(selectors.review_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        claims = list(page.object_list)
        today = _today(request)
        budgets = selectors.budget_totals(sorted({c.claimant_id for c in claims}), today.year)
        tz = request.user.tzinfo
        rows = [
            ReviewRow(
                claim=claim,
                budget=budgets[claim.claimant_id],
                flags=selectors.flags(claim, budgets[claim.claimant_id], today=today),
                days_waiting=selectors.days_waiting(claim, tz=tz, today=today),
            )
            for claim in claims
        ]
        return {"page": page, "rows": rows, "any_pickable": any(row.pickable for row in rows)}

    body = _kept(request, "claims-review", "reimbursements/_review_body.html", context)
    return render(request, "reimbursements/review.html", {"body": body})


def _named(claim: Claim) -> str:
    return f"“{claim.description}” ({claim.claimant.name})"


MAX_APPROVE_AT_ONCE = 100


@require_POST
def review_approve(request: HttpRequest) -> HttpResponse:
    """Approve several unflagged claims in full, each on its own.

    Every claim goes through ``services.claim_approve`` in its own transaction: those that
    can be approved are, and each that cannot (decided meanwhile, flagged, not this
    person's to decide) is named with the reason; nothing is left half-done. Ids this
    person may not see are counted, never named, so nobody learns what they are."""
    _require_reviewer(request)
    user = request.user
    ids = list(dict.fromkeys(pk for v in request.POST.getlist("claims") if (pk := parse_id(v)) is not None))
    if not ids:
        messages.error(request, "Tick the claims to approve first.")
        return redirect("claims:review")
    if len(ids) > MAX_APPROVE_AT_ONCE:
        messages.error(request, f"Approve at most {MAX_APPROVE_AT_ONCE} claims at once.")
        return redirect("claims:review")
    queue = {c.pk: c for c in selectors.review_queue(user).filter(pk__in=ids)}
    others = {
        c.pk: c
        for c in selectors.claim_visible_to(user)
        .filter(pk__in=[pk for pk in ids if pk not in queue])
        .select_related("claimant")
    }
    today = _today(request)
    budgets = selectors.budget_totals(sorted({c.claimant_id for c in queue.values()}), today.year)
    approved: list[str] = []
    refused: list[str] = []
    unseen = 0
    for pk in ids:
        claim = queue.get(pk)
        if claim is None:
            other = others.get(pk)
            if other is None:
                unseen += 1
            elif other.state != Claim.State.SUBMITTED:
                refused.append(f"{_named(other)} is {other.get_state_display().lower()} now")
            else:
                refused.append(f"{_named(other)}: you may not decide it")
            continue
        if selectors.flags(claim, budgets[claim.claimant_id], today=today).any:
            refused.append(f"{_named(claim)} has something to check: decide it on its page")
            continue
        if not selectors.can_decide(user, claim):
            refused.append(f"{_named(claim)}: you may not decide it")
            continue
        try:
            services.claim_approve(user=user, claim=claim)
        except services.ClaimError as error:
            refused.append(f"{_named(claim)}: {error}")
        else:
            approved.append(_named(claim))
    if approved:
        count = f"{len(approved)} claim{'s' if len(approved) != 1 else ''}"
        messages.success(request, f"Approved in full, {count}: {'; '.join(approved)}.")
    if refused:
        messages.error(request, f"Not approved, left as they were: {'; '.join(refused)}.")
    if unseen:
        messages.error(
            request,
            f"{unseen} of the ticked claims {'is' if unseen == 1 else 'are'} not yours to decide or no longer "
            "there: nothing was done with them.",
        )
    return redirect("claims:review")


@require_POST
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _decidable_claim(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the approved amount as a number, such as 39.90.")
        return redirect(claim)
    data = form.cleaned_data
    if request.POST.get("next") == "review":
        # One click from the queue: in full, and only a claim with nothing that needs a check.
        if selectors.flags_for(claim, today=_today(request)).needs_check:
            messages.error(request, f"{_named(claim)} has something to check: decide it here.")
            return redirect(claim)
        try:
            services.claim_approve(user=request.user, claim=claim)
        except services.ClaimError as error:
            messages.error(request, f"{_named(claim)}: {error}")
            return redirect(claim)
        messages.success(request, f"Approved {_named(claim)} in full. Finance pays it and the claimant is told.")
        return redirect("claims:review")
    return _act(
        request,
        claim,
        services.claim_approve,
        "Approved. Finance pays it and the claimant is told.",
        amount=data["amount"],
        note=data["note"],
        checked_duplicates=data["checked_duplicates"],
    )


@require_POST
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _decidable_claim(request, pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, claim, services.claim_reject, "Rejected; the claimant sees your reason.", reason=reason)


@require_POST
def claim_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _decidable_claim(request, pk)
    form = ChangesForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(request, claim, services.claim_request_changes, "Sent back for changes.", note=note)


# --- Finance --------------------------------------------------------------------------------------


def _finance_claims(request: HttpRequest) -> tuple[PeriodForm, QuerySet[Claim]]:
    """Finance pages only: the approved and paid claims of the period asked for."""
    _require_finance(request)
    period = PeriodForm(request.GET or None)
    filters = period.cleaned_data if period.is_valid() else {}
    states = (filters["state"],) if filters.get("state") else selectors.SPENT
    return period, selectors.finance_list(states=states, start=filters.get("start"), end=filters.get("end"))


def finance(request: HttpRequest) -> HttpResponse:
    """The claims to pay and those paid; ``?tick=all`` ticks every claim to pay on the page
    (select-all without JavaScript; the script in static/js/finance.js does it in place)."""
    _require_finance(request)
    body = _kept(request, "claims-finance", "reimbursements/_finance_body.html", partial(_finance_body, request))
    return render(request, "reimbursements/finance.html", {"body": body})


def _finance_body(request: HttpRequest) -> dict:
    period, claims = _finance_claims(request)
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tick", None)
    tick_all = request.GET.get("tick") == "all"
    teams = selectors.teams_by_user(sorted({c.claimant_id for c in page.object_list}))
    digits = money.minor_units(settings.HOME_CURRENCY)
    rows = [
        (claim, ", ".join(teams.get(claim.claimant_id, [])), _minor(claim.approved_amount, digits))
        for claim in page.object_list
    ]
    to_pay = [claim.approved_amount for claim in page.object_list if claim.state == Claim.State.APPROVED]
    here = request.GET.copy()
    here.pop("tick", None)
    here_all = here.copy()
    here_all["tick"] = "all"
    return {
        "page": page,
        "rows": rows,
        "period": period,
        "query": query.urlencode(),
        "pay_form": MarkPaidForm(),
        "tick_all": tick_all,
        "to_pay_count": len(to_pay),
        "to_pay_total": sum(to_pay, Decimal(0)),
        "currency": settings.HOME_CURRENCY,
        "digits": digits,
        "tick_all_query": here_all.urlencode(),
        "untick_query": here.urlencode(),
    }


def _minor(amount: Decimal | None, digits: int) -> int:
    """An amount in the currency's minor units (cents), for the script's exact sums."""
    return int(money.quantize(amount or Decimal(0), settings.HOME_CURRENCY).scaleb(digits))


@require_POST
def finance_mark_paid(request: HttpRequest) -> HttpResponse:
    _require_finance(request)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("claims:finance")
    try:
        paid = services.claim_mark_paid(
            user=request.user, claims=list(form.cleaned_data["claims"]), reference=form.cleaned_data["reference"]
        )
    except services.ClaimError as error:
        messages.error(request, str(error))
    else:
        total = money.format_money(sum((c.approved_amount for c in paid), Decimal(0)), settings.HOME_CURRENCY)
        reference = form.cleaned_data["reference"].strip()
        messages.success(
            request,
            f"Marked {len(paid)} claim{'s' if len(paid) != 1 else ''} paid. "
            f"Total {total}, payment reference {reference}.",
        )
    return redirect("claims:finance")


EXPORT_HEADER = [
    "claim",
    "claimant",
    "email",
    "team",
    "kind",
    "description",
    "amount",
    "currency",
    "home_amount",
    "approved_amount",
    "home_currency",
    "state",
    "approver",
    "purchase_date",
    "submitted",
    "decided",
    "paid",
    "payment_reference",
]


def finance_export(request: HttpRequest) -> HttpResponse:
    """Approved and paid claims of a period, streamed: memory stays flat however many rows."""
    _period, claims = _finance_claims(request)
    claims = claims.prefetch_related(
        Prefetch(
            "claimant__memberships", queryset=Membership.objects.select_related("team"), to_attr="team_memberships"
        )
    ).iterator(chunk_size=1000)

    def day(value):
        return value.date().isoformat() if value else ""

    def amount(value, currency):
        # The currency's own decimals (240.00, JPY 2400), not the column's three.
        return "" if value is None else money.quantize(value, currency)

    rows = (
        [
            c.pk,
            c.claimant.name,
            c.claimant.email,
            "; ".join(m.team.name for m in c.claimant.team_memberships),
            c.kind,
            c.description,
            amount(c.amount, c.currency),
            c.currency,
            amount(c.home_amount, settings.HOME_CURRENCY),
            amount(c.approved_amount, settings.HOME_CURRENCY),
            settings.HOME_CURRENCY,
            c.state,
            c.decided_by.email if c.decided_by else "",
            c.purchase_date.isoformat(),
            day(c.submitted_at),
            day(c.decided_at),
            day(c.paid_at),
            c.payment_reference,
        ]
        for c in claims
    )
    return csv_response("claims.csv", EXPORT_HEADER, rows)
