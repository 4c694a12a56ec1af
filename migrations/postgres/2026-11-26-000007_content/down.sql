DROP TABLE faq;
DROP TABLE actualites;
