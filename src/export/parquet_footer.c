/* The Parquet footer (parquet_int.h): the schema, the row groups and their column chunks'
 * metadata in Thrift's compact protocol, then its length and the magic. */
#include "export/parquet_int.h"

#include "export/thrift_compact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- footer ---- */
/* A leaf's converted type and its logical type, a union member with no fields. */
static void logical_type(tc_writer *t, int32_t converted, int16_t member)
{
    tc_i32(t, 6, converted);
    tc_struct_begin(t, 10);
    tc_struct_begin(t, member);
    tc_struct_end(t);
    tc_struct_end(t);
}

static void write_schema_element(tc_writer *t, const pq_node *n, int is_root, int root_children)
{
    tc_elem_struct_begin(t);
    if (is_root) {
        tc_string(t, 4, "schema");
        tc_i32(t, 5, root_children);
        tc_struct_end(t);
        return;
    }
    if (n->num_children == 0) tc_i32(t, 1, pq_physical_of(n->type));
    tc_i32(t, 3, (int32_t)n->repetition);
    tc_string(t, 4, n->name);
    if (n->num_children > 0) {
        tc_i32(t, 5, n->num_children);
        if (n->group_kind) tc_i32(t, 6, n->group_kind);
    } else if (n->type == PQ_STRING) {
        logical_type(t, CT_UTF8, 1);  /* STRING */
    } else if (n->type == PQ_DATE) {
        logical_type(t, CT_DATE, 6);  /* DATE */
    } else if (n->type == PQ_TIMESTAMP_MICROS) {
        tc_i32(t, 6, CT_TIMESTAMP_MICROS);
        tc_struct_begin(t, 10);
        tc_struct_begin(t, 8);  /* TIMESTAMP */
        tc_bool(t, 1, 1);       /* isAdjustedToUTC */
        tc_struct_begin(t, 2);  /* unit */
        tc_struct_begin(t, 2);  /* MICROS */
        tc_struct_end(t);
        tc_struct_end(t);
        tc_struct_end(t);
        tc_struct_end(t);
    }
    tc_struct_end(t);
}

int pq_write_footer(pq_writer *w)
{
    buf out = BUF_INIT;
    tc_writer t;
    tc_init(&t, &out);
    tc_i32(&t, 1, 1);
    /* schema: the root, then the nodes in pre-order */
    int root_children = 0;
    for (size_t i = 0; i < w->nnodes;) {
        root_children++;
        /* skip the subtree */
        size_t pending = 1;
        while (pending && i < w->nnodes) {
            pending += (size_t)w->nodes[i].num_children;
            pending--;
            i++;
        }
    }
    tc_list_begin(&t, 2, TC_STRUCT, w->nnodes + 1);
    write_schema_element(&t, NULL, 1, root_children);
    for (size_t i = 0; i < w->nnodes; i++) write_schema_element(&t, &w->nodes[i], 0, 0);
    tc_i64(&t, 3, w->total_rows);
    tc_list_begin(&t, 4, TC_STRUCT, w->ngroups);
    for (size_t g = 0; g < w->ngroups; g++) {
        tc_elem_struct_begin(&t);
        tc_list_begin(&t, 1, TC_STRUCT, (size_t)w->ncols);
        int64_t total_uncomp = 0, total_comp = 0, first = -1;
        for (int ci = 0; ci < w->ncols; ci++) {
            const column *c = &w->cols[ci];
            const chunk_meta *m = &c->done[g];
            int64_t start = m->used_dict ? m->dict_offset : m->data_offset;
            if (first < 0) first = start;
            total_uncomp += m->uncompressed;
            total_comp += m->compressed;
            tc_elem_struct_begin(&t);
            tc_i64(&t, 2, start);
            tc_struct_begin(&t, 3);
            tc_i32(&t, 1, c->physical);
            tc_list_begin(&t, 2, TC_I32, m->used_dict ? 3 : 2);
            tc_elem_i32(&t, E_RLE);
            tc_elem_i32(&t, E_PLAIN);
            if (m->used_dict) tc_elem_i32(&t, E_RLE_DICTIONARY);
            tc_list_begin(&t, 3, TC_BINARY, (size_t)c->path_len);
            for (int p = 0; p < c->path_len; p++) tc_elem_string(&t, c->path[p]);
            tc_i32(&t, 4, (int32_t)w->opt.codec);
            tc_i64(&t, 5, m->num_values);
            tc_i64(&t, 6, m->uncompressed);
            tc_i64(&t, 7, m->compressed);
            tc_i64(&t, 9, m->data_offset);
            if (m->used_dict) tc_i64(&t, 11, m->dict_offset);
            tc_struct_begin(&t, 12);
            tc_i64(&t, 3, m->null_count);
            if (m->has_stats) {
                tc_binary(&t, 5, m->max, m->max_len);
                tc_binary(&t, 6, m->min, m->min_len);
            }
            tc_struct_end(&t);
            tc_struct_end(&t);  /* ColumnMetaData */
            tc_struct_end(&t);  /* ColumnChunk */
        }
        tc_i64(&t, 2, total_uncomp);
        tc_i64(&t, 3, w->group_rows[g]);
        tc_i64(&t, 5, first < 0 ? 4 : first);
        tc_i64(&t, 6, total_comp);
        tc_struct_end(&t);
    }
    tc_string(&t, 6, w->opt.created_by ? w->opt.created_by : "wikigdelt");
    /* column_orders: TypeDefinedOrder for every leaf, so readers trust min_value/max_value */
    tc_list_begin(&t, 7, TC_STRUCT, (size_t)w->ncols);
    for (int ci = 0; ci < w->ncols; ci++) {
        tc_elem_struct_begin(&t);
        tc_struct_begin(&t, 1);
        tc_struct_end(&t);
        tc_struct_end(&t);
    }
    int rc = tc_finish(&t) ? pq_fail(w, "footer encoding failed") : 0;
    uint32_t len = (uint32_t)out.len;
    if (!rc) rc = pq_write_bytes(w, out.data, out.len);
    if (!rc) rc = pq_write_bytes(w, &len, 4);
    if (!rc) rc = pq_write_bytes(w, "PAR1", 4);
    buf_free(&out);
    return rc;
}

