/* Synthetic topics for the simulator when no recording is available (see sim_world.h). The
 * places' coordinates are the real ones of those cities, so the heatmap looks like a map. */
#include "source/sim_world.h"

#include <stdio.h>
#include <string.h>

const sim_topic sim_topics[] = {
    {"2024 Bangladesh floods", "BGD", "BANGLADESH", "", "", "0233", "Dhaka, Dhaka, Bangladesh", "BG", 23.7231, 90.4086, -6.1, "bangladesh-floods-displace-thousands-aid-appeal"},
    {"Paris 2024 Olympics", "FRA", "FRANCE", "", "", "043", "Paris, Ile-de-France, France", "FR", 48.8667, 2.3333, 3.2, "paris-olympics-opening-ceremony-on-the-seine"},
    {"Hurricane Beryl", "USA", "UNITED STATES", "MEX", "MEXICO", "0233", "Houston, Texas, United States", "US", 29.7633, -95.3633, -5.4, "hurricane-beryl-makes-landfall-in-texas-power-outages"},
    {"Russian invasion of Ukraine", "RUS", "RUSSIA", "UKR", "UKRAINE", "190", "Kyiv, Kyyiv, Misto, Ukraine", "UP", 50.4333, 30.5167, -8.3, "russian-missile-strikes-hit-kyiv-children-hospital"},
    {"2024 NATO Washington summit", "USA", "UNITED STATES", "IGONAT", "NATO", "043", "Washington, District of Columbia, United States", "US", 38.8951, -77.0364, 1.1, "nato-summit-washington-leaders-pledge-support-ukraine"},
    {"Gaza war", "ISR", "ISRAEL", "PSE", "PALESTINE", "190", "Gaza, Israel (general), Israel", "IS", 31.4167, 34.3333, -9.0, "israeli-strikes-gaza-ceasefire-talks-resume"},
    {"2024 Kenya Finance Bill protests", "KEN", "KENYA", "GOV", "GOVERNMENT", "141", "Nairobi, Nairobi Area, Kenya", "KE", -1.2833, 36.8167, -7.2, "kenya-protesters-march-against-finance-bill-tax-rises"},
    {"2024 United Kingdom general election", "GBR", "UNITED KINGDOM", "", "", "020", "London, London, City of, United Kingdom", "UK", 51.5, -0.1167, 0.8, "uk-general-election-labour-wins-landslide"},
    {"Euro 2024", "ESP", "SPAIN", "GBR", "ENGLAND", "042", "Berlin, Berlin, Germany", "GM", 52.5167, 13.4, 4.0, "spain-beat-england-euro-2024-final-berlin"},
    {"2024 Venezuelan presidential election", "VEN", "VENEZUELA", "OPP", "OPPOSITION", "112", "Caracas, Distrito Federal, Venezuela", "VE", 10.5, -66.9167, -4.5, "venezuela-election-opposition-disputes-maduro-victory"},
    {"Wildfires in Canada", "CAN", "CANADA", "", "", "0233", "Jasper, Alberta, Canada", "CA", 52.8833, -118.0833, -5.9, "jasper-wildfire-forces-evacuation-alberta"},
    {"2024 Japan earthquake", "JPN", "JAPAN", "", "", "0233", "Tokyo, Tokyo, Japan", "JA", 35.685, 139.7514, -4.8, "strong-earthquake-shakes-japan-tsunami-advisory"},
    {"Iran nuclear program", "IRN", "IRAN", "USA", "UNITED STATES", "111", "Tehran, Tehran, Iran", "IR", 35.6719, 51.4244, -3.7, "iran-rejects-us-criticism-nuclear-enrichment"},
    {"2024 Indian general election", "IND", "INDIA", "", "", "020", "New Delhi, Delhi, India", "IN", 28.6, 77.2, 1.5, "india-election-results-modi-coalition-government"},
    {"Sudanese civil war", "SDN", "SUDAN", "REB", "RAPID SUPPORT FORCES", "190", "Khartoum, Khartoum, Sudan", "SU", 15.5881, 32.5342, -8.8, "sudan-fighting-khartoum-famine-warning"},
    {"Taiwan Strait", "CHN", "CHINA", "TWN", "TAIWAN", "138", "Taipei, T'ai-pei, Taiwan", "TW", 25.0392, 121.525, -4.1, "china-military-drills-around-taiwan-strait"},
    {"2024 Brazil floods", "BRA", "BRAZIL", "", "", "0233", "Porto Alegre, Rio Grande do Sul, Brazil", "BR", -30.0333, -51.2, -6.3, "brazil-floods-porto-alegre-rescue-efforts"},
    {"South China Sea", "PHL", "PHILIPPINES", "CHN", "CHINA", "172", "Manila, Manila, Philippines", "RP", 14.6042, 120.9822, -5.0, "philippines-accuses-china-coast-guard-south-china-sea"},
    {"Climate change in Australia", "AUS", "AUSTRALIA", "", "", "036", "Canberra, Australian Capital Territory, Australia", "AS", -35.2833, 149.2167, -1.2, "australia-climate-targets-emissions-policy-debate"},
    {"2024 South Korean martial law", "KOR", "SOUTH KOREA", "GOV", "GOVERNMENT", "141", "Seoul, Seoul-t'ukpyolsi, South Korea", "KS", 37.5664, 126.9997, -6.7, "seoul-protesters-demand-president-resign"},
};
const size_t sim_topic_count = sizeof sim_topics / sizeof sim_topics[0];

/* Eight ActionGeo/ActorGeo fields: type, full name, country, ADM1, ADM2, lat, long, feature id. */
static void geo_fields(buf *out, const sim_topic *t)
{
    buf_appendf(out, "\t4\t%s\t%s\t%s\t\t%.4f\t%.4f\t%s", t->place, t->fips, t->fips, t->lat, t->lon,
                t->fips);
}

static void actor_fields(buf *out, const char *code, const char *name)
{
    /* Code, Name, CountryCode, KnownGroup, Ethnic, Religion1, Religion2, Type1, Type2, Type3 */
    int country = code[0] && strlen(code) == 3;
    buf_appendf(out, "\t%s\t%s\t%s\t\t\t\t\t\t\t", code, name, country ? code : "");
}

int sim_world_export_csv(buf *out, int64_t first_id, const char *dateadded, int rows)
{
    for (int i = 0; i < rows; i++) {
        const sim_topic *t = &sim_topics[(size_t)i % sim_topic_count];
        char root[3] = {t->event_code[0], t->event_code[1], 0};
        /* CAMEO quad classes: 01-05 verbal cooperation, 06-08 material cooperation, 09-14 verbal
         * conflict, 15-20 material conflict. */
        int r = (root[0] - '0') * 10 + (root[1] - '0');
        int quad = r <= 5 ? 1 : r <= 8 ? 2 : r <= 14 ? 3 : 4;
        buf_appendf(out, "%lld\t%.8s\t%.6s\t%.4s\t%.4s.5370", (long long)(first_id + i), dateadded,
                    dateadded, dateadded, dateadded);
        actor_fields(out, t->actor1_code, t->actor1_name);
        actor_fields(out, t->actor2_code, t->actor2_name);
        buf_appendf(out, "\t1\t%s\t%.3s\t%s\t%d\t%.1f\t%d\t%d\t%d\t%.6f", t->event_code,
                    t->event_code, root, quad, quad <= 2 ? 3.0 : -5.0, 4 + i % 7, 1 + i % 3,
                    4 + i % 7, t->tone + (double)(i % 5) * 0.3);
        geo_fields(out, t);
        geo_fields(out, t);
        geo_fields(out, t);
        buf_appendf(out, "\t%s\thttps://news.example.org/world/%s-%d\n", dateadded, t->slug, i / (int)sim_topic_count);
    }
    return out->data ? 0 : -1;
}
