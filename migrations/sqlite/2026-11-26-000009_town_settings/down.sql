DROP TABLE town_settings;
