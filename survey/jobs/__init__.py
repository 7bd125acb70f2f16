"""Background jobs: :mod:`~survey.jobs.runner` starts, locks and tracks them; one module per job body."""
