ALTER TABLE town_settings DROP COLUMN codes_postaux;
