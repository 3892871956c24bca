/* librdkafka clients (kafka_client.h). */
#include "core/kafka_client.h"

#include <stdio.h>

rd_kafka_t *kafka_client_new(rd_kafka_type_t type, const char *brokers, const char *const *settings, char *err,
                             size_t errlen)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int ok = rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr, sizeof errstr) == RD_KAFKA_CONF_OK;
    for (size_t i = 0; ok && settings && settings[i] && settings[i + 1]; i += 2)
        ok = rd_kafka_conf_set(conf, settings[i], settings[i + 1], errstr, sizeof errstr) == RD_KAFKA_CONF_OK;
    if (!ok) {
        snprintf(err, errlen, "kafka configuration: %s", errstr);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk) {
        snprintf(err, errlen, "kafka %s: %s", type == RD_KAFKA_PRODUCER ? "producer" : "consumer", errstr);
        rd_kafka_conf_destroy(conf);
    }
    return rk;
}
