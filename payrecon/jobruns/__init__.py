"""Job runs: one row per attempt of a scheduled job, and the leases that keep attempts apart.

Front door: `payrecon.jobruns.service` (start_run, finish_run, fail_run, beat,
abandon_running_runs), `payrecon.jobruns.locks` (run_lock: one runner per job and run key,
across processes and machines) and `payrecon.jobruns.queries` (list_runs, list_last_runs,
list_failures, find_succeeded_run, …) for the CLI and the officer dashboard.

This domain knows nothing of *which* jobs exist or when they run; that is `jobs/`.
"""
