"""Email: composing and rendering notifications, and the sender that delivers the outbox
(whose table is the engine's: :mod:`phasegate.engine.outbox`)."""
