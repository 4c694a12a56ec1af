DROP TABLE inscriptions;
DROP TABLE periodes;
DROP TABLE activite_pieces;
DROP TABLE activites;
