-- Reverts 0002: drops the operator sessions table (every browser session ends; bearer tokens still work).
DROP TABLE IF EXISTS "operator_sessions";
