from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress

from learningday.models import Membership, Team, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Faker("name")
    timezone = "Europe/Berlin"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.MEMBER


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "logs.Entry"

    author = factory.SubFactory(UserFactory)
    day = datetime.date(2026, 11, 19)
    body = factory.Faker("paragraph")
    category = "reading_papers"
    visibility = "teams"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reading.Item"

    kind = "paper"
    title = factory.Sequence(lambda n: f"A paper worth reading, part {n}")
    authors = factory.LazyFunction(lambda: ["Ada Lovelace", "Alan Turing"])
    year = 2019
    team = factory.SubFactory(TeamFactory)
    status = "curated"
    position = factory.Sequence(lambda n: (n + 1) * 10)
