"""Flask-free use cases shared by the web pages, the CLI and the jobs; they take a database, not SQL.

Each module is one use case (run an analysis, curate themes, re-measure silo language, import a
CSV, say what an action changed, "you said, we did", the wave report); SQL stays in
:mod:`survey.store`.
"""
