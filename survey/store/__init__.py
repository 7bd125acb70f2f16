"""Flask-free storage functions: each takes a ``sqlite_utils.Database`` and returns plain data.

Views, CLI commands, the demo seeder and benchmarks all go through these functions.
"""
