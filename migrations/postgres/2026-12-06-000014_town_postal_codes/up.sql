-- The postal codes of the town (issue 12): a household whose dossier address has one of
-- them lives in the town, and may enrol before the general opening where a période opens
-- earlier for residents (and, later, be given priority in a fair allocation). Written at
-- the first start from TOWN_POSTAL_CODES, then by administrators; space-separated.
ALTER TABLE town_settings ADD COLUMN codes_postaux TEXT NOT NULL DEFAULT '';
