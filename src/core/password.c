/* Argon2id password hashes through libsodium; see password.h. */
#include "core/password.h"

#include "core/error.h"
#include "core/model.h"

#include <sodium.h>
#include <string.h>

#ifdef HALLPASS_FUZZING
/* Fuzz builds only: the cheapest Argon2id, so that a user file with passwords does not cost
 * the fuzzer a tenth of a second per run. Never in a build that serves anyone. */
#define HP_PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_MIN
#define HP_PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_MIN
#else
#define HP_PWHASH_OPSLIMIT 2
#define HP_PWHASH_MEMLIMIT (19u * 1024 * 1024)
#endif

static int ensure_sodium(void)
{
    if (sodium_init() < 0)
        return hp_error_set(HP_ERROR, "libsodium could not start");
    return HP_OK;
}

int hp_password_hash(char out[HP_PASSWORD_HASH_MAX], const char *password)
{
    _Static_assert(HP_PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");
    int rc = ensure_sodium();
    if (rc < 0)
        return rc;
    size_t n = strlen(password);
    if (n == 0)
        return hp_error_set(HP_EINVALID, "password: empty");
    if (n > HP_PASSWORD_MAX)
        return hp_error_set(HP_EINVALID, "password: longer than %d bytes", HP_PASSWORD_MAX);
    if (crypto_pwhash_str_alg(out, password, n, HP_PWHASH_OPSLIMIT, HP_PWHASH_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return hp_error_set(HP_ERROR, "password: out of memory while hashing");
    return HP_OK;
}

bool hp_password_verify(const char *hash, const char *password)
{
    if (hash == NULL || hash[0] == '\0' || ensure_sodium() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
