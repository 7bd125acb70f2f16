"""Admin pages: staff accounts."""
