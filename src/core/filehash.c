#include "core/filehash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

filehash_result file_sha256(const char *path, char hex[65], long long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return FILEHASH_CANNOT_OPEN;
    enum { CHUNK = 1 << 20 };
    unsigned char *chunk = malloc(CHUNK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    long long total = 0;
    int ok = chunk && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    size_t n;
    while (ok && (n = fread(chunk, 1, CHUNK, f)) > 0) {
        ok = EVP_DigestUpdate(ctx, chunk, n);
        total += (long long)n;
    }
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 32;
    EVP_MD_CTX_free(ctx);
    free(chunk);
    fclose(f);
    if (!ok) return FILEHASH_READ_FAILED;
    for (unsigned i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (size) *size = total;
    return FILEHASH_OK;
}
