from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from learningday import parsing, services
from learningday.forms import ProfileForm
from learningday.models import Team

log = logging.getLogger(__name__)


def team_asked(teams: list[Team], asked: str, *, refused: str) -> Team:
    """The team a ``?team=<slug>`` names among ``teams``, the ones this person may see. A team
    outside them is refused without showing anything of it: 403 with ``refused`` when it
    exists, 404 when it does not."""
    slug = parsing.parse_slug(asked)
    team = next((t for t in teams if t.slug == slug), None)
    if team is None:
        if slug and Team.objects.filter(slug=slug).exists():
            raise PermissionDenied(refused)
        raise Http404("No such team.")
    return team


def profile(request: HttpRequest) -> HttpResponse:
    # Slack may carry reminders once the app is on and the person has connected their Slack
    # user (the Slack app's SlackAccount, found by its reverse name: this app imports no other).
    slack = settings.SLACK_ENABLED and hasattr(request.user, "slack_account")
    form = ProfileForm(request.POST or None, instance=request.user, slack=slack)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=request.user, data=form.profile_data(), slack=slack)
        except services.LearningDayError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    return render(request, "learningday/profile.html", {"form": form}, status=400 if form.errors else 200)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.exception("healthz: database unreachable")
        return False


def _broker_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        log.exception("healthz: broker unreachable")
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database (and broker, if any) answer."""
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["broker"] = _broker_ok()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "fail", **{k: "ok" if v else "fail" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
