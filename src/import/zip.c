/*
 * A .zip archive read through libzip (import/zip.h), built as the module hallpass-zip.so.
 * libzip appears only in this file. Each member is inflated a chunk at a time, so that one
 * past the caller's cap is refused before it is all in memory.
 */
#include "import/zip.h"

#include "core/error.h"

#include <zip.h>

/* Bytes inflated from a member at a time. */
#define ZIP_CHUNK 65536

/* Bytes in a mebibyte, for the cap in the words of an error. */
#define MIB (1024 * 1024)

static int zip_reader_open(hp_zip *zip, const char *path, const void *data, size_t len, char **why)
{
    *zip = (hp_zip){0};
    *why = NULL;
    zip_t *archive = NULL;
    zip_error_t zerr;
    zip_error_init(&zerr);
    if (path) {
        int code = 0;
        if ((archive = zip_open(path, ZIP_RDONLY, &code)) == NULL)
            zip_error_init_with_code(&zerr, code);
    } else {
        zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
        if (src && (archive = zip_open_from_source(src, ZIP_RDONLY, &zerr)) == NULL)
            zip_source_free(src);
    }
    if (archive == NULL) {
        *why = g_strdup(zip_error_strerror(&zerr));
        zip_error_fini(&zerr);
        return HP_EINVALID;
    }
    zip_error_fini(&zerr);
    zip_int64_t n = zip_get_num_entries(archive, 0);
    zip->names = g_ptr_array_new_with_free_func(g_free);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(archive, (zip_uint64_t)i, 0);
        g_ptr_array_add(zip->names, g_strdup(name ? name : ""));
    }
    zip->archive = archive;
    return HP_OK;
}

static int zip_reader_inflate(hp_zip *zip, size_t index, size_t max, GByteArray *bytes, char **why)
{
    *why = NULL;
    zip_t *archive = zip->archive;
    zip_file_t *f = zip_fopen_index(archive, (zip_uint64_t)index, 0);
    if (f == NULL) {
        *why = g_strdup_printf("cannot be read: %s", zip_strerror(archive));
        return HP_EINVALID;
    }
    char *chunk = g_malloc(ZIP_CHUNK);
    int rc = HP_OK;
    zip_int64_t got;
    while ((got = zip_fread(f, chunk, ZIP_CHUNK)) > 0) {
        if (bytes->len + (size_t)got > max) {
            *why = g_strdup_printf("larger than %zu MiB once unpacked", max / MIB);
            rc = HP_ETOOBIG;
            break;
        }
        g_byte_array_append(bytes, (const guint8 *)chunk, (guint)got);
    }
    if (rc == HP_OK && got < 0) {
        *why = g_strdup_printf("cannot be unpacked: %s", zip_file_strerror(f));
        rc = HP_EINVALID;
    }
    zip_fclose(f);
    g_free(chunk);
    return rc;
}

static void zip_reader_release(hp_zip *zip)
{
    if (zip->archive)
        zip_discard(zip->archive);
    if (zip->names)
        g_ptr_array_free(zip->names, TRUE);
    *zip = (hp_zip){0};
}

const hp_zip_ops *hp_zip_reader(void)
{
    static const hp_zip_ops ops = {
        .open = zip_reader_open,
        .inflate = zip_reader_inflate,
        .release = zip_reader_release,
    };
    return &ops;
}
