"""Benchmark data: ``manage.py seed_scale`` fills a database with a large organisation.

The top layer: it may use every app (it builds their rows together), and no app imports it.
"""
