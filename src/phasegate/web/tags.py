"""Which of Designsystemet's support colours draws a value as a tag (``data-color``).

One table for the pages: a report's traffic light, a project's status and a decision's
outcome. The word inside the tag carries the meaning; the colour repeats it.
"""

from __future__ import annotations

TAG_COLOURS = {
    # a report's rating (domain.reports.Colour)
    "green": "success",
    "yellow": "warning",
    "red": "danger",
    # a project's status
    "completed": "success",
    "on_hold": "warning",
    "stopped": "danger",
    # a gate's outcome
    "approve": "success",
    "rework": "warning",
    "hold": "warning",
    "stop": "danger",
}


def tag_colour(value: object, default: str = "neutral") -> str:
    """``{{ light.colour|tag_colour }}``: the tag colour of a rating, status or outcome."""
    return TAG_COLOURS.get(str(value), default)
