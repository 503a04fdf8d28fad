"""Printfront's settings plus what only the load benchmarks need: a bare view to compare the
webhook receiver with (never in production URLs)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
