"""Numbers the API accepts, bounded by what the database can hold.

Row ids are PostgreSQL ``integer`` columns: an id beyond them names nothing, and is
refused as bad input (422) before any query instead of overflowing inside one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ROW_ID = 2**31 - 1  # PostgreSQL integer

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id")]
PersonRef = Annotated[int, Field(ge=1, le=MAX_ROW_ID, description="a person's id")]
Version = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
Limit = Annotated[int, Query(ge=1, le=500, description="How many items, at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="How many items to skip.")]
