"""Storage: models, engine and transactions per backend, queries, loading and the
migration batch. Nothing outside this package writes SQL."""
