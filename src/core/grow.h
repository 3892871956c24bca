/* Room for one more element in a growable array (pointer, count, capacity), the capacity
 * doubling from a first size: the one copy of the realloc dance every list in the tree needs. */
#ifndef WG_GROW_H
#define WG_GROW_H

#include <stddef.h>

/* arrp: the address of the array's pointer (any T **); n: elements in use; *cap: allocated;
 * elem: sizeof(T). When n == *cap the array is reallocated to twice *cap (first when 0).
 * Returns 0, or -1 out of memory (the array and *cap unchanged). */
int grow_array(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);

/* Reallocates the array at arrp (any T **) to hold n elements of elem bytes, for arrays that
 * grow in step and share one capacity. Returns 0, or -1 out of memory (the array unchanged). */
int grow_to(void *arrp, size_t n, size_t elem);

#endif
