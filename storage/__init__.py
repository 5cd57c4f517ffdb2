"""kanon's store: SQLAlchemy models, engines, migrations and the repository functions."""
