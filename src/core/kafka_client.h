/* One way to make a librdkafka client: the brokers, the client's own settings and the same error
 * texts for the Kafka source and the Kafka sink. */
#ifndef WG_CORE_KAFKA_CLIENT_H
#define WG_CORE_KAFKA_CLIENT_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* A consumer or producer on brokers with settings, a NULL-terminated list of name, value pairs
 * given to rd_kafka_conf_set in order. NULL on failure, with err saying which setting or why the
 * client could not be made. */
rd_kafka_t *kafka_client_new(rd_kafka_type_t type, const char *brokers, const char *const *settings, char *err,
                             size_t errlen);

#endif
