/*
 * Streaming CSV over libcsv in strict RFC 4180 mode. libcsv does not count lines, so the
 * input is fed one line at a time (a line ends at LF, CR or CR LF): before each line, a parser that
 * has no record under way means the next record starts on this line. Blank lines are skipped by
 * libcsv and so are skipped here too.
 */
#include "import/csv_reader.h"

#include "core/error.h"

#include <csv.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define CHUNK 65536           /* Bytes read from the file at a time. */
#define PROGRESS_EVERY 8192   /* Records between progress calls. */
#define FIELD_CAPACITY_MIN 64 /* A field's first buffer: most values fit, so few grow. */

typedef struct {
    const hp_csv_reader *reader;
    char *fields[HP_CSV_FIELDS_MAX];
    size_t capacity[HP_CSV_FIELDS_MAX]; /* Each field's buffer is kept for the next record. */
    size_t field_count;
    size_t line;         /* Line being fed. */
    size_t record_line;  /* Line the current record started on. */
    size_t record_bytes; /* Bytes fed since the current record started. */
    size_t records;
    long long bytes;
    int rc;
} read_state;

static int fail(read_state *st, size_t line, int code, const char *message)
{
    if (st->rc == HP_OK) {
        hp_error_set(code, "%s", message);
        st->rc = hp_error_prefix(code, "%s:%zu", st->reader->label, line);
    }
    return st->rc;
}

static void clear_fields(read_state *st)
{
    st->field_count = 0;
}

static void free_fields(read_state *st)
{
    for (size_t i = 0; i < HP_CSV_FIELDS_MAX; i++)
        g_free(st->fields[i]);
}

static void on_field(void *s, size_t len, void *data)
{
    read_state *st = data;
    if (st->rc != HP_OK)
        return;
    if (st->field_count == HP_CSV_FIELDS_MAX) {
        char msg[64];
        snprintf(msg, sizeof(msg), "more than %d columns", HP_CSV_FIELDS_MAX);
        fail(st, st->record_line, HP_ETOOBIG, msg);
        return;
    }
    if (s != NULL && memchr(s, '\0', len) != NULL) {
        fail(st, st->record_line, HP_EINVALID, "a value holds a NUL byte");
        return;
    }
    size_t i = st->field_count++;
    if (st->capacity[i] < len + 1) {
        st->capacity[i] = len + 1 < FIELD_CAPACITY_MIN ? FIELD_CAPACITY_MIN : len + 1;
        st->fields[i] = g_realloc(st->fields[i], st->capacity[i]);
    }
    if (len)
        memcpy(st->fields[i], s, len);
    st->fields[i][len] = '\0';
}

static void on_record(int terminator, void *data)
{
    read_state *st = data;
    (void)terminator;
    if (st->rc == HP_OK) {
        int rc =
            st->reader->on_record(st->reader->data, st->record_line, st->fields, st->field_count);
        if (rc < 0)
            st->rc = hp_error_prefix(rc, "%s:%zu", st->reader->label, st->record_line);
        st->records++;
        if (st->reader->on_progress && st->records % PROGRESS_EVERY == 0)
            st->reader->on_progress(st->reader->data, st->records, st->bytes);
    }
    clear_fields(st);
}

/* RFC 4180 keeps spaces as part of a field; libcsv trims them unless told otherwise. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int feed(read_state *st, struct csv_parser *p, const char *buf, size_t len)
{
    if (p->pstate == 0) { /* No record under way: one may start here. */
        st->record_line = st->line;
        st->record_bytes = 0;
    }
    st->record_bytes += len;
    if (st->record_bytes > HP_CSV_RECORD_MAX) {
        char msg[64];
        snprintf(msg, sizeof(msg), "a record longer than %d bytes", HP_CSV_RECORD_MAX);
        return fail(st, st->record_line, HP_ETOOBIG, msg);
    }
    if (csv_parse(p, buf, len, on_field, on_record, st) != len && st->rc == HP_OK) {
        char msg[128];
        snprintf(msg, sizeof(msg), "malformed CSV: %s", csv_strerror(csv_error(p)));
        return fail(st, st->line, HP_EINVALID, msg);
    }
    return st->rc;
}

int hp_csv_read(const hp_csv_reader *reader, FILE *in)
{
    struct csv_parser parser;
    read_state st = {.reader = reader, .line = 1, .record_line = 1};
    char *buf = g_malloc(CHUNK);
    size_t n;
    bool first = true;
    bool after_cr = false; /* The last byte fed was a CR. */

    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        g_free(buf);
        return hp_error_set(HP_ERROR, "%s: out of memory", reader->label);
    }
    csv_set_space_func(&parser, no_space);

    while (st.rc == HP_OK && (n = fread(buf, 1, CHUNK, in)) > 0) {
        const char *p = buf, *end = buf + n;
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            p += 3;
        first = false;
        while (p < end && st.rc == HP_OK) {
            /* A line ends at LF, CR, or CR LF, which counts once. */
            const char *eol = p;
            while (eol < end && *eol != '\n' && *eol != '\r')
                eol++;
            const char *stop = eol < end ? eol + 1 : end;
            feed(&st, &parser, p, (size_t)(stop - p));
            st.bytes += stop - p;
            if (eol < end && !(*eol == '\n' && eol == p && after_cr))
                st.line++;
            after_cr = eol < end && *eol == '\r';
            p = stop;
        }
    }
    if (st.rc == HP_OK && ferror(in))
        st.rc = hp_error_set(HP_EIO, "%s: read error", reader->label);
    if (st.rc == HP_OK && csv_fini(&parser, on_field, on_record, &st) != 0 && st.rc == HP_OK)
        fail(&st, st.record_line, HP_EINVALID, "malformed CSV: a quoted value is not closed");
    if (st.rc == HP_OK && reader->on_progress)
        reader->on_progress(reader->data, st.records, st.bytes);
    free_fields(&st);
    csv_free(&parser);
    g_free(buf);
    return st.rc;
}
