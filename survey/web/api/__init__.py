"""The REST API: read released results, create waves, invitation codes and actions (issue 15, part 2).

``base`` holds the ``api`` blueprint (``/api``); the view modules (``surveys``, ``results``,
``actions``, ``docs``) add their routes to it. The OpenAPI 3.1 document is built in ``openapi`` from
the schemas in ``schemas``; ``auth`` checks bearer tokens and scopes; ``payloads`` reads bodies and
query parameters; ``errors`` answers every failure as JSON problem details. Every figure comes from
the same store read models as the staff pages, so the thresholds and the release rule apply alike.
"""
