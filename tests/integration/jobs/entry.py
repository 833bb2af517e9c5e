"""`python -m tests.integration.jobs.entry jobs …`: the payrecon command with only test jobs.

PAYRECON_TEST_JOBS (comma-separated names from sample_jobs.TEST_JOBS) picks which; default all.
The real jobs (the nightly reconcile) are removed so that a scheduler under test runs only these.
Used to start real runner processes (run-once, the scheduler) in the multi-process tests.
"""

from __future__ import annotations

import os

from jobs.registry import JOBS
from payrecon.cli import main
from tests.integration.jobs.sample_jobs import TEST_JOBS

if __name__ == "__main__":
    wanted = os.environ.get("PAYRECON_TEST_JOBS")
    names = wanted.split(",") if wanted else list(TEST_JOBS)
    JOBS.clear()
    JOBS.update({name: TEST_JOBS[name] for name in names})
    main()
