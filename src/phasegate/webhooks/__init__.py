"""Outgoing webhooks: events delivered to subscribers over HTTP, signed, through a queue."""
