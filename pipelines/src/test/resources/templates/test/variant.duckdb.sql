SELECT 'duckdb variant'
