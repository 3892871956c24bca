/* Country and region names for the reranker's structured features (rerank.h): which page titles
 * name a country, and how GDELT codes that country. Written from the CAMEO country list (the
 * three-letter Actor*CountryCode values, ISO 3166-1 alpha-3 plus CAMEO's regions) and the FIPS
 * 10-4 codes of ActionGeo_CountryCode (the same list as gdelt_fips_countries); the names are the
 * common English names that Wikipedia uses as page titles, then other names a headline uses;
 * the seats are the capitals (and their local spellings where GeoNames uses them).
 * tools/rerank/fit.py reads this table from this file, so both sides use the same rows. */
#include "correlate/countries.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* cameo, fips ("" for CAMEO's regions), names (';'-separated, the first is the page title),
   adjectives (';'-separated, how a headline refers to the people), seats (';'-separated places
   of the national government as GDELT's geocoder names them in ActionGeo_FullName: the capital,
   and for the United States "District of Columbia", "White House" and the like). */
const country_entry country_table[] = {
    {"AFG", "AF", "Afghanistan", "Afghan", "Kabul"},
    {"ALB", "AL", "Albania", "Albanian", "Tirana"},
    {"DZA", "AG", "Algeria", "Algerian", "Algiers"},
    {"AND", "AN", "Andorra", "Andorran", "Andorra la Vella"},
    {"AGO", "AO", "Angola", "Angolan", "Luanda"},
    {"ATG", "AC", "Antigua and Barbuda", "Antiguan", "Saint John's"},
    {"ARG", "AR", "Argentina", "Argentine;Argentinian", "Buenos Aires"},
    {"ARM", "AM", "Armenia", "Armenian", "Yerevan"},
    {"AUS", "AS", "Australia", "Australian;Australians", "Canberra;Australian Capital Territory"},
    {"AUT", "AU", "Austria", "Austrian", "Vienna;Wien"},
    {"AZE", "AJ", "Azerbaijan", "Azerbaijani", "Baku"},
    {"BHS", "BF", "Bahamas;The Bahamas", "Bahamian", "Nassau"},
    {"BHR", "BA", "Bahrain", "Bahraini", "Manama"},
    {"BGD", "BG", "Bangladesh", "Bangladeshi", "Dhaka"},
    {"BRB", "BB", "Barbados", "Barbadian", "Bridgetown"},
    {"BLR", "BO", "Belarus", "Belarusian", "Minsk"},
    {"BEL", "BE", "Belgium", "Belgian", "Brussels;Bruxelles"},
    {"BLZ", "BH", "Belize", "Belizean", "Belmopan"},
    {"BEN", "BN", "Benin", "Beninese", "Porto-Novo;Cotonou"},
    {"BTN", "BT", "Bhutan", "Bhutanese", "Thimphu"},
    {"BOL", "BL", "Bolivia", "Bolivian", "La Paz;Sucre"},
    {"BIH", "BK", "Bosnia and Herzegovina;Bosnia", "Bosnian", "Sarajevo"},
    {"BWA", "BC", "Botswana", "Botswanan", "Gaborone"},
    {"BRA", "BR", "Brazil", "Brazilian", "Brasilia;Distrito Federal"},
    {"BRN", "BX", "Brunei", "Bruneian", "Bandar Seri Begawan"},
    {"BGR", "BU", "Bulgaria", "Bulgarian", "Sofia"},
    {"BFA", "UV", "Burkina Faso", "Burkinabe", "Ouagadougou"},
    {"BDI", "BY", "Burundi", "Burundian", "Gitega;Bujumbura"},
    {"KHM", "CB", "Cambodia", "Cambodian", "Phnom Penh"},
    {"CMR", "CM", "Cameroon", "Cameroonian", "Yaounde"},
    {"CAN", "CA", "Canada", "Canadian;Canadians", "Ottawa"},
    {"CPV", "CV", "Cape Verde", "Cape Verdean", "Praia"},
    {"CAF", "CT", "Central African Republic", "Central African", "Bangui"},
    {"TCD", "CD", "Chad", "Chadian", "N'Djamena"},
    {"CHL", "CI", "Chile", "Chilean", "Santiago"},
    {"CHN", "CH", "China;People's Republic of China", "Chinese", "Beijing"},
    {"COL", "CO", "Colombia", "Colombian", "Bogota"},
    {"COM", "CN", "Comoros", "Comorian", "Moroni"},
    {"COG", "CF", "Republic of the Congo", "Congolese", "Brazzaville"},
    {"COD", "CG", "Democratic Republic of the Congo", "Congolese", "Kinshasa"},
    {"CRI", "CS", "Costa Rica", "Costa Rican", "San Jose"},
    {"CIV", "IV", "Ivory Coast;Cote d'Ivoire", "Ivorian", "Yamoussoukro;Abidjan"},
    {"HRV", "HR", "Croatia", "Croatian", "Zagreb"},
    {"CUB", "CU", "Cuba", "Cuban", "Havana"},
    {"CYP", "CY", "Cyprus", "Cypriot", "Nicosia"},
    {"CZE", "EZ", "Czech Republic;Czechia", "Czech", "Prague;Praha"},
    {"DNK", "DA", "Denmark", "Danish", "Copenhagen"},
    {"DJI", "DJ", "Djibouti", "Djiboutian", "Djibouti"},
    {"DMA", "DO", "Dominica", "Dominican", "Roseau"},
    {"DOM", "DR", "Dominican Republic", "Dominican", "Santo Domingo"},
    {"ECU", "EC", "Ecuador", "Ecuadorian", "Quito"},
    {"EGY", "EG", "Egypt", "Egyptian", "Cairo"},
    {"SLV", "ES", "El Salvador", "Salvadoran", "San Salvador"},
    {"GNQ", "EK", "Equatorial Guinea", "Equatorial Guinean", "Malabo"},
    {"ERI", "ER", "Eritrea", "Eritrean", "Asmara"},
    {"EST", "EN", "Estonia", "Estonian", "Tallinn"},
    {"ETH", "ET", "Ethiopia", "Ethiopian", "Addis Ababa"},
    {"FJI", "FJ", "Fiji", "Fijian", "Suva"},
    {"FIN", "FI", "Finland", "Finnish", "Helsinki"},
    {"FRA", "FR", "France", "French", "Paris"},
    {"GAB", "GB", "Gabon", "Gabonese", "Libreville"},
    {"GMB", "GA", "The Gambia;Gambia", "Gambian", "Banjul"},
    {"GEO", "GG", "Georgia (country)", "Georgian", "Tbilisi"},
    {"DEU", "GM", "Germany", "German;Germans", "Berlin"},
    {"GHA", "GH", "Ghana", "Ghanaian", "Accra"},
    {"GRC", "GR", "Greece", "Greek", "Athens"},
    {"GRD", "GJ", "Grenada", "Grenadian", "Saint George's"},
    {"GTM", "GT", "Guatemala", "Guatemalan", "Guatemala City"},
    {"GIN", "GV", "Guinea", "Guinean", "Conakry"},
    {"GNB", "PU", "Guinea-Bissau", "Bissau-Guinean", "Bissau"},
    {"GUY", "GY", "Guyana", "Guyanese", "Georgetown"},
    {"HTI", "HA", "Haiti", "Haitian", "Port-au-Prince"},
    {"HND", "HO", "Honduras", "Honduran", "Tegucigalpa"},
    {"HKG", "HK", "Hong Kong", "Hongkonger", "Hong Kong"},
    {"HUN", "HU", "Hungary", "Hungarian", "Budapest"},
    {"ISL", "IC", "Iceland", "Icelandic", "Reykjavik"},
    {"IND", "IN", "India", "Indian;Indians", "New Delhi;Delhi"},
    {"IDN", "ID", "Indonesia", "Indonesian", "Jakarta"},
    {"IRN", "IR", "Iran", "Iranian", "Tehran"},
    {"IRQ", "IZ", "Iraq", "Iraqi", "Baghdad"},
    {"IRL", "EI", "Republic of Ireland;Ireland", "Irish", "Dublin"},
    {"ISR", "IS", "Israel", "Israeli;Israelis", "Jerusalem"},
    {"ITA", "IT", "Italy", "Italian", "Rome;Roma"},
    {"JAM", "JM", "Jamaica", "Jamaican", "Kingston"},
    {"JPN", "JA", "Japan", "Japanese", "Tokyo"},
    {"JOR", "JO", "Jordan", "Jordanian", "Amman"},
    {"KAZ", "KZ", "Kazakhstan", "Kazakh", "Astana"},
    {"KEN", "KE", "Kenya", "Kenyan", "Nairobi"},
    {"KIR", "KR", "Kiribati", "I-Kiribati", "Tarawa"},
    {"PRK", "KN", "North Korea", "North Korean", "Pyongyang"},
    {"KOR", "KS", "South Korea", "South Korean", "Seoul"},
    {"KWT", "KU", "Kuwait", "Kuwaiti", "Kuwait City"},
    {"KGZ", "KG", "Kyrgyzstan", "Kyrgyz", "Bishkek"},
    {"LAO", "LA", "Laos", "Lao;Laotian", "Vientiane"},
    {"LVA", "LG", "Latvia", "Latvian", "Riga"},
    {"LBN", "LE", "Lebanon", "Lebanese", "Beirut"},
    {"LSO", "LT", "Lesotho", "Basotho", "Maseru"},
    {"LBR", "LI", "Liberia", "Liberian", "Monrovia"},
    {"LBY", "LY", "Libya", "Libyan", "Tripoli"},
    {"LIE", "LS", "Liechtenstein", "Liechtensteiner", "Vaduz"},
    {"LTU", "LH", "Lithuania", "Lithuanian", "Vilnius"},
    {"LUX", "LU", "Luxembourg", "Luxembourgish", "Luxembourg"},
    {"MAC", "MC", "Macau", "Macanese", "Macau"},
    {"MKD", "MK", "North Macedonia;Macedonia", "Macedonian", "Skopje"},
    {"MDG", "MA", "Madagascar", "Malagasy", "Antananarivo"},
    {"MWI", "MI", "Malawi", "Malawian", "Lilongwe"},
    {"MYS", "MY", "Malaysia", "Malaysian", "Kuala Lumpur;Putrajaya"},
    {"MDV", "MV", "Maldives", "Maldivian", "Male"},
    {"MLI", "ML", "Mali", "Malian", "Bamako"},
    {"MLT", "MT", "Malta", "Maltese", "Valletta"},
    {"MHL", "RM", "Marshall Islands", "Marshallese", "Majuro"},
    {"MRT", "MR", "Mauritania", "Mauritanian", "Nouakchott"},
    {"MUS", "MP", "Mauritius", "Mauritian", "Port Louis"},
    {"MEX", "MX", "Mexico", "Mexican;Mexicans", "Mexico City;Distrito Federal"},
    {"FSM", "FM", "Federated States of Micronesia;Micronesia", "Micronesian", "Palikir"},
    {"MDA", "MD", "Moldova", "Moldovan", "Chisinau"},
    {"MCO", "MN", "Monaco", "Monegasque", "Monaco"},
    {"MNG", "MG", "Mongolia", "Mongolian", "Ulaanbaatar"},
    {"MNE", "MJ", "Montenegro", "Montenegrin", "Podgorica"},
    {"MAR", "MO", "Morocco", "Moroccan", "Rabat"},
    {"MOZ", "MZ", "Mozambique", "Mozambican", "Maputo"},
    {"MMR", "BM", "Myanmar;Burma", "Burmese", "Naypyidaw;Nay Pyi Taw"},
    {"NAM", "WA", "Namibia", "Namibian", "Windhoek"},
    {"NRU", "NR", "Nauru", "Nauruan", "Yaren"},
    {"NPL", "NP", "Nepal", "Nepali;Nepalese", "Kathmandu"},
    {"NLD", "NL", "Netherlands", "Dutch", "Amsterdam;The Hague"},
    {"NZL", "NZ", "New Zealand", "New Zealander", "Wellington"},
    {"NIC", "NU", "Nicaragua", "Nicaraguan", "Managua"},
    {"NER", "NG", "Niger", "Nigerien", "Niamey"},
    {"NGA", "NI", "Nigeria", "Nigerian", "Abuja"},
    {"NOR", "NO", "Norway", "Norwegian", "Oslo"},
    {"OMN", "MU", "Oman", "Omani", "Muscat"},
    {"PAK", "PK", "Pakistan", "Pakistani", "Islamabad"},
    {"PLW", "PS", "Palau", "Palauan", "Ngerulmud"},
    {"PSE", "GZ", "Palestine;State of Palestine;Gaza Strip", "Palestinian;Palestinians", "Ramallah;Gaza"},
    {"PSE", "WE", "Palestine;State of Palestine;West Bank", "Palestinian;Palestinians", "Ramallah;Gaza"},
    {"PAN", "PM", "Panama", "Panamanian", "Panama City"},
    {"PNG", "PP", "Papua New Guinea", "Papua New Guinean", "Port Moresby"},
    {"PRY", "PA", "Paraguay", "Paraguayan", "Asuncion"},
    {"PER", "PE", "Peru", "Peruvian", "Lima"},
    {"PHL", "RP", "Philippines", "Filipino;Philippine", "Manila"},
    {"POL", "PL", "Poland", "Polish", "Warsaw;Warszawa"},
    {"PRT", "PO", "Portugal", "Portuguese", "Lisbon;Lisboa"},
    {"QAT", "QA", "Qatar", "Qatari", "Doha"},
    {"ROU", "RO", "Romania", "Romanian", "Bucharest"},
    {"RUS", "RS", "Russia", "Russian;Russians", "Moscow;Moskva;Kremlin"},
    {"RWA", "RW", "Rwanda", "Rwandan", "Kigali"},
    {"KNA", "SC", "Saint Kitts and Nevis", "Kittitian", "Basseterre"},
    {"LCA", "ST", "Saint Lucia", "Saint Lucian", "Castries"},
    {"VCT", "VC", "Saint Vincent and the Grenadines", "Vincentian", "Kingstown"},
    {"WSM", "WS", "Samoa", "Samoan", "Apia"},
    {"SMR", "SM", "San Marino", "Sammarinese", "San Marino"},
    {"STP", "TP", "Sao Tome and Principe", "Santomean", "Sao Tome"},
    {"SAU", "SA", "Saudi Arabia", "Saudi;Saudis", "Riyadh"},
    {"SEN", "SG", "Senegal", "Senegalese", "Dakar"},
    {"SRB", "RI", "Serbia", "Serbian", "Belgrade"},
    {"SYC", "SE", "Seychelles", "Seychellois", "Victoria"},
    {"SLE", "SL", "Sierra Leone", "Sierra Leonean", "Freetown"},
    {"SGP", "SN", "Singapore", "Singaporean", "Singapore"},
    {"SVK", "LO", "Slovakia", "Slovak", "Bratislava"},
    {"SVN", "SI", "Slovenia", "Slovenian", "Ljubljana"},
    {"SLB", "BP", "Solomon Islands", "Solomon Islander", "Honiara"},
    {"SOM", "SO", "Somalia", "Somali", "Mogadishu"},
    {"ZAF", "SF", "South Africa", "South African", "Pretoria;Cape Town"},
    {"SSD", "OD", "South Sudan", "South Sudanese", "Juba"},
    {"ESP", "SP", "Spain", "Spanish", "Madrid"},
    {"LKA", "CE", "Sri Lanka", "Sri Lankan", "Colombo;Sri Jayawardenepura Kotte"},
    {"SDN", "SU", "Sudan", "Sudanese", "Khartoum;Port Sudan"},
    {"SUR", "NS", "Suriname", "Surinamese", "Paramaribo"},
    {"SWZ", "WZ", "Eswatini;Swaziland", "Swazi", "Mbabane"},
    {"SWE", "SW", "Sweden", "Swedish", "Stockholm"},
    {"CHE", "SZ", "Switzerland", "Swiss", "Bern"},
    {"SYR", "SY", "Syria", "Syrian;Syrians", "Damascus"},
    {"TWN", "TW", "Taiwan", "Taiwanese", "Taipei"},
    {"TJK", "TI", "Tajikistan", "Tajik", "Dushanbe"},
    {"TZA", "TZ", "Tanzania", "Tanzanian", "Dodoma;Dar es Salaam"},
    {"THA", "TH", "Thailand", "Thai", "Bangkok"},
    {"TLS", "TT", "East Timor;Timor-Leste", "Timorese", "Dili"},
    {"TGO", "TO", "Togo", "Togolese", "Lome"},
    {"TON", "TN", "Tonga", "Tongan", "Nuku'alofa"},
    {"TTO", "TD", "Trinidad and Tobago", "Trinidadian", "Port of Spain"},
    {"TUN", "TS", "Tunisia", "Tunisian", "Tunis"},
    {"TUR", "TU", "Turkey", "Turkish", "Ankara"},
    {"TKM", "TX", "Turkmenistan", "Turkmen", "Ashgabat"},
    {"TUV", "TV", "Tuvalu", "Tuvaluan", "Funafuti"},
    {"UGA", "UG", "Uganda", "Ugandan", "Kampala"},
    {"UKR", "UP", "Ukraine", "Ukrainian;Ukrainians", "Kyiv;Kiev"},
    {"ARE", "AE", "United Arab Emirates;UAE", "Emirati", "Abu Dhabi"},
    {"GBR", "UK", "United Kingdom;UK;Britain;Great Britain", "British;Briton;Britons", "London;Westminster"},
    {"USA", "US", "United States;United States of America;USA;US;U.S.;America", "American;Americans", "District of Columbia;White House;Pentagon;Capitol"},
    {"URY", "UY", "Uruguay", "Uruguayan", "Montevideo"},
    {"UZB", "UZ", "Uzbekistan", "Uzbek", "Tashkent"},
    {"VUT", "NH", "Vanuatu", "Ni-Vanuatu", "Port Vila"},
    {"VAT", "VT", "Vatican City;Holy See", "Vatican", "Vatican City"},
    {"VEN", "VE", "Venezuela", "Venezuelan", "Caracas"},
    {"VNM", "VM", "Vietnam", "Vietnamese", "Hanoi"},
    {"YEM", "YM", "Yemen", "Yemeni", "Sanaa;Aden"},
    {"ZMB", "ZA", "Zambia", "Zambian", "Lusaka"},
    {"ZWE", "ZI", "Zimbabwe", "Zimbabwean", "Harare"},
    {"XKX", "KV", "Kosovo", "Kosovar", "Pristina"},
    {"GRL", "GL", "Greenland", "Greenlandic", "Nuuk"},
    {"PRI", "RQ", "Puerto Rico", "Puerto Rican", "San Juan"},
    {"AFR", "", "Africa", "African", ""},
    {"ASA", "", "Asia", "Asian", ""},
    {"EUR", "", "Europe", "European;Europeans", ""},
    {"MEA", "", "Middle East", "Middle Eastern", ""},
    {"LAM", "", "Latin America", "Latin American", ""},
    {"SAM", "", "South America", "South American", ""},
    {"NMR", "", "North America", "North American", ""},
    {"CRB", "", "Caribbean", "Caribbean", ""},
    {"EEU", "", "Eastern Europe", "Eastern European", ""},
    {"WST", "", "Western world", "Western", ""},
    {"COK", "CW", "Cook Islands", "Cook Islander", "Avarua"},
    {"SEA", "", "Southeast Asia", "Southeast Asian", ""},
    {"WAF", "", "West Africa", "West African", ""},
    {"PGS", "", "Persian Gulf", "Gulf", ""},
};

const size_t country_table_n = sizeof country_table / sizeof country_table[0];

/* ---- names to rows --------------------------------------------------------------------------- */

/* A byte of a word: ASCII letters and digits, and every non-ASCII byte: rerank.c's is_token_byte,
   which splits the titles these names are compared with (the two must agree). */
static int word_byte(unsigned char c)
{
    return (c < 0x80 && isalnum(c)) || c >= 0x80;
}

/* country_rows_named: an index of every name's words, lower case, one space apart, sorted, built
   once (the reranker asks for each candidate pair; scanning the table each time was its largest
   cost). */
typedef struct name_row {
    char *words;
    size_t row;
} name_row;
static name_row *name_index;
static size_t name_index_n;
static pthread_once_t name_index_once = PTHREAD_ONCE_INIT;

static int name_row_cmp(const void *a, const void *b)
{
    return strcmp(((const name_row *)a)->words, ((const name_row *)b)->words);
}

/* The words of s[0..n) by the tokenizer's rule, lower case, one space apart (malloc'd). */
static char *joined_words(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0, i = 0;
    while (i < n) {
        while (i < n && !word_byte((unsigned char)s[i])) i++;
        if (i == n) break;
        if (o) out[o++] = ' ';
        while (i < n && word_byte((unsigned char)s[i])) {
            unsigned char c = (unsigned char)s[i++];
            out[o++] = (char)(c < 0x80 ? tolower(c) : c);
        }
    }
    out[o] = '\0';
    return out;
}

static void build_name_index(void)
{
    size_t cap = 0;
    for (size_t c = 0; c < country_table_n; c++)
        for (const char *p = country_table[c].names; p && *p;) {
            const char *e = strchr(p, ';');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            char *w = joined_words(p, n);
            if (w && *w && name_index_n == cap) {
                cap = cap ? 2 * cap : 1024;
                name_row *g = realloc(name_index, cap * sizeof *g);
                if (!g) {
                    free(w);
                    return; /* out of memory: the index stays what it is (fewer matches) */
                }
                name_index = g;
            }
            if (w && *w) name_index[name_index_n++] = (name_row){w, c};
            else free(w);
            p = e ? e + 1 : p + n;
        }
    qsort(name_index, name_index_n, sizeof *name_index, name_row_cmp);
}

size_t country_rows_named(const char *words, size_t *rows, size_t cap)
{
    pthread_once(&name_index_once, build_name_index);
    if (!words || !*words || !name_index_n) return 0;
    name_row probe = {(char *)words, 0};
    const name_row *hit = bsearch(&probe, name_index, name_index_n, sizeof *name_index, name_row_cmp);
    if (!hit) return 0;
    while (hit > name_index && !strcmp(hit[-1].words, words)) hit--;
    size_t n = 0;
    for (; hit < name_index + name_index_n && !strcmp(hit->words, words); hit++) {
        int dup = 0;
        for (size_t i = 0; i < n; i++) dup |= rows[i] == hit->row;
        if (!dup && n < cap) rows[n++] = hit->row;
    }
    return n;
}
