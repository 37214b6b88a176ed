/*
 * A streaming CSV reader over libcsv: hands over one record at a time with the line it
 * starts on, in memory bounded by the size caps whatever the file's length.
 */
#ifndef HP_IMPORT_CSV_READER_H
#define HP_IMPORT_CSV_READER_H

#include <stddef.h>
#include <stdio.h>

#define HP_CSV_RECORD_MAX 65536 /* Bytes in one record. */
#define HP_CSV_FIELDS_MAX 32    /* Fields in one record. */

/* Called for each record; fields are NUL-terminated and hold no NUL byte. A negative return
 * stops the reading, and its message gets "LABEL:LINE: " before it. */
typedef int (*hp_csv_record_fn)(void *data, size_t line, char **fields, size_t count);

/* Called now and then while reading, with the bytes read so far. */
typedef void (*hp_csv_progress_fn)(void *data, size_t records, long long bytes);

typedef struct {
    const char *label; /* Names the input in error messages, usually its path. */
    hp_csv_record_fn on_record;
    hp_csv_progress_fn on_progress; /* May be NULL. */
    void *data;
} hp_csv_reader;

/* Reads all of in. A leading UTF-8 byte-order mark is skipped. */
int hp_csv_read(const hp_csv_reader *reader, FILE *in);

#endif
