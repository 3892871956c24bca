/* The 61 columns of a GDELT 2.0 event export row, in file order, with GDELT's codebook names and
 * the SQL type gdelt_silver gives them. One table shared by the silver flow (typed insert) and the
 * tests (schema check), so the order cannot drift between them. */
#ifndef WG_GDELT_COLUMNS_H
#define WG_GDELT_COLUMNS_H

#define GDELT_EVENT_COLUMNS 61

typedef enum gdelt_column_type { GDELT_COL_INTEGER, GDELT_COL_REAL, GDELT_COL_TEXT } gdelt_column_type;

typedef struct gdelt_column {
    const char *name;
    gdelt_column_type type;
} gdelt_column;

extern const gdelt_column gdelt_event_columns[GDELT_EVENT_COLUMNS];

/* 0-based positions of the columns the silver flow checks or derives from. */
enum {
    GDELT_COL_GLOBALEVENTID = 0,
    GDELT_COL_SQLDATE = 1,
    GDELT_COL_EVENTCODE = 26,
    GDELT_COL_EVENTBASECODE = 27,
    GDELT_COL_EVENTROOTCODE = 28,
    GDELT_COL_AVGTONE = 34,
    GDELT_COL_ACTOR1GEO_LAT = 40,
    GDELT_COL_ACTOR1GEO_LONG = 41,
    GDELT_COL_ACTOR2GEO_LAT = 48,
    GDELT_COL_ACTOR2GEO_LONG = 49,
    GDELT_COL_ACTIONGEO_COUNTRYCODE = 53,
    GDELT_COL_ACTIONGEO_LAT = 56,
    GDELT_COL_ACTIONGEO_LONG = 57,
    GDELT_COL_DATEADDED = 59,
    GDELT_COL_SOURCEURL = 60,
};

#endif
