from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from learningday import calendar, fragments, markdown, parsing, versions
from learningday.exports import csv_response
from learningday.keyset import keyset_page
from learningday.models import Team, User
from learningday.quarters import Quarter
from learningday.services import ALREADY_SAVED, create_once
from learningday.views import team_asked
from logs import cards, ical, reminders, selectors, services
from logs.charts import heatmap_svg, participation_svg
from logs.forms import AwayForm, EntryForm, FeedFilterForm, PulseForm, QuickEntryForm, reading_choices, typed_ids
from logs.models import Away, Entry
from logs.topics import suggest_topics

PAGE_SIZE = 20
# The session key that carries "this draft is saved" from a check-in to the entry's page.
SAVED_DRAFT = "checkin_saved_draft"
# What the entry page's title needs of its author (User.name).
AUTHOR_NAME = ("author__display_name", "author__email")
# How much of the text the live preview renders.
PREVIEW_MAX = 20_000
# The feed's order, newest first; an index (entry_feed_order) walks it, and pages are keyset pages.
FEED_ORDER = ("day", "created_at", "pk")


def _visible_entry(request: HttpRequest, pk: int) -> Entry:
    """The entry, if this person may read it; 404 otherwise, so nobody learns it exists."""
    return get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)


def _own_entry(request: HttpRequest, pk: int) -> Entry:
    entry = _visible_entry(request, pk)
    if entry.author_id != request.user.pk:
        raise PermissionDenied("Only the author can change an entry.")
    return entry


# --- Dashboard -------------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    """Kept per person in two pieces: the body down to the year chart under their own version
    (their entries, days away, pulse answer, claims and budget), the directory's and, for those
    who decide claims, the claims' (how many wait for them); the teams' recent entries under
    every entry's version and the directory's."""
    user = request.user
    watched = [versions.DIRECTORY, versions.person(user.pk)]
    if user.is_manager or user.is_finance:
        watched.append(versions.CLAIMS)
    *seen, entries = versions.current(*watched, versions.ENTRIES)
    directory = seen[0]
    body = fragments.for_viewer(
        request, "dashboard", tuple(seen), "logs/_dashboard_body.html", lambda: _dashboard_context(user)
    )
    recent = fragments.for_viewer(
        request,
        "dashboard-recent",
        (directory, entries),
        "logs/_dashboard_recent.html",
        lambda: {"recent": _recent_in_teams(user, directory=directory)},
    )
    return render(request, "logs/dashboard.html", {"body": body, "recent": recent})


def _recent_in_teams(user: User, *, directory: int) -> list[Entry]:
    recent = cards.light(selectors.entries_readable_by(user).exclude(author=user)).order_by("-day", "-created_at")
    return cards.with_cards(user, list(recent[:5]), show_day=True, directory=directory)


def _dashboard_context(user: User) -> dict:
    today = calendar.user_today(user)
    history = selectors.record(user, today=today)
    todays_entry = Entry.objects.filter(author=user, day=today).first() if today in history.logged else None
    is_learning_day = calendar.is_learning_day(today)
    prompt = is_learning_day and not todays_entry  # the quick form, and last time's plan above it
    marks = selectors.year_of_learning_days(user, today=today, history=history)
    return {
        "user": user,
        "today": today,
        "is_learning_day": is_learning_day,
        "next_learning_day": calendar.next_learning_day(today, inclusive=False),
        "user_timezone": user.timezone,
        "todays_entry": todays_entry,
        "quick_form": QuickEntryForm(today=today, user=user) if prompt else None,
        "whats_next": selectors.last_plan(user, before=today) if prompt else None,
        "streak": selectors.streak(user, today=today, history=history),
        # The year's chart is the same for the same marks: kept under them (fragments).
        "heatmap": fragments.one(fragments.key("heatmap", *marks), lambda: heatmap_svg(marks)),
        "heatmap_summary": _heatmap_summary(marks),
        "pulse_form": _pulse_card(user, today=today) if is_learning_day else None,
    }


def _pulse_card(user: User, *, today) -> PulseForm | None:
    """The pulse question's form, on a Learning Day from the quarter's first one, until answered."""
    quarter = selectors.pulse_open_quarter(today=today)
    if quarter is None or selectors.pulse_answer_of(user, quarter) is not None:
        return None
    return PulseForm()


def _heatmap_summary(marks) -> str:
    counts = {status: sum(1 for m in marks if m.status == status) for status in selectors.STATUS_LABELS}
    logged = counts["logged"] + counts["crowded"]
    since = len(marks) - counts["before"]
    if counts["before"]:
        parts = [f"In the {since} Learning Day{'s' if since != 1 else ''} since you joined you logged {logged}"]
    else:
        parts = [f"In the last {len(marks)} Learning Days you logged {logged}"]
    if counts["crowded"]:
        parts.append(f"{counts['crowded']} of them partly crowded out by regular work")
    parts.append(f"missed {counts['missed']}")
    if counts["away"]:
        parts.append(f"were away on {counts['away']}")
    return ", ".join(parts) + "."


# --- Entries ---------------------------------------------------------------------


def feed(request: HttpRequest) -> HttpResponse:
    """Kept whole per viewer and address (filters, search, page) under the versions of every
    entry and of the directory (names, teams, who is in which): any entry written, edited or
    deleted anywhere, or a membership changed, makes a new key. On a miss the rows are found
    live, by the same visibility query, and their cards read from the cache (logs.cards)."""
    directory, entries = versions.current(versions.DIRECTORY, versions.ENTRIES)
    body = fragments.for_viewer(
        request, "feed", (directory, entries), "logs/_feed_body.html", lambda: _feed_context(request, directory)
    )
    return render(request, "logs/feed.html", {"body": body})


def _feed_context(request: HttpRequest, directory: int) -> dict:
    """The feed's body: its cards and filter fields kept under the directory's version the
    body itself is kept under."""
    form = FeedFilterForm(request.GET or None)
    entries = selectors.entries_readable_by(request.user)
    person_id = parsing.parse_id(request.GET.get("person"))
    person = selectors.author_visible_to(request.user, person_id) if person_id else None
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.filter_feed(
        entries,
        team=filters.get("team"),
        person=person,
        category=filters.get("category", ""),
        day_from=filters.get("day_from"),
        day_to=filters.get("day_to"),
        query=filters.get("q", ""),
    )
    page = keyset_page(
        cards.light(entries),
        fields=FEED_ORDER,
        size=PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    page = dataclasses.replace(page, object_list=cards.with_cards(request.user, page.object_list, directory=directory))
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    # A page cursor alone binds the form too: filtered means a filter has a value.
    filtered = any(filters.values()) or person is not None
    # The filter's fields (every team of the organisation) are the same for everyone for the
    # same values asked for and the same teams: kept under those.
    asked = [(name, request.GET.getlist(name)) for name in form.fields]
    fields = fragments.one(
        fragments.key("feed-filters", directory, filtered, repr(asked)),
        lambda: render_to_string(
            "forms/_filter_fields.html", {"form": form, "clear_url": reverse("logs:feed") if filtered else ""}
        ),
    )
    return {"filter_fields": fields, "page": page, "person": person, "query": query.urlencode(), "filtered": filtered}


def entry_new(request: HttpRequest) -> HttpResponse:
    today = calendar.user_today(request.user)
    if request.method == "GET" and "day" not in request.GET:
        todays = Entry.objects.filter(author=request.user, day=today).first()
        if todays is not None:
            messages.info(request, "You have logged today already: this is that entry.")
            return redirect("logs:edit", pk=todays.pk)
    initial = {"day": request.GET.get("day")} if "day" in request.GET else None
    previous = selectors.last_plan(request.user, before=today)
    # The dashboard's short form posts here too, with only the day, the text and the category.
    form_class = QuickEntryForm if request.POST.get("quick") else EntryForm
    options = {"today": today, "initial": initial, "user": request.user}
    return _entry_form(request, form_class, options, previous=previous)


def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    options = {"instance": entry, "today": calendar.user_today(request.user), "user": request.user}
    return _entry_form(request, EntryForm, options, entry=entry)


def _draft_key(request: HttpRequest, entry: Entry | None) -> str:
    """Where checkin.js keeps what is being typed in this browser: per person, per entry, and a
    new entry's per local day, so that a draft begun on another day (and perhaps posted from
    Slack since) is never offered back to overwrite that day's entry."""
    if entry is not None:
        return f"checkin:{request.user.pk}:{entry.pk}"
    return f"checkin:{request.user.pk}:new:{calendar.user_today(request.user).isoformat()}"


def _entry_form(
    request: HttpRequest, form_class: type[EntryForm], options: dict, *, entry: Entry | None = None, previous=None
) -> HttpResponse:
    form = form_class(request.POST or None, **options)
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        # The Preview button (without JavaScript): the text as it will look, everything typed
        # kept, nothing checked or saved yet.
        typed = {field.name: field.data for field in form}
        form = form_class(**{**options, "initial": typed})
        preview = markdown.render(typed.get("body") or "")
    elif request.method == "POST" and form.is_valid():
        try:
            saved, created = services.entry_save(user=request.user, data=form.entry_data(), entry=entry)
        except services.LogError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request, f"Logged {calendar.day_name(saved.day)}. Thank you for sharing what you learned."
                )
            else:
                messages.success(request, f"Your entry for {calendar.day_name(saved.day)} is updated.")
            # The next page tells checkin.js that the draft kept in this browser is saved now.
            request.session[SAVED_DRAFT] = _draft_key(request, entry)
            return redirect(saved)
    context = {
        "form": form,
        "entry": entry,
        "previous": previous,
        "preview": preview,
        "draft_key": _draft_key(request, entry),
        "fresh": request.method == "GET",  # a draft may be offered back only on a form not yet sent
    }
    return render(request, "logs/entry_form.html", context, status=400 if form.errors else 200)


@require_POST
def entry_preview(request: HttpRequest) -> JsonResponse:
    """The check-in text as the entry will show it, sanitised the same way, for checkin.js.

    Asked at every pause in the typing: only the first PREVIEW_MAX characters are rendered,
    so a pasted book costs no more than a long entry."""
    return JsonResponse({"html": markdown.render(request.POST.get("body", "")[:PREVIEW_MAX])})


@require_POST
def entry_topics(request: HttpRequest) -> JsonResponse:
    """Topics suggested for the text and the reading-list items being typed, for checkin.js."""
    ids = typed_ids(request.POST.getlist("items"))
    items = reading_choices(request.user).filter(pk__in=ids).only("pk", "title", "topic_id") if ids else []
    suggestions = suggest_topics(text=request.POST.get("body", ""), items=items)
    return JsonResponse(
        {"topics": [{"id": s.topic.pk, "name": s.topic.name, "because": s.because} for s in suggestions]}
    )


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry's card, kept as on the feed (logs.cards); whether this person may read it is
    decided by the same query as ever, on every request."""
    visible = cards.light(selectors.entries_readable_by(request.user)).select_related("author")
    visible = versions.with_versions(
        visible.only(*cards.PLACING, "whats_next", *AUTHOR_NAME), directory=versions.DIRECTORY
    )
    row = get_object_or_404(visible, pk=pk)
    shown = cards.with_cards(request.user, [row], directory=row.directory)
    if not shown:  # deleted since the row was read
        raise Http404("No such entry.")
    saved_draft = request.session.pop(SAVED_DRAFT, None)
    return render(request, "logs/entry_detail.html", {"entry": shown[0], "saved_draft": saved_draft})


def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    if request.method == "POST":
        services.entry_delete(user=request.user, entry=entry)
        messages.success(request, f"Your entry for {calendar.day_name(entry.day)} is deleted.")
        return redirect("logs:feed")
    return render(request, "logs/entry_confirm_delete.html", {"entry": entry})


# --- Participation -----------------------------------------------------------------


def _participation_team(request: HttpRequest) -> tuple[Team, list[Team]]:
    teams = list(selectors.teams_for_participation(request.user))
    if not teams:
        raise PermissionDenied("Participation is for the team's managers.")
    asked = request.GET.get("team")
    if not asked:
        return teams[0], teams
    return team_asked(teams, asked, refused="You do not manage that team."), teams


def participation(request: HttpRequest) -> HttpResponse:
    team, teams = _participation_team(request)
    today = calendar.user_today(request.user)

    def report_html() -> str:
        report = selectors.participation(team, today=today)
        context = {"report": report, "chart": participation_svg(report.days)}
        return render_to_string("logs/_participation_report.html", context)  # nothing of the viewer

    # The report shows the members' entries and days away (each member's own version) and
    # their names and when they joined (the directory's) up to the viewer's day: kept under
    # those, for every manager of the team.
    watched = versions.current(versions.DIRECTORY, *(versions.person(pk) for pk in selectors.member_ids(team)))
    report = fragments.one(fragments.key("participation", team.pk, today, *watched), report_html)
    return render(request, "logs/participation.html", {"team": team, "teams": teams, "report_html": report})


def participation_csv(request: HttpRequest) -> HttpResponse:
    team, _teams = _participation_team(request)
    report = selectors.participation(team, today=calendar.user_today(request.user))
    header = ["person", "email", *[d.day.isoformat() for d in report.days]]
    header += ["posted", "expected", "rate", "crowded_out", "posts_on_other_days"]
    rows = (
        [
            row.user.name,
            row.user.email,
            *row.cells,
            row.posted,
            row.expected,
            "" if row.rate is None else f"{row.rate:.2f}",
            row.crowded,
            row.off_day_posts,
        ]
        for row in report.rows
    )
    return csv_response(f"participation-{team.slug}-{report.days[-1].day}.csv", header, rows)


# --- My data -------------------------------------------------------------------------

EXPORT_FIELDS = ["day", "category", "hours", "body", "links", "whats_next", "crowded_out", "visibility", "created_at"]


def _my_entries(request: HttpRequest):
    return Entry.objects.filter(author=request.user).order_by("day").values(*EXPORT_FIELDS).iterator()


def export_csv(request: HttpRequest) -> HttpResponse:
    rows = ([" ".join(e[f]) if f == "links" else e[f] for f in EXPORT_FIELDS] for e in _my_entries(request))
    return csv_response("my-learning-log.csv", EXPORT_FIELDS, rows)


def export_json(request: HttpRequest) -> HttpResponse:
    entries = [
        {
            **e,
            "day": e["day"].isoformat(),
            "hours": None if e["hours"] is None else str(e["hours"]),
            "created_at": e["created_at"].isoformat(),
        }
        for e in _my_entries(request)
    ]
    response = JsonResponse({"author": request.user.email, "entries": entries}, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-learning-log.json"'
    return response


# --- The quarterly pulse question -----------------------------------------------------------


def pulse(request: HttpRequest) -> HttpResponse:
    """The pulse question on a page of its own: answer it, or change the answer, until the quarter ends."""
    user = request.user
    today = calendar.user_today(user)
    quarter = selectors.pulse_open_quarter(today=today)
    answer = selectors.pulse_answer_of(user, quarter) if quarter is not None else None
    initial = {"score": answer.score, "comment": answer.comment} if answer is not None else None
    form = PulseForm(request.POST or None, initial=initial)
    # Sent from the dashboard's card: back there once answered, after any mistake fixed here.
    from_dashboard = request.POST.get("from") == "dashboard"
    if request.method == "POST" and form.is_valid():
        try:
            services.pulse_answer(user=user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except services.LogError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Thank you. Your answer counts in this quarter's totals, never with your name on it."
            )
            return redirect("logs:dashboard" if from_dashboard else "logs:pulse")
    context = {
        "form": form,
        "quarter": quarter,
        "answer": answer,
        "opens_on": selectors.pulse_opens_on(Quarter.of(today)) if quarter is None else None,
        "from_dashboard": from_dashboard,
    }
    return render(request, "logs/pulse.html", context, status=400 if form.errors else 200)


# --- Away days -------------------------------------------------------------------------


def away(request: HttpRequest) -> HttpResponse:
    form = AwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in AwayForm.Meta.fields}
        try:
            period, first = create_once(
                user=request.user, token=form.token, create=lambda: services.away_add(user=request.user, **data)
            )
        except services.LogError as error:
            form.add_error(None, str(error))
        else:
            if not first:
                messages.info(request, ALREADY_SAVED)
            else:
                messages.success(
                    request,
                    f"Marked away from {calendar.day_name(period.start)} until {calendar.day_name(period.end)}.",
                )
            return redirect("logs:away")
    periods = Away.objects.filter(user=request.user)
    return render(request, "logs/away.html", {"form": form, "periods": periods}, status=400 if form.errors else 200)


@require_POST
def away_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Away, pk=pk, user=request.user)
    services.away_delete(user=request.user, away=period)
    messages.success(request, "The away days are removed.")
    return redirect("logs:away")


# --- Unsubscribe from reminder emails -----------------------------------------------------------


@login_not_required
@csrf_exempt  # mail clients' one-click POST (RFC 8058) has no CSRF token; the signed token is the proof
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kind = reminders.read_unsubscribe_token(token)
        person = User.objects.get(pk=user_id, is_active=True)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "logs/unsubscribe.html", {"invalid": True}, status=400)
    label = reminders.K(kind).label
    if request.method == "POST":
        services.reminder_unsubscribe(user=person, kind=kind)
        return render(request, "logs/unsubscribe.html", {"done": True, "label": label})
    return render(request, "logs/unsubscribe.html", {"label": label, "email": person.email})


# --- The calendar feed -------------------------------------------------------------------------


@login_not_required  # calendar apps cannot sign in: the secret token in the address is the proof
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    person = selectors.calendar_feed_owner(token)
    if person is None:
        raise Http404("No such calendar.")
    days = selectors.calendar_days(person, today=calendar.user_today(person))
    response = HttpResponse(
        ical.feed(person, days, stamp=timezone.now().replace(microsecond=0)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="learning-day.ics")
    # The address is a secret: no shared cache keeps it; a calendar app may reuse it for an hour.
    patch_cache_control(response, private=True, max_age=int(ical.REFRESH.total_seconds()))
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    had_one = hasattr(request.user, "calendar_feed")
    services.calendar_feed_reset(user=request.user)
    if had_one:
        messages.success(request, "Your calendar link is new and the old one no longer works: subscribe with this one.")
    else:
        messages.success(request, "Your calendar link is ready: add it to your calendar app.")
    return redirect(reverse("profile") + "#calendar-heading")
