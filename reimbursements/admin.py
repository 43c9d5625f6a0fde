"""Claims in the admin: searchable and filterable; the trail read-only; state changes only
through the same service functions as the site, so nobody approves their own claim here."""

from django.contrib import admin

from learningday.admin import act_on_each
from reimbursements import services
from reimbursements.models import Claim, ClaimEvent, PersonalBudget, Receipt


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ["at", "actor", "from_state", "to_state", "amount", "note"]
    readonly_fields = fields


class ReceiptInline(ReadOnlyInline):
    model = Receipt
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "claimant",
        "kind",
        "description",
        "amount",
        "currency",
        "state",
        "purchase_date",
        "decided_by",
    ]
    list_filter = ["state", "kind", "currency", "claimant__memberships__team"]
    search_fields = ["description", "vendor", "claimant__email", "claimant__display_name", "payment_reference", "isbn"]
    date_hierarchy = "purchase_date"
    list_select_related = ["claimant", "decided_by"]
    inlines = [ReceiptInline, ClaimEventInline]
    actions = ["approve", "reject_as_duplicate"]
    # State and money fields change only through the service functions.
    readonly_fields = [
        "claimant",
        "state",
        "amount",
        "currency",
        "home_amount",
        "approved_amount",
        "submitted_at",
        "decided_at",
        "decided_by",
        "paid_at",
        "payment_reference",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["item"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.action(description="Approve selected submitted claims in full")
    def approve(self, request, queryset):
        act_on_each(self, request, queryset, action=services.claim_approve, error=services.ClaimError, done="Approved")

    @admin.action(description="Reject selected submitted claims as duplicates")
    def reject_as_duplicate(self, request, queryset):
        act_on_each(
            self,
            request,
            queryset,
            action=services.claim_reject,
            error=services.ClaimError,
            done="Rejected",
            reason="Rejected as a duplicate.",
        )


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ["claim", "at", "actor", "from_state", "to_state", "amount"]
    list_filter = ["to_state"]
    search_fields = ["claim__description", "actor__email", "note"]
    list_select_related = ["claim", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalBudget)
class PersonalBudgetAdmin(admin.ModelAdmin):
    list_display = ["user", "amount", "note"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]
