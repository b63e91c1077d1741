"""The annual cycle (*årshjul*) at work: deadlines, reminders, reports and the scheduler.

The rules are pure and live in :mod:`phasegate.domain` (``wheel``, ``reminders``,
``reports``, ``calendar``); this package is the edge that keeps their state in the
database, writes the emails to the outbox, and runs on a clock.
"""
