"""The project's URLs. The core imports no app: it includes their urls by name."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from learningday import views

# Staff sign in through allauth too, so the admin gets its rate limits and two-factor step.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Learning Day administration"
admin.site.site_title = "Learning Day admin"

urlpatterns = [
    path("", include("logs.urls")),
    path("reading/", include("reading.urls")),
    path("claims/", include("reimbursements.urls")),
    path("slack/", include("slackapp.urls")),
    path("", include("growth.urls")),
    path("profile/", views.profile, name="profile"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
