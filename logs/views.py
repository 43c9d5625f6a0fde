from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learningday import calendar


def dashboard(request: HttpRequest) -> HttpResponse:
    today = calendar.user_today(request.user)
    context = {
        "today": today,
        "is_learning_day": calendar.is_learning_day(today),
        "next_learning_day": calendar.next_learning_day(today, inclusive=False),
        "user_timezone": request.user.timezone,
    }
    return render(request, "logs/dashboard.html", context)
