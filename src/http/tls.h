/*
 * The server's certificate and private key for HTTPS, read from PEM files and re-read on
 * demand (SIGHUP) so that a renewal needs no restart. GnuTLS appears only in tls.c.
 */
#ifndef HP_HTTP_TLS_H
#define HP_HTTP_TLS_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

typedef struct hp_tls hp_tls;

/* Reads the certificate chain and its private key. Fails, naming the file and the reason,
 * when either cannot be read, holds no PEM certificate or key, or the key does not belong
 * to the certificate. One per process: the handshake callback has no place for a pointer. */
int hp_tls_new(hp_tls **out, const char *cert_file, const char *key_file);

/* Reads the files again; new handshakes get the new pair, handshakes under way finish with
 * the old one. On failure the old pair stays in use and the error says why. */
int hp_tls_reload(hp_tls *tls);

/* A line for the log about the pair in use: its serial and its last valid day. */
char *hp_tls_describe(const hp_tls *tls);

/* The handshake callback for libmicrohttpd's MHD_OPTION_HTTPS_CERT_CALLBACK (a
 * gnutls_certificate_retrieve_function2): hands every handshake the current pair. */
int hp_tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey);

void hp_tls_free(hp_tls *tls);

#endif
