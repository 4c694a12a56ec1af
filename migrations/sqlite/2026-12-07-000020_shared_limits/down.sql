DROP TABLE login_locks;
DROP TABLE rate_counters;
