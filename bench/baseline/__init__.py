"""A bench-only app: the baseline page of bench/http.py. Only bench/settings.py installs it."""
