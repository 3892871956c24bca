/* Reader of the safetensors format (a little-endian u64 header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw tensor bytes). The file is memory-mapped and
 * every header entry is checked against the file size before anything is used, so a truncated or
 * hostile file is a clear error naming the file and the tensor, never an out-of-bounds read. */
#ifndef WG_SAFETENSORS_H
#define WG_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

enum st_dtype { ST_F32, ST_F16, ST_BF16, ST_I64, ST_I32, ST_I8, ST_U8, ST_OTHER };

#define ST_MAX_DIMS 8

typedef struct st_tensor {
    char *name;
    enum st_dtype dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    const void *data; /* inside the mapping */
    size_t nbytes;
} st_tensor;

typedef struct st_file st_file;

/* Maps and validates PATH. On error returns -1 with "PATH: what is wrong" in err. */
int st_open(const char *path, st_file **out, char *err, size_t errlen);
void st_close(st_file *f);
size_t st_count(const st_file *f);
const st_tensor *st_at(const st_file *f, size_t i);
const st_tensor *st_find(const st_file *f, const char *name);
/* Finds NAME and checks its dtype and exact shape (ndim entries); a missing tensor or a mismatch
 * is an error naming the file and the tensor. */
const st_tensor *st_expect(const st_file *f, const char *name, enum st_dtype dtype, int ndim,
                           const int64_t *shape, char *err, size_t errlen);
const char *st_dtype_name(enum st_dtype d);

#endif
