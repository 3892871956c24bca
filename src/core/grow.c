/* Growable arrays (grow.h). */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow_array(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : (first ? first : 1);
    if (nc < *cap || (elem && nc > SIZE_MAX / elem)) return -1;
    void *v;
    memcpy(&v, arrp, sizeof v); /* the caller's T *, read without type punning */
    void *nv = realloc(v, nc * elem);
    if (!nv) return -1;
    memcpy(arrp, &nv, sizeof nv);
    *cap = nc;
    return 0;
}
