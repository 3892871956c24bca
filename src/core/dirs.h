/* Directories: creating a path with its parents (mkdir -p). */
#ifndef WG_DIRS_H
#define WG_DIRS_H

/* Creates path and every missing parent (mode 0755); an existing directory is fine. Returns 0, or
 * -1 with errno set (ENAMETOOLONG for a path over 4095 bytes). */
int make_dirs(const char *path);

#endif
