"""Every URL of the site, asked by every role: the answer each role gets, in one table.

``test_every_url_has_a_row`` walks the URLconf and fails for a URL that has no row here:
a new page is not done until someone has written down who may open it.

``test_each_role_gets_what_the_matrix_says`` makes the people and the objects once, asks
every (row, role), and fails once with the list of every answer that differs. Each request
runs in a savepoint that is rolled back, so an approve or a delete by one role does not
change what the next role sees; a refused request must leave every object as it was.

Roles: the *member* owns the objects (author of the entry, suggester of the reading item,
claimant of the claim); the *teammate* is another member of the member's team (Robotics);
the *outsider* a member of another team (Research); the *manager* manages Robotics; the
*other manager* manages Research; *finance* is in the finance group and no team; *admin*
is staff and superuser, in no team: the admin is for the Django admin, not a way around
the site's rules; *leadership* is in the leadership group and no team: everywhere a member of
no team, like finance without the finance pages, and the whole organisation's /impact/.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from learningday.models import LEADERSHIP_GROUP, Membership
from logs.models import Away, Entry
from reading.models import Endorsement, Item, Progress
from reimbursements.models import Claim, Receipt
from reimbursements.pending import pending_receipt_keep
from reimbursements.receipts import process_receipt
from tests.factories import ClaimFactory, EntryFactory, ItemFactory, MembershipFactory, UserFactory, jpeg_bytes

ROLES = ("anonymous", "member", "teammate", "outsider", "manager", "other_manager", "finance", "admin", "leadership")
LOGIN = "/accounts/login/"

# Texts that only the people who may see an object may read; a refused page shows none.
SECRETS = (
    "Secret entry about Bayesian optimisation",
    "Secret suggestion: Deep Sets",
    "Secret claim for The Book of Why",
)


@dataclass(frozen=True)
class Row:
    """One request and the status each role gets, in ROLES order.

    ``args`` names the objects that fill the URL's parameters (see ``_objects``). For the
    anonymous visitor, 302 means "sent to the login page", and that is checked.
    """

    name: str
    statuses: tuple[int, ...]
    method: str = "get"
    args: tuple[str, ...] = ()
    query: str = ""
    data: dict = field(default_factory=dict)


def get(name, *statuses, args=(), query=""):
    return Row(name, statuses, "get", tuple(args), query)


def post(name, *statuses, args=(), data=None):
    return Row(name, statuses, "post", tuple(args), "", data or {})


# Shorthands for the common columns.
EVERYONE = (302, 200, 200, 200, 200, 200, 200, 200, 200)  # any signed-in person
GET_ON_POST_ONLY = (302, 405, 405, 405, 405, 405, 405, 405, 405)  # change views answer POST only
PUBLIC_ENTRANCE = (200, 302, 302, 302, 302, 302, 302, 302, 302)  # allauth sends a signed-in person on
SIGN_IN_AGAIN = (302, 302, 302, 302, 302, 302, 302, 302, 302)  # allauth asks for the password again first

ITEM = ("item",)
SUGGESTION = ("suggestion",)
CLAIM = ("claim",)

# fmt: off
MATRIX = [
    #                                       anon member mate  out   mgr  omgr  fin  admin lead
    # --- logs: the dashboard, the feed, one entry, participation, my data, away days ---
    get("logs:dashboard",                   *EVERYONE),
    get("logs:feed",                        *EVERYONE),
    get("logs:new",                         *EVERYONE),
    get("logs:preview",                     *GET_ON_POST_ONLY),
    post("logs:preview",                    *EVERYONE, data={"body": "**Kalman** filters"}),  # renders, saves nothing
    get("logs:topics",                      *GET_ON_POST_ONLY),
    post("logs:topics",                     *EVERYONE, data={"body": "Bayesian optimisation"}),  # saves nothing
    get("logs:detail",                      302, 200, 200, 404, 200, 404, 404, 404, 404, args=["entry"]),
    get("logs:edit",                        302, 200, 403, 404, 403, 404, 404, 404, 404, args=["entry"]),
    post("logs:edit",                       302, 200, 403, 404, 403, 404, 404, 404, 404, args=["entry"]),
    get("logs:delete",                      302, 200, 403, 404, 403, 404, 404, 404, 404, args=["entry"]),
    post("logs:delete",                     302, 302, 403, 404, 403, 404, 404, 404, 404, args=["entry"]),
    # Participation is the team's managers' view; finance and admin manage no team (see README).
    get("logs:participation",               302, 403, 403, 403, 200, 403, 403, 403, 403, query="team=robotics"),
    get("logs:participation_csv",           302, 403, 403, 403, 200, 403, 403, 403, 403, query="team=robotics"),
    get("logs:participation",               302, 403, 403, 403, 200, 200, 403, 403, 403),  # each manager's own team
    get("logs:export_csv",                  *EVERYONE),  # each person's own entries only
    get("logs:export_json",                 *EVERYONE),
    get("logs:away",                        *EVERYONE),
    # The pulse question: each person answers for themselves (no id in the address), and no
    # page shows anyone's answer but their own.
    get("logs:pulse",                       *EVERYONE),
    post("logs:pulse",                      302, 302, 302, 302, 302, 302, 302, 302, 302, data={"score": "4"}),
    post("logs:pulse",                      302, 400, 400, 400, 400, 400, 400, 400, 400, data={"score": "9"}),
    get("logs:away_delete",                 *GET_ON_POST_ONLY, args=["away"]),
    post("logs:away_delete",                302, 302, 404, 404, 404, 404, 404, 404, 404, args=["away"]),
    # The signed token is the proof, whoever is signed in (a one-click link in an email).
    get("logs:unsubscribe",                 200, 200, 200, 200, 200, 200, 200, 200, 200, args=["token"]),
    post("logs:unsubscribe",                200, 200, 200, 200, 200, 200, 200, 200, 200, args=["token"]),
    get("logs:unsubscribe",                 400, 400, 400, 400, 400, 400, 400, 400, 400, args=["bad_token"]),
    # The member's calendar feed: calendar apps cannot sign in, so the secret token is the proof.
    get("logs:calendar_feed",               200, 200, 200, 200, 200, 200, 200, 200, 200, args=["calendar_token"]),
    get("logs:calendar_feed",               404, 404, 404, 404, 404, 404, 404, 404, 404, args=["bad_token"]),
    post("logs:calendar_feed",              405, 405, 405, 405, 405, 405, 405, 405, 405, args=["calendar_token"]),
    # Each person resets their own link only (it takes no id).
    get("logs:calendar_reset",              *GET_ON_POST_ONLY),
    post("logs:calendar_reset",             302, 302, 302, 302, 302, 302, 302, 302, 302),
    # --- reading: the lists, a curated item and an open suggestion of the member's ---
    get("reading:list",                     *EVERYONE),
    get("reading:list",                     *EVERYONE, query="team=robotics&status=suggested"),
    get("reading:mine",                     *EVERYONE),
    get("reading:new",                      302, 200, 200, 200, 200, 200, 403, 403, 403),  # fin, admin, lead: no team
    get("reading:import",                   302, 200, 200, 200, 200, 200, 403, 403, 403),
    get("reading:export_bib",               *EVERYONE),
    get("reading:export_csv",               *EVERYONE),
    get("reading:export_csv",               302, 200, 200, 403, 200, 403, 403, 403, 403, query="team=robotics"),
    get("reading:detail",                   302, 200, 200, 404, 200, 404, 404, 404, 404, args=ITEM),
    get("reading:detail",                   302, 200, 404, 404, 200, 404, 404, 404, 404, args=SUGGESTION),
    get("reading:edit",                     302, 403, 403, 404, 200, 404, 404, 404, 404, args=ITEM),
    get("reading:edit",                     302, 200, 404, 404, 200, 404, 404, 404, 404, args=SUGGESTION),
    post("reading:edit",                    302, 200, 404, 404, 200, 404, 404, 404, 404, args=SUGGESTION),
    get("reading:curate",                   *GET_ON_POST_ONLY, args=SUGGESTION),
    post("reading:curate",                  302, 403, 404, 404, 302, 404, 404, 404, 404, args=SUGGESTION),
    get("reading:reject",                   302, 403, 404, 404, 200, 404, 404, 404, 404, args=SUGGESTION),
    post("reading:reject",                  302, 403, 404, 404, 302, 404, 404, 404, 404, args=SUGGESTION,
         data={"reason": "Not for this list."}),
    get("reading:move",                     *GET_ON_POST_ONLY, args=ITEM),
    post("reading:move",                    302, 403, 403, 404, 302, 404, 404, 404, 404, args=ITEM,
         data={"direction": "down"}),
    get("reading:endorse",                  *GET_ON_POST_ONLY, args=ITEM),
    post("reading:endorse",                 302, 302, 302, 404, 302, 404, 404, 404, 404, args=ITEM),
    get("reading:progress",                 *GET_ON_POST_ONLY, args=ITEM),
    post("reading:progress",                302, 302, 302, 404, 302, 404, 404, 404, 404, args=ITEM,
         data={"state": "reading"}),
    # A team's home topics: its managers (and administrators) set them; other members of the
    # team are refused, everyone else learns nothing of the page.
    get("reading:home_topics",              302, 403, 403, 404, 200, 404, 404, 200, 404, args=["team_slug"]),
    post("reading:home_topics",             302, 403, 403, 404, 302, 404, 404, 302, 404, args=["team_slug"]),
    get("reading:home_topics",              302, 404, 404, 404, 404, 404, 404, 404, 404, args=["no_team"]),
    # --- claims: a submitted claim of the member's, with one receipt ---
    get("claims:mine",                      *EVERYONE),
    get("claims:new",                       *EVERYONE),
    get("claims:review",                    302, 403, 403, 403, 200, 200, 200, 403, 403),
    get("claims:finance",                   302, 403, 403, 403, 403, 403, 200, 403, 403),
    get("claims:export",                    302, 403, 403, 403, 403, 403, 200, 403, 403),
    get("claims:mark_paid",                 *GET_ON_POST_ONLY),
    post("claims:mark_paid",                302, 403, 403, 403, 403, 403, 302, 403, 403,
         data={"claims": "@claim", "reference": "LD-1"}),  # not approved: finance is told, nothing is paid
    get("claims:approve_many",              *GET_ON_POST_ONLY),
    # The other manager and finance may use the queue, but the member's claim is not theirs:
    # sent back to the queue with a message, nothing approved (checked in test_review_queue).
    # Just before the claim's page: the manager's message names the claim, which they may see.
    post("claims:approve_many",             302, 403, 403, 403, 302, 302, 302, 403, 403,
         data={"claims": "@claim"}),
    get("claims:detail",                    302, 200, 404, 404, 200, 404, 404, 404, 404, args=CLAIM),
    get("claims:edit",                      302, 302, 404, 404, 403, 404, 404, 404, 404, args=CLAIM),
    get("claims:submit",                    *GET_ON_POST_ONLY, args=CLAIM),
    post("claims:submit",                   302, 302, 404, 404, 403, 404, 404, 404, 404, args=CLAIM),
    get("claims:withdraw",                  *GET_ON_POST_ONLY, args=CLAIM),
    post("claims:withdraw",                 302, 302, 404, 404, 403, 404, 404, 404, 404, args=CLAIM),
    get("claims:approve",                   *GET_ON_POST_ONLY, args=CLAIM),
    post("claims:approve",                  302, 403, 404, 404, 302, 404, 404, 404, 404, args=CLAIM),
    get("claims:reject",                    *GET_ON_POST_ONLY, args=CLAIM),
    post("claims:reject",                   302, 403, 404, 404, 302, 404, 404, 404, 404, args=CLAIM,
         data={"reason": "Not a book."}),
    get("claims:changes",                   *GET_ON_POST_ONLY, args=CLAIM),
    post("claims:changes",                  302, 403, 404, 404, 302, 404, 404, 404, 404, args=CLAIM,
         data={"note": "A clearer receipt, please."}),
    get("claims:receipt",                   302, 200, 404, 404, 200, 404, 404, 404, 404, args=CLAIM),
    get("claims:receipt_file",              302, 200, 404, 404, 200, 404, 404, 404, 404, args=["claim", "receipt"]),
    get("claims:receipt_delete",            *GET_ON_POST_ONLY, args=["claim", "receipt"]),
    post("claims:receipt_delete",           302, 302, 404, 404, 403, 404, 404, 404, 404, args=["claim", "receipt"]),
    # What a receipt kept on the member's claim form proposes (JSON for the form's script): theirs only.
    get("claims:pending_reading",           302, 200, 404, 404, 404, 404, 404, 404, 404, args=["pending"]),
    # --- growth: each person's own year of learning, and only their own ---
    get("growth:mine",                      *EVERYONE),
    # --- growth: the organisation's impact, for the leadership group (every team) and for
    # managers (their own teams only: another team's filter is refused, an unknown one is 404) ---
    get("growth:impact",                    302, 403, 403, 403, 200, 200, 403, 403, 200),
    get("growth:impact",                    302, 403, 403, 403, 200, 403, 403, 403, 200, query="team=robotics"),
    get("growth:impact",                    302, 403, 403, 403, 404, 404, 403, 403, 404, query="team=nowhere"),
    get("growth:impact_csv",                302, 403, 403, 403, 200, 200, 403, 403, 200),
    get("growth:impact_csv",                302, 403, 403, 403, 200, 403, 403, 403, 200,
        query="team=robotics&table=deaths"),
    # --- the project's own pages ---
    get("profile",                          *EVERYONE),
    get("healthz",                          200, 200, 200, 200, 200, 200, 200, 200, 200),
    # --- Slack: Slack itself calls /slack/events, signed; a person connects their Slack user ---
    post("slackapp:events",                 401, 401, 401, 401, 401, 401, 401, 401, 401),  # unsigned
    get("slackapp:events",                  405, 405, 405, 405, 405, 405, 405, 405, 405),
    get("slackapp:connect",                 *EVERYONE, args=["slack_token"]),
    post("slackapp:connect",                302, 302, 302, 302, 302, 302, 302, 302, 302, args=["slack_token"]),
    get("slackapp:connect",                 302, 400, 400, 400, 400, 400, 400, 400, 400, args=["bad_token"]),
    get("slackapp:disconnect",              *GET_ON_POST_ONLY),
    post("slackapp:disconnect",             302, 302, 302, 302, 302, 302, 302, 302, 302),
    # A team's Slack channel: its managers and administrators pick it; the team is no secret.
    get("slackapp:team_channel",            302, 403, 403, 403, 200, 403, 403, 200, 403, args=["team_slug"]),
    post("slackapp:team_channel",           302, 403, 403, 403, 302, 403, 403, 302, 403, args=["team_slug"],
         data={"channel": "C0LEARN"}),
    get("slackapp:team_channel",            302, 404, 404, 404, 404, 404, 404, 404, 404, args=["no_team"]),
    # --- accounts (django-allauth): the way in, and each person's own account ---
    # The way in is public; a signed-in person is sent on. Pages about "my account" need a
    # login and act on the signed-in person only (they take no id), so every role gets the same.
    get("account_login",                    *PUBLIC_ENTRANCE),
    get("account_signup",                   *PUBLIC_ENTRANCE),
    get("account_logout",                   302, 200, 200, 200, 200, 200, 200, 200, 200),  # a confirm form
    get("account_inactive",                 200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("account_reauthenticate",           *EVERYONE),
    get("account_email",                    *EVERYONE),
    get("account_email_verification_sent",  200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("account_confirm_email",            200, 200, 200, 200, 200, 200, 200, 200, 200, args=["key"]),  # "invalid"
    get("account_change_password",          *EVERYONE),
    get("account_set_password",             302, 302, 302, 302, 302, 302, 302, 302, 302),  # they have one: to change
    get("account_reset_password",           200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("account_reset_password_done",      200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("account_reset_password_from_key",  200, 200, 200, 200, 200, 200, 200, 200, 200, args=["uidb36", "key"]),
    get("account_reset_password_from_key_done", 200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("account_confirm_login_code",       302, 302, 302, 302, 302, 302, 302, 302, 302),  # no code was asked for
    get("mfa_index",                        *EVERYONE),
    get("mfa_authenticate",                 302, 302, 302, 302, 302, 302, 302, 302, 302),  # only mid-login
    get("mfa_reauthenticate",               302, 302, 302, 302, 302, 302, 302, 302, 302),  # no second factor yet
    get("mfa_activate_totp",                *SIGN_IN_AGAIN),
    get("mfa_deactivate_totp",              302, 404, 404, 404, 404, 404, 404, 404, 404),  # none to deactivate
    get("mfa_view_recovery_codes",          302, 404, 404, 404, 404, 404, 404, 404, 404),
    get("mfa_generate_recovery_codes",      *SIGN_IN_AGAIN),
    get("mfa_download_recovery_codes",      302, 404, 404, 404, 404, 404, 404, 404, 404),
    get("socialaccount_connections",        *EVERYONE),
    get("socialaccount_login_cancelled",    200, 200, 200, 200, 200, 200, 200, 200, 200),
    get("socialaccount_login_error",        302, 401, 401, 401, 401, 401, 401, 401, 401),
    get("socialaccount_signup",             302, 302, 302, 302, 302, 302, 302, 302, 302),  # only mid-signup
    get("openid_connect_login",             404, 404, 404, 404, 404, 404, 404, 404, 404, args=["provider"]),
    get("openid_connect_callback",          404, 404, 404, 404, 404, 404, 404, 404, 404, args=["provider"]),
    # allauth's old /accounts/social/ paths, kept as redirects to /accounts/3rdparty/.
    get("accounts/social/login/cancelled/", 302, 301, 301, 301, 301, 301, 301, 301, 301),
    get("accounts/social/login/error/",     302, 301, 301, 301, 301, 301, 301, 301, 301),
    get("accounts/social/signup/",          302, 301, 301, 301, 301, 301, 301, 301, 301),
    get("accounts/social/connections/",     302, 301, 301, 301, 301, 301, 301, 301, 301),
]
# fmt: on

# Django's admin makes its own URLs for every registered model and wraps each view in
# AdminSite.admin_view, which lets only active staff in. They have no rows above; instead
# the admin's index and every model's list are asked by every role below.
ADMIN_PREFIX = "admin/"
ADMIN_STATUSES = (302, 302, 302, 302, 302, 302, 302, 200, 302)


# --- The URLconf ---------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None, keys=()):
    """(route, namespace, pattern, its parameters in the order they appear) for every URL."""
    for pattern in patterns:
        here = keys + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace, here)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern, here


@functools.cache
def _routes() -> tuple:
    return tuple(_walk(get_resolver().url_patterns))


def site_urls() -> dict[str, str]:
    """Every URL of the site outside the Django admin: its name (or, unnamed, its route) → route."""
    urls = {}
    for route, namespace, pattern, _keys in _routes():
        if route.startswith(ADMIN_PREFIX):
            continue
        if pattern.name:
            urls[f"{namespace}:{pattern.name}" if namespace else pattern.name] = route
        else:
            urls[route] = route
    return urls


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(f"{name}  ({route})" for name, route in site_urls().items() if name not in ROW_NAMES)
    assert not missing, (
        "These URLs have no row in tests/test_permissions.py's MATRIX; add one that says what each "
        "role gets:\n  " + "\n  ".join(missing)
    )


def test_every_row_is_a_url_of_the_site():
    assert not ROW_NAMES - set(site_urls()), "rows for URLs that are gone"


def test_every_row_has_a_status_for_each_role():
    assert [row for row in MATRIX if len(row.statuses) != len(ROLES)] == []


ROW_NAMES = {row.name for row in MATRIX}


# --- The people and their objects ------------------------------------------------------


@pytest.fixture
def people(member, manager, outsider, finance_user, staff_user, team, other_team):
    leadership = UserFactory(email="leadership@example.com", display_name="Lea Leadership")
    leadership.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    teammate = UserFactory(email="teammate@example.com", display_name="Tara Teammate")
    MembershipFactory(user=teammate, team=team)
    other_manager = UserFactory(email="research-manager@example.com", display_name="Rui Research")
    MembershipFactory(user=other_manager, team=other_team, role=Membership.Role.MANAGER)
    return {
        "anonymous": None,
        "member": member,
        "teammate": teammate,
        "outsider": outsider,
        "manager": manager,
        "other_manager": other_manager,
        "finance": finance_user,
        "admin": staff_user,
        "leadership": leadership,
    }


def _pending_receipt(member):
    return pending_receipt_keep(user=member, processed=process_receipt(data=jpeg_bytes("red"), filename="kept.jpg"))


def _objects(member, team) -> dict[str, object]:
    from logs.reminders import unsubscribe_token
    from logs.services import calendar_feed_reset
    from slackapp.people import connect_token

    entry = EntryFactory(author=member, body=SECRETS[0], visibility=Entry.Visibility.TEAMS)
    claim = ClaimFactory(claimant=member, state=Claim.State.SUBMITTED, description=SECRETS[2], with_receipt=True)
    return {
        "entry": entry,
        "item": ItemFactory(team=team, title="Attention is all you need", suggested_by=member),
        "suggestion": ItemFactory(team=team, title=SECRETS[1], status=Item.Status.SUGGESTED, suggested_by=member),
        "claim": claim,
        "receipt": claim.receipts.get(),
        "pending": _pending_receipt(member),
        "away": Away.objects.create(user=member, start=entry.day, end=entry.day),
        "token": unsubscribe_token(member, "morning"),
        "bad_token": "not-a-token",
        "calendar_token": calendar_feed_reset(user=member).token,
        "slack_token": connect_token("U1", "T0LEARN"),
        "team_slug": team.slug,
        "no_team": "no-such-team",
        "key": "not-a-key",
        "uidb36": "1",
        "provider": "no-such-provider",
    }


def _state(objects: dict) -> list:
    """Every row a refused request must leave alone, as the database has it."""
    snapshot = []
    for name, model in (("entry", Entry), ("item", Item), ("suggestion", Item), ("claim", Claim), ("away", Away)):
        snapshot.append(list(model.objects.filter(pk=objects[name].pk).values()))
    snapshot.append(list(Receipt.objects.filter(claim=objects["claim"]).values_list("pk", flat=True)))
    snapshot.append(list(objects["claim"].events.values_list("pk", flat=True)))
    snapshot.append(sorted(Item.objects.values_list("pk", "position")))
    for model in (Progress, Endorsement):
        snapshot.append(list(model.objects.values_list("pk", flat=True)))
    return snapshot


def _url(row: Row, objects: dict) -> str:
    if "/" in row.name:  # an unnamed route
        return "/" + row.name
    keys = next(keys for _route, ns, p, keys in _routes() if _name(ns, p) == row.name)
    values = [objects[arg] for arg in row.args]
    kwargs = {key: getattr(value, "pk", value) for key, value in zip(keys, values, strict=True)}
    return reverse(row.name, kwargs=kwargs) + (f"?{row.query}" if row.query else "")


def _needs_login(row: Row) -> bool:
    """Whether the row's view is behind LoginRequiredMiddleware (not marked @login_not_required)."""
    if "/" in row.name:
        return True
    view = next(p.callback for _route, ns, p, _keys in _routes() if _name(ns, p) == row.name)
    return getattr(view, "login_required", True)


def _data(row: Row, objects: dict) -> dict:
    """The form data, with "@name" standing for that object's id."""
    return {k: objects[v[1:]].pk if str(v).startswith("@") else v for k, v in row.data.items()}


def _name(namespace, pattern) -> str | None:
    if not pattern.name:
        return None
    return f"{namespace}:{pattern.name}" if namespace else pattern.name


def _ask(client: Client, row: Row, url: str, objects: dict) -> tuple[int | str, str]:
    """The status, and what went wrong besides it (a leak, a change, a wrong redirect)."""
    changes = row.method == "post"
    with transaction.atomic():
        before = _state(objects) if changes else None
        try:
            response = getattr(client, row.method)(url, _data(row, objects))
        except Exception as error:  # a server error or an invalid page: report it with the rest
            return f"{type(error).__name__}: {str(error).splitlines()[0]}", ""
        finally:
            cache.clear()
        problem = ""
        to_login = response.get("Location", "").startswith(f"{LOGIN}?next=")
        if client.session.is_empty() and response.status_code == 302 and _needs_login(row) and not to_login:
            problem = f"sent to {response['Location']}, not to the login page"
        if response.status_code in {403, 404, 405}:
            if changes and _state(objects) != before:
                problem = "refused, yet something changed"
            content = b"".join(response) if response.streaming else response.content
            if leaked := [s for s in SECRETS if s.encode() in content]:
                problem = f"refused, yet shows {leaked}"
        transaction.set_rollback(True)
    return response.status_code, problem


@pytest.mark.frozen
def test_each_role_gets_what_the_matrix_says(people, team, member, slack_api):
    objects = _objects(member, team)
    clients = {}
    for role, person in people.items():
        clients[role] = Client()
        if person is not None:
            clients[role].force_login(person)
    mismatches, asked = [], 0
    for row in MATRIX:
        url = _url(row, objects)
        for role, expected in zip(ROLES, row.statuses, strict=True):
            status, problem = _ask(clients[role], row, url, objects)
            asked += 1
            if status != expected or problem:
                mismatches.append(f"{row.method.upper()} {url} as {role}: {status}, expected {expected} {problem}")
    assert not mismatches, f"{len(mismatches)} of {asked} answers differ from the matrix:\n" + "\n".join(mismatches)


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_only_staff_reach_the_admin(people):
    clients = {}
    for role, person in people.items():
        clients[role] = Client()
        if person is not None:
            clients[role].force_login(person)
    mismatches = []
    for url in _admin_urls():
        for role, expected in zip(ROLES, ADMIN_STATUSES, strict=True):
            response = clients[role].get(url)
            if response.status_code != expected:
                mismatches.append(f"GET {url} as {role}: {response.status_code}, expected {expected}")
            elif expected == 302 and response["Location"].split("?")[0] not in {LOGIN, reverse("admin:login")}:
                mismatches.append(f"GET {url} as {role}: sent to {response['Location']}")
    assert not mismatches, "\n".join(mismatches)
