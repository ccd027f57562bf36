"""Shared test configuration.

Under CI (CI=true) hypothesis runs derandomized: the same examples every run, so a green
main stays green. Locally it explores new examples each run.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
    settings.load_profile("ci")
