/* Digest of a whole file (model files are checked and keyed by their SHA-256). */
#ifndef WG_FILEHASH_H
#define WG_FILEHASH_H

typedef enum filehash_result {
    FILEHASH_OK = 0,
    FILEHASH_CANNOT_OPEN = -1, /* errno set by fopen */
    FILEHASH_READ_FAILED = -2, /* reading or hashing it failed */
} filehash_result;

/* SHA-256 of the file at path as 64 lower-case hex digits (hex[64] = 0); *size, when given, gets
 * the bytes read. */
filehash_result file_sha256(const char *path, char hex[65], long long *size);

#endif
