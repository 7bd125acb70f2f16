"""Partner pages (no account): answering a survey at ``/s/...`` and "You said, we did" at ``/y/...``."""
