"""PostgreSQL access: the pool, and one module of queries per table group."""
