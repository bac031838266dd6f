"""PostgreSQL storage, chosen when DATABASE_URL is set."""

from storage.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
