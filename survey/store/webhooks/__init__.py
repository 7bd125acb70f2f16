"""Webhooks (issue 15, part 3): endpoints, the event outbox and its deliveries, wave states.

One writer package for the four ``webhook_*`` tables. Events are written in the caller's
transaction (:func:`~survey.store.webhooks.outbox.record_event`), so an event exists exactly when
what it announces was committed; a separate worker delivers them (``rapport deliver-webhooks``).
"""
