from __future__ import annotations

import datetime
from decimal import Decimal

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


def jpeg_bytes(color: str = "white", size: tuple[int, int] = (40, 60)) -> bytes:
    """A small real JPEG."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim in any state, written straight to the table (the services are tested on their own)."""

    class Meta:
        model = "reimbursements.Claim"
        skip_postgeneration_save = True

    claimant = factory.SubFactory(UserFactory)
    kind = "book"
    description = factory.Sequence(lambda n: f"A useful book, volume {n}")
    purchase_date = datetime.date(2026, 11, 10)
    amount = factory.LazyFunction(lambda: __import__("decimal").Decimal("30.00"))
    currency = "EUR"
    home_amount = factory.LazyAttribute(lambda o: o.amount)
    state = "draft"

    @factory.post_generation
    def with_receipt(self, create, extracted, **kwargs):
        if create and extracted:
            from django.core.files.base import ContentFile

            from reimbursements.models import Receipt
            from reimbursements.receipts import process_receipt

            processed = process_receipt(
                data=extracted if isinstance(extracted, bytes) else jpeg_bytes(), filename="r.jpg"
            )
            receipt = Receipt(
                claim=self, content_type=processed.content_type, size=processed.size, sha256=processed.sha256
            )
            receipt.file.save("receipt.jpg", ContentFile(processed.content), save=False)
            if processed.thumbnail:
                receipt.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
            receipt.save()


def claim_data(**overrides):
    """What a claim form hands the services: a €24.00 book bought on 20 November 2026."""
    from reimbursements.services import ClaimData

    return ClaimData(
        **{
            "kind": "book",
            "description": "The Book of Why",
            "purchase_date": datetime.date(2026, 11, 20),
            "amount": Decimal("24.00"),
            "currency": "EUR",
            **overrides,
        }
    )
