/* Digest of a whole file (model files are checked and keyed by their SHA-256). */
#ifndef WG_FILEHASH_H
#define WG_FILEHASH_H

/* SHA-256 of the file at path as 64 lower-case hex digits (hex[64] = 0); *size, when given, gets
 * the bytes read. Returns 0; -1 when the file cannot be opened (errno set by fopen) and -2 when
 * reading or hashing it fails. */
int file_sha256(const char *path, char hex[65], long long *size);

#endif
