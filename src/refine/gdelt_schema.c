/* Schema of the gdelt component (the GDELT silver flow): silver (the 61 typed GDELT 2.0 event
 * columns + derived columns, the contract other flows read by silver_id), the quarantine,
 * per-batch counts and the quality view, each table and column described in the catalog. The
 * ledger and bronze that the source writes are source/gdelt_schema.c's (gdelt_source).
 * Forward-only: append a migration, never edit an applied one. (Migration 1 created the ledger
 * and bronze too until they moved: stores where it ran have them, and gdelt_source adopts them.) */
#include "store/store.h"

static const store_migration gdelt_migrations[] = {
    {1, "gdelt silver, quarantine, batches, quality view",
     "CREATE TABLE gdelt_silver ("
     "  silver_id INTEGER PRIMARY KEY AUTOINCREMENT, bronze_id INTEGER,"
     "  GLOBALEVENTID INTEGER NOT NULL UNIQUE,"
     "  SQLDATE INTEGER,"
     "  MonthYear INTEGER,"
     "  Year INTEGER,"
     "  FractionDate REAL,"
     "  Actor1Code TEXT,"
     "  Actor1Name TEXT,"
     "  Actor1CountryCode TEXT,"
     "  Actor1KnownGroupCode TEXT,"
     "  Actor1EthnicCode TEXT,"
     "  Actor1Religion1Code TEXT,"
     "  Actor1Religion2Code TEXT,"
     "  Actor1Type1Code TEXT,"
     "  Actor1Type2Code TEXT,"
     "  Actor1Type3Code TEXT,"
     "  Actor2Code TEXT,"
     "  Actor2Name TEXT,"
     "  Actor2CountryCode TEXT,"
     "  Actor2KnownGroupCode TEXT,"
     "  Actor2EthnicCode TEXT,"
     "  Actor2Religion1Code TEXT,"
     "  Actor2Religion2Code TEXT,"
     "  Actor2Type1Code TEXT,"
     "  Actor2Type2Code TEXT,"
     "  Actor2Type3Code TEXT,"
     "  IsRootEvent INTEGER,"
     "  EventCode TEXT,"
     "  EventBaseCode TEXT,"
     "  EventRootCode TEXT,"
     "  QuadClass INTEGER,"
     "  GoldsteinScale REAL,"
     "  NumMentions INTEGER,"
     "  NumSources INTEGER,"
     "  NumArticles INTEGER,"
     "  AvgTone REAL,"
     "  Actor1Geo_Type INTEGER,"
     "  Actor1Geo_FullName TEXT,"
     "  Actor1Geo_CountryCode TEXT,"
     "  Actor1Geo_ADM1Code TEXT,"
     "  Actor1Geo_ADM2Code TEXT,"
     "  Actor1Geo_Lat REAL,"
     "  Actor1Geo_Long REAL,"
     "  Actor1Geo_FeatureID TEXT,"
     "  Actor2Geo_Type INTEGER,"
     "  Actor2Geo_FullName TEXT,"
     "  Actor2Geo_CountryCode TEXT,"
     "  Actor2Geo_ADM1Code TEXT,"
     "  Actor2Geo_ADM2Code TEXT,"
     "  Actor2Geo_Lat REAL,"
     "  Actor2Geo_Long REAL,"
     "  Actor2Geo_FeatureID TEXT,"
     "  ActionGeo_Type INTEGER,"
     "  ActionGeo_FullName TEXT,"
     "  ActionGeo_CountryCode TEXT,"
     "  ActionGeo_ADM1Code TEXT,"
     "  ActionGeo_ADM2Code TEXT,"
     "  ActionGeo_Lat REAL,"
     "  ActionGeo_Long REAL,"
     "  ActionGeo_FeatureID TEXT,"
     "  DATEADDED INTEGER,"
     "  SOURCEURL TEXT,"
     "  EventID INTEGER GENERATED ALWAYS AS (GLOBALEVENTID) VIRTUAL,"
     "  event_time TEXT, time_bucket TEXT, event_description TEXT,"
     "  event_root_description TEXT);"
     "CREATE TABLE gdelt_quarantine ("
     "  quarantine_id INTEGER PRIMARY KEY, bronze_id INTEGER NOT NULL, source_file TEXT,"
     "  line_number INTEGER, rule TEXT NOT NULL, failed_rules TEXT NOT NULL, detail TEXT,"
     "  batch_id TEXT NOT NULL, quarantined_at TEXT NOT NULL, raw_line TEXT NOT NULL);"
     "CREATE INDEX gdelt_quarantine_rule ON gdelt_quarantine(rule);"
     "CREATE TABLE gdelt_silver_batches ("
     "  batch_id TEXT PRIMARY KEY, finished_at TEXT NOT NULL, first_bronze_id INTEGER,"
     "  last_bronze_id INTEGER, rows_read INTEGER NOT NULL, rows_valid INTEGER NOT NULL,"
     "  rows_written INTEGER NOT NULL, rows_warned INTEGER NOT NULL,"
     "  rows_dropped INTEGER NOT NULL, rows_quarantined INTEGER NOT NULL,"
     "  rows_duplicate INTEGER NOT NULL);"
     "CREATE VIEW gdelt_quality AS SELECT"
     "  COUNT(*) AS batches, COALESCE(SUM(rows_read),0) AS rows_read,"
     "  COALESCE(SUM(rows_valid),0) AS rows_valid, COALESCE(SUM(rows_written),0) AS rows_written,"
     "  COALESCE(SUM(rows_warned),0) AS rows_warned, COALESCE(SUM(rows_dropped),0) AS rows_dropped,"
     "  COALESCE(SUM(rows_quarantined),0) AS rows_quarantined,"
     "  COALESCE(SUM(rows_duplicate),0) AS rows_duplicate,"
     "  ROUND(1.0 * SUM(rows_valid) / NULLIF(SUM(rows_read),0), 6) AS valid_rate"
     "  FROM gdelt_silver_batches;"
     STORE_DOC_TABLE("gdelt_silver", "silver", "gdelt",
                     "GDELT 2.0 events, typed, with GDELT''s own column names, one row per GLOBALEVENTID, plus event_time (UTC, from DATEADDED), time_bucket and the CAMEO descriptions of EventCode and EventRootCode. Only rows that passed the expectations (or failed a warn-only rule). Downstream flows read it by silver_id.")
     STORE_DOC_COLUMN("gdelt_silver", "silver_id", "Increasing row id (insertion order); downstream flows checkpoint on it.")
     STORE_DOC_COLUMN("gdelt_silver", "bronze_id", "The gdelt_bronze row this event was refined from.")
     STORE_DOC_COLUMN("gdelt_silver", "GLOBALEVENTID", "Globally unique identifier of the event in GDELT (the report''s EventID).")
     STORE_DOC_COLUMN("gdelt_silver", "SQLDATE", "Date the event took place, YYYYMMDD.")
     STORE_DOC_COLUMN("gdelt_silver", "MonthYear", "Month of the event, YYYYMM.")
     STORE_DOC_COLUMN("gdelt_silver", "Year", "Year of the event, YYYY.")
     STORE_DOC_COLUMN("gdelt_silver", "FractionDate", "Event date as a fraction of the year (YYYY.FFFF).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Code", "Complete raw CAMEO code of Actor1 (country, role and group codes concatenated).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Name", "Name of Actor1 as found in the text, normalised.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1CountryCode", "3-character CAMEO country code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1KnownGroupCode", "CAMEO code of a known organisation Actor1 belongs to (IGO, NGO, rebel group...).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1EthnicCode", "CAMEO ethnic code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Religion1Code", "CAMEO primary religion code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Religion2Code", "CAMEO secondary religion code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Type1Code", "CAMEO type/role code of Actor1 (GOV, MIL, REB, BUS...).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Type2Code", "Second CAMEO type/role code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Type3Code", "Third CAMEO type/role code of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Code", "Complete raw CAMEO code of Actor2 (country, role and group codes concatenated).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Name", "Name of Actor2 as found in the text, normalised.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2CountryCode", "3-character CAMEO country code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2KnownGroupCode", "CAMEO code of a known organisation Actor2 belongs to (IGO, NGO, rebel group...).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2EthnicCode", "CAMEO ethnic code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Religion1Code", "CAMEO primary religion code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Religion2Code", "CAMEO secondary religion code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Type1Code", "CAMEO type/role code of Actor2 (GOV, MIL, REB, BUS...).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Type2Code", "Second CAMEO type/role code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Type3Code", "Third CAMEO type/role code of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "IsRootEvent", "1 when the event was found in the lead paragraph of the article.")
     STORE_DOC_COLUMN("gdelt_silver", "EventCode", "CAMEO action code of the event (2-4 digits).")
     STORE_DOC_COLUMN("gdelt_silver", "EventBaseCode", "CAMEO level-two (3-digit) parent of EventCode.")
     STORE_DOC_COLUMN("gdelt_silver", "EventRootCode", "CAMEO root (2-digit) category of EventCode; 14 = PROTEST.")
     STORE_DOC_COLUMN("gdelt_silver", "QuadClass", "Primary classification: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.")
     STORE_DOC_COLUMN("gdelt_silver", "GoldsteinScale", "Theoretical impact of this event type on a country''s stability, -10 to +10.")
     STORE_DOC_COLUMN("gdelt_silver", "NumMentions", "Mentions of the event across all documents in the 15-minute update.")
     STORE_DOC_COLUMN("gdelt_silver", "NumSources", "Information sources containing mentions of the event.")
     STORE_DOC_COLUMN("gdelt_silver", "NumArticles", "Source documents containing mentions of the event.")
     STORE_DOC_COLUMN("gdelt_silver", "AvgTone", "Average tone of the documents mentioning the event, -100 (negative) to +100 (positive).")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_Type", "Geographic resolution of the location of Actor1: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_FullName", "Full human-readable name of the location of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_CountryCode", "FIPS 10-4 country code of the location of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_ADM1Code", "Country code followed by the FIPS 10-4 ADM1 (state/province) code of the location of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_ADM2Code", "GAUL ADM2 (county/district) code of the location of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_Lat", "Centroid latitude of the location of Actor1, -90 to 90.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_Long", "Centroid longitude of the location of Actor1, -180 to 180.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor1Geo_FeatureID", "GNS or GNIS feature identifier of the location of Actor1.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_Type", "Geographic resolution of the location of Actor2: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_FullName", "Full human-readable name of the location of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_CountryCode", "FIPS 10-4 country code of the location of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_ADM1Code", "Country code followed by the FIPS 10-4 ADM1 (state/province) code of the location of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_ADM2Code", "GAUL ADM2 (county/district) code of the location of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_Lat", "Centroid latitude of the location of Actor2, -90 to 90.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_Long", "Centroid longitude of the location of Actor2, -180 to 180.")
     STORE_DOC_COLUMN("gdelt_silver", "Actor2Geo_FeatureID", "GNS or GNIS feature identifier of the location of Actor2.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_Type", "Geographic resolution of the location of the action: 1 country, 2 US state, 3 US city, 4 world city, 5 world state.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_FullName", "Full human-readable name of the location of the action.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_CountryCode", "FIPS 10-4 country code of the location of the action.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_ADM1Code", "Country code followed by the FIPS 10-4 ADM1 (state/province) code of the location of the action.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_ADM2Code", "GAUL ADM2 (county/district) code of the location of the action.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_Lat", "Centroid latitude of the location of the action, -90 to 90.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_Long", "Centroid longitude of the location of the action, -180 to 180.")
     STORE_DOC_COLUMN("gdelt_silver", "ActionGeo_FeatureID", "GNS or GNIS feature identifier of the location of the action.")
     STORE_DOC_COLUMN("gdelt_silver", "DATEADDED", "When GDELT added the event, YYYYMMDDHHMMSS UTC (the 15-minute update).")
     STORE_DOC_COLUMN("gdelt_silver", "SOURCEURL", "URL or citation of the first news report of the event.")
     STORE_DOC_COLUMN("gdelt_silver", "EventID", "Alias of GLOBALEVENTID (the report''s name).")
     STORE_DOC_COLUMN("gdelt_silver", "event_time", "When GDELT added the event (DATEADDED) as YYYY-MM-DD HH:MM:SS UTC.")
     STORE_DOC_COLUMN("gdelt_silver", "time_bucket", "Start of the event_time bucket (pipeline.bucket_seconds, default 4 h) as YYYY-MM-DD HH:MM:SS UTC.")
     STORE_DOC_COLUMN("gdelt_silver", "event_description", "CAMEO codebook description of EventCode.")
     STORE_DOC_COLUMN("gdelt_silver", "event_root_description", "CAMEO codebook description of EventRootCode (e.g. PROTEST).")
     STORE_DOC_TABLE("gdelt_quarantine", "quarantine", "gdelt",
                     "Bronze rows that failed a data-quality rule whose action is quarantine: the raw line, the rule that decided, every rule that failed and where the row came from.")
     STORE_DOC_COLUMN("gdelt_quarantine", "quarantine_id", "Row id.")
     STORE_DOC_COLUMN("gdelt_quarantine", "bronze_id", "The gdelt_bronze row.")
     STORE_DOC_COLUMN("gdelt_quarantine", "source_file", "File the row came from.")
     STORE_DOC_COLUMN("gdelt_quarantine", "line_number", "Line of the row in its file.")
     STORE_DOC_COLUMN("gdelt_quarantine", "rule", "The rule that sent the row here: column_count, id, date, event_code, lat_long or avg_tone.")
     STORE_DOC_COLUMN("gdelt_quarantine", "failed_rules", "Every rule the row failed, comma-separated.")
     STORE_DOC_COLUMN("gdelt_quarantine", "detail", "What was wrong, e.g. the offending value.")
     STORE_DOC_COLUMN("gdelt_quarantine", "batch_id", "The silver batch that quarantined the row.")
     STORE_DOC_COLUMN("gdelt_quarantine", "quarantined_at", "UTC time of quarantine.")
     STORE_DOC_COLUMN("gdelt_quarantine", "raw_line", "The raw line as in bronze.")
     STORE_DOC_TABLE("gdelt_silver_batches", "system", "gdelt",
                     "Counts per batch of the gdelt silver flow: rows read from bronze, valid (passed every rule), written, warned, dropped, quarantined, duplicates.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "batch_id", "Batch identifier: gdelt_silver:<first bronze_id of the batch>.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "finished_at", "UTC time the batch committed.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "first_bronze_id", "First bronze row of the batch.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "last_bronze_id", "Last bronze row of the batch (the new checkpoint).")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_read", "Bronze rows read.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_valid", "Rows that passed every rule.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_written", "Rows inserted into gdelt_silver.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_warned", "Rows kept although a warn rule failed.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_dropped", "Rows dropped by a drop rule.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_quarantined", "Rows moved to gdelt_quarantine.")
     STORE_DOC_COLUMN("gdelt_silver_batches", "rows_duplicate", "Rows skipped because their GLOBALEVENTID was already in silver.")
     STORE_DOC_TABLE("gdelt_quality", "system", "gdelt",
                     "Data quality of the gdelt silver flow over all batches: totals and valid_rate = rows_valid / rows_read.")
     STORE_DOC_COLUMN("gdelt_quality", "valid_rate", "Share of bronze rows that passed every rule (0..1).")
     STORE_DOC_COLUMN("gdelt_quality", "rows_read", "Bronze rows refined so far.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_valid", "Rows that passed every rule.")
     STORE_DOC_COLUMN("gdelt_quality", "batches", "Silver batches committed.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_written", "Rows inserted into gdelt_silver.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_warned", "Rows kept although a warn rule failed.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_dropped", "Rows dropped by a drop rule.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_quarantined", "Rows moved to gdelt_quarantine.")
     STORE_DOC_COLUMN("gdelt_quality", "rows_duplicate", "Rows skipped as duplicates of a GLOBALEVENTID already in silver.")},
    {2, "FIPS 10-4 country names for the *Geo_CountryCode columns",
     /* Written from the FIPS 10-4 standard (the country codes GDELT uses for locations). */
     "CREATE TABLE gdelt_fips_countries (code TEXT PRIMARY KEY, name TEXT NOT NULL);"
     "INSERT INTO gdelt_fips_countries(code, name) VALUES"
     "  ('AA','Aruba'),('AC','Antigua and Barbuda'),('AE','United Arab Emirates'),('AF','Afghanistan'),('AG','Algeria'),"
     "  ('AJ','Azerbaijan'),('AL','Albania'),('AM','Armenia'),('AN','Andorra'),('AO','Angola'),"
     "  ('AQ','American Samoa'),('AR','Argentina'),('AS','Australia'),('AT','Ashmore and Cartier Islands'),('AU','Austria'),"
     "  ('AV','Anguilla'),('AX','Akrotiri'),('AY','Antarctica'),('BA','Bahrain'),('BB','Barbados'),"
     "  ('BC','Botswana'),('BD','Bermuda'),('BE','Belgium'),('BF','Bahamas'),('BG','Bangladesh'),"
     "  ('BH','Belize'),('BK','Bosnia and Herzegovina'),('BL','Bolivia'),('BM','Burma'),('BN','Benin'),"
     "  ('BO','Belarus'),('BP','Solomon Islands'),('BQ','Navassa Island'),('BR','Brazil'),('BS','Bassas da India'),"
     "  ('BT','Bhutan'),('BU','Bulgaria'),('BV','Bouvet Island'),('BX','Brunei'),('BY','Burundi'),"
     "  ('CA','Canada'),('CB','Cambodia'),('CD','Chad'),('CE','Sri Lanka'),('CF','Congo (Brazzaville)'),"
     "  ('CG','Congo (Kinshasa)'),('CH','China'),('CI','Chile'),('CJ','Cayman Islands'),('CK','Cocos (Keeling) Islands'),"
     "  ('CM','Cameroon'),('CN','Comoros'),('CO','Colombia'),('CQ','Northern Mariana Islands'),('CR','Coral Sea Islands'),"
     "  ('CS','Costa Rica'),('CT','Central African Republic'),('CU','Cuba'),('CV','Cape Verde'),('CW','Cook Islands'),"
     "  ('CY','Cyprus'),('DA','Denmark'),('DJ','Djibouti'),('DO','Dominica'),('DQ','Jarvis Island'),"
     "  ('DR','Dominican Republic'),('DX','Dhekelia'),('EC','Ecuador'),('EG','Egypt'),('EI','Ireland'),"
     "  ('EK','Equatorial Guinea'),('EN','Estonia'),('ER','Eritrea'),('ES','El Salvador'),('ET','Ethiopia'),"
     "  ('EU','Europa Island'),('EZ','Czech Republic'),('FG','French Guiana'),('FI','Finland'),('FJ','Fiji'),"
     "  ('FK','Falkland Islands (Islas Malvinas)'),('FM','Micronesia, Federated States of'),('FO','Faroe Islands'),('FP','French Polynesia'),('FQ','Baker Island'),"
     "  ('FR','France'),('FS','French Southern and Antarctic Lands'),('GA','Gambia, The'),('GB','Gabon'),('GG','Georgia'),"
     "  ('GH','Ghana'),('GI','Gibraltar'),('GJ','Grenada'),('GK','Guernsey'),('GL','Greenland'),"
     "  ('GM','Germany'),('GO','Glorioso Islands'),('GP','Guadeloupe'),('GQ','Guam'),('GR','Greece'),"
     "  ('GT','Guatemala'),('GV','Guinea'),('GY','Guyana'),('GZ','Gaza Strip'),('HA','Haiti'),"
     "  ('HK','Hong Kong'),('HM','Heard Island and McDonald Islands'),('HO','Honduras'),('HQ','Howland Island'),('HR','Croatia'),"
     "  ('HU','Hungary'),('IC','Iceland'),('ID','Indonesia'),('IM','Isle of Man'),('IN','India'),"
     "  ('IO','British Indian Ocean Territory'),('IP','Clipperton Island'),('IR','Iran'),('IS','Israel'),('IT','Italy'),"
     "  ('IV','Cote d''Ivoire'),('IZ','Iraq'),('JA','Japan'),('JE','Jersey'),('JM','Jamaica'),"
     "  ('JN','Jan Mayen'),('JO','Jordan'),('JQ','Johnston Atoll'),('JU','Juan de Nova Island'),('KE','Kenya'),"
     "  ('KG','Kyrgyzstan'),('KN','Korea, North'),('KQ','Kingman Reef'),('KR','Kiribati'),('KS','Korea, South'),"
     "  ('KT','Christmas Island'),('KU','Kuwait'),('KV','Kosovo'),('KZ','Kazakhstan'),('LA','Laos'),"
     "  ('LE','Lebanon'),('LG','Latvia'),('LH','Lithuania'),('LI','Liberia'),('LO','Slovakia'),"
     "  ('LQ','Palmyra Atoll'),('LS','Liechtenstein'),('LT','Lesotho'),('LU','Luxembourg'),('LY','Libya'),"
     "  ('MA','Madagascar'),('MB','Martinique'),('MC','Macau'),('MD','Moldova'),('MF','Mayotte'),"
     "  ('MG','Mongolia'),('MH','Montserrat'),('MI','Malawi'),('MJ','Montenegro'),('MK','Macedonia'),"
     "  ('ML','Mali'),('MN','Monaco'),('MO','Morocco'),('MP','Mauritius'),('MQ','Midway Islands'),"
     "  ('MR','Mauritania'),('MT','Malta'),('MU','Oman'),('MV','Maldives'),('MX','Mexico'),"
     "  ('MY','Malaysia'),('MZ','Mozambique'),('NC','New Caledonia'),('NE','Niue'),('NF','Norfolk Island'),"
     "  ('NG','Niger'),('NH','Vanuatu'),('NI','Nigeria'),('NL','Netherlands'),('NO','Norway'),"
     "  ('NP','Nepal'),('NR','Nauru'),('NS','Suriname'),('NT','Netherlands Antilles'),('NU','Nicaragua'),"
     "  ('NZ','New Zealand'),('OD','South Sudan'),('PA','Paraguay'),('PC','Pitcairn Islands'),('PE','Peru'),"
     "  ('PF','Paracel Islands'),('PG','Spratly Islands'),('PK','Pakistan'),('PL','Poland'),('PM','Panama'),"
     "  ('PO','Portugal'),('PP','Papua New Guinea'),('PS','Palau'),('PU','Guinea-Bissau'),('QA','Qatar'),"
     "  ('RE','Reunion'),('RI','Serbia'),('RM','Marshall Islands'),('RN','Saint Martin'),('RO','Romania'),"
     "  ('RP','Philippines'),('RQ','Puerto Rico'),('RS','Russia'),('RW','Rwanda'),('SA','Saudi Arabia'),"
     "  ('SB','Saint Pierre and Miquelon'),('SC','Saint Kitts and Nevis'),('SE','Seychelles'),('SF','South Africa'),('SG','Senegal'),"
     "  ('SH','Saint Helena'),('SI','Slovenia'),('SL','Sierra Leone'),('SM','San Marino'),('SN','Singapore'),"
     "  ('SO','Somalia'),('SP','Spain'),('ST','Saint Lucia'),('SU','Sudan'),('SV','Svalbard'),"
     "  ('SW','Sweden'),('SX','South Georgia and the South Sandwich Islands'),('SY','Syria'),('SZ','Switzerland'),('TB','Saint Barthelemy'),"
     "  ('TD','Trinidad and Tobago'),('TE','Tromelin Island'),('TH','Thailand'),('TI','Tajikistan'),('TK','Turks and Caicos Islands'),"
     "  ('TL','Tokelau'),('TN','Tonga'),('TO','Togo'),('TP','Sao Tome and Principe'),('TS','Tunisia'),"
     "  ('TT','Timor-Leste'),('TU','Turkey'),('TV','Tuvalu'),('TW','Taiwan'),('TX','Turkmenistan'),"
     "  ('TZ','Tanzania'),('UG','Uganda'),('UK','United Kingdom'),('UP','Ukraine'),('US','United States'),"
     "  ('UV','Burkina Faso'),('UY','Uruguay'),('UZ','Uzbekistan'),('VC','Saint Vincent and the Grenadines'),('VE','Venezuela'),"
     "  ('VI','British Virgin Islands'),('VM','Vietnam'),('VQ','Virgin Islands (U.S.)'),('VT','Holy See (Vatican City)'),('WA','Namibia'),"
     "  ('WE','West Bank'),('WF','Wallis and Futuna'),('WI','Western Sahara'),('WQ','Wake Island'),('WS','Samoa'),"
     "  ('WZ','Swaziland'),('YM','Yemen'),('ZA','Zambia'),('ZI','Zimbabwe');"
     STORE_DOC_TABLE("gdelt_fips_countries", "silver", "gdelt",
                     "FIPS 10-4 country codes and names, the code list of Actor1Geo_CountryCode, Actor2Geo_CountryCode and ActionGeo_CountryCode in gdelt_silver: JOIN gdelt_fips_countries f ON f.code = ActionGeo_CountryCode.")
     STORE_DOC_COLUMN("gdelt_fips_countries", "code", "Two-letter FIPS 10-4 country code (e.g. GM = Germany, UK = United Kingdom).")
     STORE_DOC_COLUMN("gdelt_fips_countries", "name", "Country or territory name.")},
};

STORE_COMPONENT(gdelt_store_component, "gdelt", gdelt_migrations);
