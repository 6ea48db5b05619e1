"""Small readers over the real database for integration assertions."""
from sqlalchemy import func, select

from storage import models as m


def count(container, model, *where) -> int:
    with container.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def open_task_ids(container, reference: str) -> list[int]:
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        return list(session.scalars(select(m.Task.id).where(m.Task.case_id == case_id, m.Task.state == "open")))


def case_row(container, reference: str) -> m.Case:
    with container.session_factory() as session:
        return session.scalars(select(m.Case).where(m.Case.reference == reference)).one()


def events(container, reference: str) -> list[tuple[str, str | None]]:
    with container.session_factory() as session:
        case_id = session.scalar(select(m.Case.id).where(m.Case.reference == reference))
        rows = session.execute(select(m.Event.kind, m.Event.element).where(m.Event.case_id == case_id)
                               .order_by(m.Event.id))
        return [tuple(r) for r in rows]
