/*
 * Reading a .zip archive: its members' names and one member's contents. src/import/zip.c, the
 * only user of libzip, is built as the module hallpass-zip.so (see core/module.h), since
 * libzip brings libcrypto, libbz2 and zlib with it and only a OneRoster export in a .zip uses
 * them; the OneRoster reader (oneroster.c) finds hp_zip_reader() there.
 */
#ifndef HP_IMPORT_ZIP_H
#define HP_IMPORT_ZIP_H

#include <glib.h>
#include <stddef.h>

/* An archive open for reading. */
typedef struct {
    GPtrArray
        *names;    /* char *, one per member in the archive's order; "" for an unreadable name. */
    void *archive; /* libzip's, for inflate. */
} hp_zip;

typedef struct {
    /* Opens the archive at path, or, when path is NULL, the one in data (len bytes, which must
     * outlive zip). HP_EINVALID with *why (g_free it) saying why when it is not a .zip. */
    int (*open)(hp_zip *zip, const char *path, const void *data, size_t len, char **why);
    /* Appends member index, unpacked, to bytes. HP_ETOOBIG past max bytes, HP_EINVALID when
     * it cannot be read or unpacked; *why (g_free it) then says so. */
    int (*inflate)(hp_zip *zip, size_t index, size_t max, GByteArray *bytes, char **why);
    void (*release)(hp_zip *zip);
} hp_zip_ops;

/* The function hallpass-zip.so exports, by this name: the table of the functions above. */
#define HP_ZIP_READER_SYMBOL "hp_zip_reader"
const hp_zip_ops *hp_zip_reader(void);
typedef const hp_zip_ops *(*hp_zip_reader_fn)(void);

#endif
