"""/impact/: the organisation's impact, for the leadership group (every team) and for managers
(their own teams); everyone else gets 403. The figures come from growth.impact."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from growth import impact as selectors
from growth.impact_charts import deaths_svg, participation_year_svg
from learningday import calendar, fragments, versions
from learningday.exports import csv_response
from learningday.models import Team
from learningday.views import team_asked


def _scope(request: HttpRequest) -> tuple[list[Team], list[Team], Team | None]:
    """(the teams shown, the teams the person may pick from, the team picked or None).

    A team filter naming a team the person may not see is refused: 403 when it exists, 404
    when it does not, and never its figures."""
    allowed = selectors.impact_teams(request.user)
    if allowed is None:
        raise PermissionDenied("The impact page is for the leadership group and for managers.")
    teams = list(allowed)
    asked = request.GET.get("team")
    if not asked:
        return teams, teams, None
    team = team_asked(teams, asked, refused="That team's figures are not yours to see.")
    return [team], teams, team


def impact(request: HttpRequest) -> HttpResponse:
    shown, teams, picked = _scope(request)
    everyone = request.user.is_leadership and picked is None
    today = calendar.user_today(request.user)
    team_page = Paginator(shown, selectors.TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    run = selectors.last_run()
    directory, activity = versions.current(versions.DIRECTORY, versions.ACTIVITY)
    role = "leadership" if request.user.is_leadership else "manager"
    # The team filter lists every team in scope (200 for the leadership at 5,000 people): the
    # same for the same teams, names and pick, so kept under those.
    scope_ids = "all" if request.user.is_leadership else "-".join(str(t.pk) for t in teams)
    team_select = fragments.one(
        fragments.key("impact-teams", directory, role, scope_ids, picked.pk if picked else ""),
        lambda: render_to_string(
            "growth/_impact_team_select.html",
            {"teams": teams, "picked": picked, "leadership": request.user.is_leadership},
        ),
    )
    context = {"run": run, "picked": picked, "team_select": team_select}
    if run is not None:
        build = partial(
            _report_html,
            request,
            run=run,
            shown=shown,
            everyone=everyone,
            today=today,
            team_page=team_page,
            picked=picked,
        )
        # The report shows the summaries (the run's version), the names beside them (the
        # directory's) and, for some teams, money, reading and the pulse added up live (the
        # activity's), for the teams in scope, the pages asked for and the day's quarter and
        # year: it is kept under exactly those, so a key never serves another scope.
        scope = "organisation" if everyone else "-".join([role, *(str(pk) for pk in sorted(t.pk for t in shown))])
        key = fragments.key(
            "impact",
            run.version,
            directory,
            activity,
            scope,
            today,
            team_page.number,
            "page" in request.GET,
            request.GET.get("people", "")[:12],
        )
        context["report_html"] = fragments.one(key, build)
    return render(request, "growth/impact.html", context)


def _href(params: dict[str, object], **changes) -> str:
    return "?" + urlencode({**params, **changes})


def _report_html(request, *, run, shown, everyone, today, team_page, picked) -> str:
    """The report below the page's header (templates/growth/_impact_report.html)."""
    people = request.GET.get("people") or 1
    report = selectors.impact(
        request.user,
        teams=shown,
        everyone=everyone,
        today=today,
        page_teams=list(team_page.object_list),
        people_page=people,
        run=run,
    )
    # Links keep the team picked and the pages asked for, and nothing else of the address.
    kept: dict[str, object] = {"team": picked.slug} if picked else {}
    if "page" in request.GET:
        kept["page"] = team_page.number
    people_page = report.pickups.page
    if "people" in request.GET and people_page is not None:
        kept["people"] = people_page.number
    links = {}
    if team_page.has_previous():
        links["teams_prev"] = _href(kept, page=team_page.previous_page_number())
    if team_page.has_next():
        links["teams_next"] = _href(kept, page=team_page.next_page_number())
    if people_page is not None and people_page.has_previous():
        links["people_prev"] = _href(kept, people=people_page.previous_page_number()) + "#impact-people-heading"
    if people_page is not None and people_page.has_next():
        links["people_next"] = _href(kept, people=people_page.next_page_number()) + "#impact-people-heading"
    context = {
        "report": report,
        "picked": picked,
        # The row of every team shown together: the team picked, or all of them.
        "scope_label": picked.name if picked else "All teams" if request.user.is_leadership else "All my teams",
        "team_page": team_page,
        "links": links,
        "csv_tables": CSV_LABELS,
        "home_currency": settings.HOME_CURRENCY,
        "annual_budget": settings.ANNUAL_LEARNING_BUDGET,
        "participation_chart": participation_year_svg(report.days),
        "deaths_chart": deaths_svg(report.quarters, [tally for _p, tally in report.quarter_totals]),
    }
    # Without the request: a kept piece must not depend on context processors (the viewer).
    return render_to_string("growth/_impact_report.html", context)


def _rate(rate) -> str:
    return "" if rate is None else f"{rate:.2f}"


# table= → (the CSV's header, its rows from the report). The page's tables, one CSV each.
def _participation(report):
    header = ["team", "month", "expected", "posted", "rate"]
    rows = [
        [row.team.name, period.label, tally.expected, tally.posted, _rate(tally.rate)]
        for row in report.by_month
        for period, tally in zip(report.months, row.periods, strict=True)
    ]
    return header, rows


def _learning_days(report):
    header = ["learning_day", "expected", "posted", "crowded_out", "posts_on_other_days", "rate"]
    rows = [
        [p.day.isoformat(), p.tally.expected, p.tally.posted, p.tally.crowded, p.tally.other_days, _rate(p.tally.rate)]
        for p in report.days
    ]
    return header, rows


def _outside(report):
    header = ["team", "entries_with_topic_counted", "outside_home_topics", "percent_outside"]
    rows = [
        [row.team.name, row.total.counted, row.total.outside, row.total.share.percent if row.total.counted else ""]
        for row in report.by_month
    ]
    return header, rows


def _deaths(report):
    header = ["team", "quarter", "expected", "no_post", "posts_on_other_days", "crowded_out"]
    rows = [
        [row.team.name, period.label, tally.expected, tally.missed, tally.other_days, tally.crowded]
        for row in report.by_quarter
        for period, tally in zip(report.quarters, row.periods, strict=True)
    ]
    return header, rows


def _pickups(report):
    header = ["field", "people"]
    return header, [list(f) for f in report.pickups.fields]


def _money(report):
    header = ["group", "name", "members", "spent", "budget"]
    rows = [["topic", name, "", total, ""] for name, total in report.money.by_topic]
    rows += [["team", team.name, members, spent, budget] for team, members, spent, budget in report.money.by_team]
    return header, rows


def _reading(report):
    header = ["list", "title", "people"]
    rows = [["most_read", title, n] for title, n in report.most_read]
    rows += [["most_endorsed", title, n] for title, n in report.most_endorsed]
    return header, rows


CSV_TABLES = {
    "participation": _participation,
    "learning-days": _learning_days,
    "outside": _outside,
    "deaths": _deaths,
    "fields": _pickups,
    "money": _money,
    "reading": _reading,
}

CSV_LABELS = [
    ("participation", "participation by month"),
    ("learning-days", "by Learning Day"),
    ("deaths", "lost Learning Days"),
    ("outside", "outside the field"),
    ("fields", "fields picked up"),
    ("money", "money"),
    ("reading", "reading"),
]


def impact_csv(request: HttpRequest) -> HttpResponse:
    """One of the page's tables as CSV: ``table=`` one of CSV_TABLES (participation by
    default), with the page's own ``team=`` filter and permissions."""
    table = request.GET.get("table") or "participation"
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    shown, _teams, picked = _scope(request)
    everyone = request.user.is_leadership and picked is None
    today = calendar.user_today(request.user)
    report = selectors.impact(request.user, teams=shown, everyone=everyone, today=today)
    if report.run is None:
        header, rows = ["note"], [["Not computed yet"]]
    else:
        header, rows = CSV_TABLES[table](report)
    scope = picked.slug if picked else "organisation" if request.user.is_leadership else "my-teams"
    return csv_response(f"impact-{table}-{scope}.csv", header, rows)
