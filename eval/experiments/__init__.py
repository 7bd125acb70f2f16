"""One-off experiments kept for the next step; not part of ``make eval`` and not shipped code."""
