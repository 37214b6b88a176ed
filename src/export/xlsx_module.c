/*
 * XLSX export from the core: the workbook is written by the module hallpass-xlsx.so
 * (export/xlsx.h), loaded the first time a workbook is written, so that no other command
 * loads libxlsxwriter and the libminizip and libcrypto under it. A stream gets the workbook
 * through a temporary file, since a zip archive cannot be streamed.
 */
#include "export/export.h"
#include "export/xlsx.h"

#include "core/error.h"
#include "core/module.h"

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

/* The workbook is copied from its temporary file in pieces of this size. */
#define COPY_BUFFER_BYTES 65536

/* Linked in where the XLSX writer's object is (the unit tests and the fuzz targets); in the
 * hallpass binary it is in the module. */
extern int hp_xlsx_write(const hp_report *report, const char *path) __attribute__((weak));

int hp_export_xlsx_file(const hp_report *report, const char *path)
{
    hp_xlsx_write_fn write = hp_xlsx_write;
    if (write == NULL) {
        void *sym;
        int rc = hp_module_symbol(HP_MODULE_XLSX, "an XLSX workbook", HP_XLSX_WRITE_SYMBOL, &sym);
        if (rc < 0)
            return rc;
        write = (hp_xlsx_write_fn)sym;
    }
    return write(report, path);
}

int hp_export_xlsx(const hp_report *report, FILE *out)
{
    const char *dir = g_get_tmp_dir();
    char *path = g_build_filename(dir, "hallpass-XXXXXX.xlsx", NULL);
    int fd = g_mkstemp(path);
    int rc;

    if (fd < 0) {
        rc = hp_error_set(HP_EIO, "cannot create a temporary file in %s", dir);
        g_free(path);
        return rc;
    }
    close(fd);
    rc = hp_export_xlsx_file(report, path);
    if (rc == HP_OK) {
        FILE *in = fopen(path, "rb");
        char buf[COPY_BUFFER_BYTES];
        size_t n;
        if (in == NULL) {
            rc = hp_error_set(HP_EIO, "cannot read back the workbook");
        } else {
            while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                if (fwrite(buf, 1, n, out) != n)
                    break;
            if (ferror(in) || fflush(out) != 0 || ferror(out))
                rc = hp_error_set(HP_EIO, "writing the workbook failed");
            fclose(in);
        }
    }
    unlink(path);
    g_free(path);
    return rc;
}
