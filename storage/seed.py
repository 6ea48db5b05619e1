"""Loading divisions from the shipped configuration."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from .models import Division


def load_divisions(session_factory, path: Path) -> int:
    """Insert or refresh the divisions listed in divisions.json; returns how many were new."""
    added = 0
    with session_factory() as session, session.begin():
        for item in json.loads(Path(path).read_text()):
            row = session.scalars(select(Division).where(Division.code == item["code"])).first()
            if row is None:
                session.add(Division(**item))
                added += 1
            else:
                row.name, row.nation, row.config = item["name"], item["nation"], item["config"]
    return added
