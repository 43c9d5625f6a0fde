from django.urls import path

from reimbursements import views

app_name = "claims"
urlpatterns = [
    path("", views.my_claims, name="mine"),
    path("new/", views.claim_new, name="new"),
    path("receipts/<int:pk>/reading/", views.pending_reading, name="pending_reading"),
    path("review/", views.review, name="review"),
    path("review/approve/", views.review_approve, name="approve_many"),
    path("finance/", views.finance, name="finance"),
    path("finance/paid/", views.finance_mark_paid, name="mark_paid"),
    path("finance/export.csv", views.finance_export, name="export"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/edit/", views.claim_edit, name="edit"),
    path("<int:pk>/submit/", views.claim_submit, name="submit"),
    path("<int:pk>/withdraw/", views.claim_withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.claim_approve, name="approve"),
    path("<int:pk>/reject/", views.claim_reject, name="reject"),
    path("<int:pk>/changes/", views.claim_request_changes, name="changes"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/receipt/<int:receipt_id>/", views.receipt, name="receipt_file"),
    path("<int:pk>/receipt/<int:receipt_id>/delete/", views.receipt_delete, name="receipt_delete"),
]
