/* Growable arrays (grow.h). */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow_to(void *arrp, size_t n, size_t elem)
{
    if (elem && n > SIZE_MAX / elem) return -1;
    void *v;
    memcpy(&v, arrp, sizeof v); /* the caller's T *, read without type punning */
    void *nv = realloc(v, n * elem);
    if (!nv) return -1;
    memcpy(arrp, &nv, sizeof nv);
    return 0;
}

int grow_array(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : (first ? first : 1);
    if (nc < *cap || grow_to(arrp, nc, elem) != 0) return -1;
    *cap = nc;
    return 0;
}
