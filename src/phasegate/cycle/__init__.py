"""The annual cycle (*årshjul*) at work: deadlines, reminders and reports.

The rules are pure and live in :mod:`phasegate.domain` (``wheel``, ``reminders``,
``reports``, ``calendar``); this package is the edge that keeps their state in the
database and writes the emails to the outbox; :mod:`phasegate.scheduler` runs it on a
clock.
"""
