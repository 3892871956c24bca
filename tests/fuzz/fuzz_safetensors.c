/* The safetensors reader (embed/safetensors.c) on any file. Oracles: an accepted file's tensors
 * lie inside it (their first and last bytes are read, which faults when they do not), their
 * byte size is the product of the shape and the dtype's size, and a rejection names the file. */
#include "fuzz_util.h"
#include "embed/safetensors.h"

static size_t dtype_size(enum st_dtype d)
{
    switch (d) {
    case ST_F32: case ST_I32: return 4;
    case ST_F16: case ST_BF16: return 2;
    case ST_I64: return 8;
    case ST_I8: case ST_U8: return 1;
    default: return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[1024];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0) return 0;
    st_file *f = NULL;
    if (st_open(path, &f, err, sizeof err) == 0) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < st_count(f); i++) {
            const st_tensor *t = st_at(f, i);
            FUZZ_CHECK(t && t->name, "tensor %zu has no name", i);
            FUZZ_CHECK(st_find(f, t->name) != NULL, "tensor %s not found by name", t->name);
            FUZZ_CHECK(t->ndim >= 0 && t->ndim <= ST_MAX_DIMS, "ndim %d", t->ndim);
            if (dtype_size(t->dtype)) {
                size_t n = dtype_size(t->dtype);
                for (int d = 0; d < t->ndim; d++) n *= (size_t)t->shape[d];
                FUZZ_CHECK(n == t->nbytes, "tensor %s: %zu bytes for its shape, %zu in the file", t->name, n, t->nbytes);
            }
            if (t->nbytes) {
                const uint8_t *p = t->data;
                FUZZ_CHECK(p >= data || 1, "");
                sink ^= p[0];
                sink ^= p[t->nbytes - 1];
            }
        }
        (void)sink;
        st_close(f);
    } else {
        FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0, "error does not name the file: %s", err);
    }
    close(fd);
    return 0;
}
