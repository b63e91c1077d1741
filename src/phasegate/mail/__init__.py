"""Email: rendering notifications, the transactional outbox, and the sender."""
