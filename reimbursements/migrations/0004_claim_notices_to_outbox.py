"""Copy the claim notices into the outbox (learningday.OutboxMessage), so that nothing
sent before the deploy goes out again after it. 0005 drops the old table.

A notice was kept by address; the outbox keeps the person. A notice whose address no
longer belongs to anyone is not copied: nobody of that address can be sent it again.
"""

from django.db import migrations
from django.db.models.functions import Lower
from django.utils import timezone

BATCH = 2000


def forward(apps, schema_editor):
    ClaimNotice = apps.get_model("reimbursements", "ClaimNotice")
    OutboxMessage = apps.get_model("learningday", "OutboxMessage")
    User = apps.get_model("learningday", "User")
    people = dict(User.objects.annotate(address=Lower("email")).values_list("address", "pk"))
    now = timezone.now()
    rows = []
    for notice in ClaimNotice.objects.select_related("event").order_by("pk").iterator(chunk_size=BATCH):
        user_id = people.get(notice.email.lower())
        if user_id is None:
            continue
        rows.append(
            OutboxMessage(
                channel="email",
                kind="claim_notice",
                key=f"event:{notice.event_id}",
                user_id=user_id,
                created_at=notice.event.at,
                claimed_by=notice.claimed_by,
                # The old rows had no claim time: an unsent claim starts its lease now.
                claimed_at=now if notice.claimed_by and not notice.sent_at else None,
                sent_at=notice.sent_at,
                attempts=1 if notice.sent_at else 0,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)  # a few per claim


def backward(apps, schema_editor):
    ClaimNotice = apps.get_model("reimbursements", "ClaimNotice")
    OutboxMessage = apps.get_model("learningday", "OutboxMessage")
    notices = OutboxMessage.objects.filter(channel="email", kind="claim_notice").select_related("user")
    ClaimNotice.objects.bulk_create(
        [
            ClaimNotice(
                event_id=int(m.key.removeprefix("event:")),
                email=m.user.email,
                claimed_by=m.claimed_by,
                sent_at=m.sent_at or m.given_up_at,
            )
            for m in notices.iterator(chunk_size=BATCH)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reimbursements", "0003_claim_finance_order"),
        ("learningday", "0005_outbox"),
    ]

    operations = [migrations.RunPython(forward, backward)]
