-- Runs once, when the PostgreSQL volume is created: a second database for MLflow's
-- tracking store, owned by the same role as stockwise's own database.
CREATE DATABASE mlflow OWNER stockwise;
