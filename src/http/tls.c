/*
 * The server's certificate for HTTPS. Each read of the PEM files makes a pair (the chain and
 * its key) that GnuTLS's handshake callback hands out; a re-read swaps the current pair
 * atomically. Pairs are kept until the server ends, because GnuTLS holds a handshake's
 * pointers into its pair without a reference count; renewals come a few times a year, so
 * the old ones cost little.
 */
#include "http/tls.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Certificates a chain file may hold: the server's and its intermediates. */
#define CHAIN_MAX 16
/* Bytes of a certificate's serial shown in the log. */
#define SERIAL_MAX 64

typedef struct {
    gnutls_pcert_st *certs;
    unsigned count;
    gnutls_privkey_t key;
} tls_pair;

struct hp_tls {
    char *cert_file;
    char *key_file;
    GPtrArray *pairs; /* tls_pair *, every pair read; the last one is current. */
};

/* The pair the handshakes use; NULL before the first read. */
static tls_pair *current;

static void pair_free(gpointer p)
{
    tls_pair *pair = p;
    for (unsigned i = 0; i < pair->count; i++)
        gnutls_pcert_deinit(&pair->certs[i]);
    g_free(pair->certs);
    if (pair->key)
        gnutls_privkey_deinit(pair->key);
    g_free(pair);
}

/* A file's whole text; the error names the option, the file and the system's reason. */
static int read_file(const char *option, const char *path, gnutls_datum_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hp_error_set(HP_EINVALID, "%s %s: cannot be read: %s", option, path,
                            g_strerror(errno));
    close(fd);
    gchar *text;
    gsize len;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, &len, &err)) {
        int rc = hp_error_set(HP_EINVALID, "%s %s: cannot be read: %s", option, path, err->message);
        g_error_free(err);
        return rc;
    }
    out->data = (unsigned char *)text;
    out->size = (unsigned)len;
    return HP_OK;
}

/* The public key as DER, to compare a certificate's with a private key's. */
static int pubkey_der(gnutls_pubkey_t pub, gnutls_datum_t *out)
{
    return gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, out);
}

static bool key_matches(const tls_pair *pair)
{
    gnutls_pubkey_t from_key;
    gnutls_datum_t a = {0}, b = {0};
    bool same = false;
    if (gnutls_pubkey_init(&from_key) < 0)
        return false;
    if (gnutls_pubkey_import_privkey(from_key, pair->key, 0, 0) == 0 &&
        pubkey_der(from_key, &a) == 0 && pubkey_der(pair->certs[0].pubkey, &b) == 0)
        same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
    gnutls_free(a.data);
    gnutls_free(b.data);
    gnutls_pubkey_deinit(from_key);
    return same;
}

static int pair_read(tls_pair **out, const char *cert_file, const char *key_file)
{
    gnutls_datum_t cert_pem = {0}, key_pem = {0};
    tls_pair *pair = g_new0(tls_pair, 1);
    int rc = read_file("--tls-cert", cert_file, &cert_pem);
    if (rc < 0)
        goto out;
    if ((rc = read_file("--tls-key", key_file, &key_pem)) < 0)
        goto out;
    pair->certs = g_new0(gnutls_pcert_st, CHAIN_MAX);
    unsigned count = CHAIN_MAX;
    int g =
        gnutls_pcert_list_import_x509_raw(pair->certs, &count, &cert_pem, GNUTLS_X509_FMT_PEM, 0);
    if (g < 0 || count == 0) {
        rc = hp_error_set(HP_EINVALID,
                          "--tls-cert %s: not a PEM certificate (chain of at most %d): %s",
                          cert_file, CHAIN_MAX, g < 0 ? gnutls_strerror(g) : "none found");
        goto out;
    }
    pair->count = count;
    if ((g = gnutls_privkey_init(&pair->key)) < 0 ||
        (g = gnutls_privkey_import_x509_raw(pair->key, &key_pem, GNUTLS_X509_FMT_PEM, NULL, 0)) <
            0) {
        rc = hp_error_set(HP_EINVALID, "--tls-key %s: not an unencrypted PEM private key: %s",
                          key_file, gnutls_strerror(g));
        goto out;
    }
    if (!key_matches(pair)) {
        rc = hp_error_set(HP_EINVALID, "--tls-key %s: not the private key of the certificate in %s",
                          key_file, cert_file);
        goto out;
    }
    *out = pair;
    pair = NULL;
out:
    if (pair)
        pair_free(pair);
    /* The key's text is a secret: wiped before it is freed. */
    if (key_pem.data)
        memset(key_pem.data, 0, key_pem.size);
    g_free(key_pem.data);
    g_free(cert_pem.data);
    return rc;
}

int hp_tls_new(hp_tls **out, const char *cert_file, const char *key_file)
{
    tls_pair *pair;
    int rc = pair_read(&pair, cert_file, key_file);
    if (rc < 0)
        return rc;
    hp_tls *tls = g_new0(hp_tls, 1);
    tls->cert_file = g_strdup(cert_file);
    tls->key_file = g_strdup(key_file);
    tls->pairs = g_ptr_array_new_with_free_func(pair_free);
    g_ptr_array_add(tls->pairs, pair);
    g_atomic_pointer_set(&current, pair);
    *out = tls;
    return HP_OK;
}

int hp_tls_reload(hp_tls *tls)
{
    tls_pair *pair;
    int rc = pair_read(&pair, tls->cert_file, tls->key_file);
    if (rc < 0)
        return rc;
    g_ptr_array_add(tls->pairs, pair);
    g_atomic_pointer_set(&current, pair);
    return HP_OK;
}

char *hp_tls_describe(const hp_tls *tls)
{
    const tls_pair *pair = g_ptr_array_index(tls->pairs, tls->pairs->len - 1);
    gnutls_x509_crt_t crt;
    unsigned char serial[SERIAL_MAX];
    size_t serial_len = sizeof(serial);
    char until[32] = "?";
    GString *hex = g_string_new(NULL);
    if (gnutls_x509_crt_init(&crt) == 0) {
        if (gnutls_x509_crt_import(crt, &pair->certs[0].cert, GNUTLS_X509_FMT_DER) == 0) {
            if (gnutls_x509_crt_get_serial(crt, serial, &serial_len) == 0)
                for (size_t i = 0; i < serial_len; i++)
                    g_string_append_printf(hex, "%02x", serial[i]);
            time_t end = gnutls_x509_crt_get_expiration_time(crt);
            struct tm tm;
            if (end != (time_t)-1 && gmtime_r(&end, &tm))
                strftime(until, sizeof(until), "%Y-%m-%d", &tm);
        }
        gnutls_x509_crt_deinit(crt);
    }
    char *line = g_strdup_printf("certificate %s (serial %s, valid until %s)", tls->cert_file,
                                 hex->len ? hex->str : "?", until);
    g_string_free(hex, TRUE);
    return line;
}

/* Whatever the client asked for: there is one pair. */
int hp_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    (void)session;
    (void)req_ca_rdn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    tls_pair *pair = g_atomic_pointer_get(&current);
    if (pair == NULL)
        return -1;
    *pcert = pair->certs;
    *pcert_length = pair->count;
    *pkey = pair->key;
    return 0;
}

void hp_tls_free(hp_tls *tls)
{
    if (tls == NULL)
        return;
    g_atomic_pointer_set(&current, NULL);
    g_ptr_array_free(tls->pairs, TRUE);
    g_free(tls->cert_file);
    g_free(tls->key_file);
    g_free(tls);
}
