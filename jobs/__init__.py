"""The scheduler process and the table of jobs it runs.

`registry.JOBS` says which jobs exist (name -> service function + timing), `timing` turns a
clock reading into business dates and run keys, `runner.run_job` runs one job once (lock,
run row, heartbeat, logs), `scheduler.JobScheduler` runs them on the clock, and `cli` is the
`payrecon jobs …` command group. The work itself is always a payrecon service function.
"""
