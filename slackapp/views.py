"""The one endpoint Slack calls, and the pages where a person connects their Slack user."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_bolt.adapter.django import SlackRequestHandler

from slackapp import people, services
from slackapp.bolt import bolt_app


def _require_enabled() -> None:
    if not settings.SLACK_ENABLED:
        raise Http404("The Slack app is not set up here.")


@csrf_exempt  # Slack signs its requests instead; Bolt checks the signature
@login_not_required
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    """Events, slash commands, interactivity and select options: Bolt checks and dispatches."""
    _require_enabled()
    return SlackRequestHandler(bolt_app()).handle(request)


def connect(request: HttpRequest, token: str) -> HttpResponse:
    """Tie the Slack user a link was made for to the signed-in account (asked, then posted)."""
    _require_enabled()
    try:
        slack_user_id, slack_team_id = people.read_connect_token(token)
    except signing.BadSignature:
        return render(request, "slackapp/connect_expired.html", status=400)
    if request.method == "POST":
        try:
            services.account_connect(user=request.user, slack_user_id=slack_user_id, slack_team_id=slack_team_id)
        except services.SlackAppError as error:
            messages.error(request, str(error))
            return redirect("profile")
        messages.success(request, "Your Slack user is connected: try /learned in Slack.")
        return redirect("profile")
    return render(request, "slackapp/connect.html", {"slack_user_id": slack_user_id})


@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    if services.account_disconnect(user=request.user):
        messages.success(request, "Your Slack user is no longer connected.")
    return redirect("profile")
