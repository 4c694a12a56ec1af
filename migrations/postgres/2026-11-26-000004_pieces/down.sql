DROP TABLE idempotency_keys;
DROP TABLE piece_files;
DROP TABLE pieces;
DROP TABLE piece_types;
