DROP TABLE voeux;
DROP INDEX periodes_tirage;
ALTER TABLE periodes DROP COLUMN tirage_places;
ALTER TABLE periodes DROP COLUMN tirage_le;
ALTER TABLE periodes DROP COLUMN tirage_id;
ALTER TABLE periodes DROP COLUMN attribution;
DROP TABLE tirages;
