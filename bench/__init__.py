"""Benchmarks run by hand or from the Makefile; not part of the test suite."""
