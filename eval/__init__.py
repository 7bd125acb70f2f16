"""Quality evaluations: each module prints its figures and exposes a function returning them."""
