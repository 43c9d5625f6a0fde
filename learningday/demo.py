"""Demo organisation: three teams, their managers, a dozen members, finance, leadership and an admin.

Fixed accounts so the README, the browser tests and a person trying the app can sign
in; all share the password in DEMO_PASSWORD. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from learningday.models import FINANCE_GROUP, LEADERSHIP_GROUP, Membership, Team, User

TEAMS = [("Robotics", "robotics"), ("Research", "research"), ("Applied", "applied")]
GUIDELINES = {
    "robotics": (
        "**How we use the list.** Pick one paper a month to reimplement together; post your notes in the log "
        "and link the item. Books are reimbursed: file a claim with the receipt."
    ),
}

# email, display name, time zone, team slug or None, role
PEOPLE = [
    ("manager@example.com", "Maja Schneider", "Europe/Berlin", "robotics", Membership.Role.MANAGER),
    ("member@example.com", "Tom Becker", "Europe/Berlin", "robotics", Membership.Role.MEMBER),
    ("lena@example.com", "Lena Vogel", "Europe/Berlin", "robotics", Membership.Role.MEMBER),
    ("kenji@example.com", "Kenji Sato", "Asia/Tokyo", "robotics", Membership.Role.MEMBER),
    ("felix@example.com", "Felix Wagner", "Europe/Berlin", "robotics", Membership.Role.MEMBER),
    ("research-manager@example.com", "Ravi Iyer", "Europe/London", "research", Membership.Role.MANAGER),
    ("other@example.com", "Olivia Chen", "America/Los_Angeles", "research", Membership.Role.MEMBER),
    ("aroha@example.com", "Aroha Ngata", "Pacific/Auckland", "research", Membership.Role.MEMBER),
    ("sam@example.com", "Sam Okafor", "Europe/London", "research", Membership.Role.MEMBER),
    ("noor@example.com", "Noor Haddad", "Asia/Dubai", "research", Membership.Role.MEMBER),
    ("applied-manager@example.com", "Ana Lima", "America/Sao_Paulo", "applied", Membership.Role.MANAGER),
    ("priya@example.com", "Priya Nair", "Asia/Kolkata", "applied", Membership.Role.MEMBER),
    ("jonas@example.com", "Jonas Berg", "Europe/Stockholm", "applied", Membership.Role.MEMBER),
    ("maria@example.com", "María García", "Europe/Madrid", "applied", Membership.Role.MEMBER),
    ("chloe@example.com", "Chloé Martin", "Europe/Paris", "applied", Membership.Role.MEMBER),
    ("finance@example.com", "Fiona Gruber", "Europe/Vienna", None, None),
    ("leadership@example.com", "Lea Hoffmann", "Europe/Berlin", None, None),
    ("admin@example.com", "Ada Admin", "Europe/Berlin", None, None),
]

# The accounts worth trying, as the command prints them after seeding.
DEMO_LOGINS = [
    ("member@example.com", "member of Robotics"),
    ("manager@example.com", "manager of Robotics"),
    ("other@example.com", "member of Research"),
    ("research-manager@example.com", "manager of Research"),
    ("finance@example.com", "finance"),
    ("leadership@example.com", "leadership: the organisation's impact at /impact/"),
    ("admin@example.com", "admin (Django admin at /admin/)"),
]


@transaction.atomic
def seed(*, stdout=None) -> None:
    # Everyone joined a little before the twelve weeks of demo entries begin.
    joined = timezone.now() - dt.timedelta(weeks=13)
    teams = {
        slug: Team.objects.get_or_create(slug=slug, defaults={"name": name, "guidelines": GUIDELINES.get(slug, "")})[0]
        for name, slug in TEAMS
    }
    finance, _ = Group.objects.get_or_create(name=FINANCE_GROUP)
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    created = 0
    for email, name, tz, team_slug, role in PEOPLE:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                settings.DEMO_PASSWORD,
                display_name=name,
                timezone=tz,
                is_staff=email.startswith("admin@"),
                is_superuser=email.startswith("admin@"),
                date_joined=joined,
            )
            created += 1
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if team_slug:
            Membership.objects.get_or_create(
                user=user, team=teams[team_slug], defaults={"role": role, "joined_at": joined}
            )
        if email.startswith("finance@"):
            user.groups.add(finance)
        if email.startswith("leadership@"):
            user.groups.add(leadership)
    if stdout is not None:
        stdout.write(f"learningday: {len(TEAMS)} teams, {created} new of {len(PEOPLE)} people")
