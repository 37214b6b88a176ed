/*
 * Password hashing: Argon2id through libsodium, salted, in the self-describing string form
 * ($argon2id$v=19$m=...,t=...,p=1$salt$hash), so parameters can grow without a migration.
 */
#ifndef HP_CORE_PASSWORD_H
#define HP_CORE_PASSWORD_H

#include <stdbool.h>

#define HP_PASSWORD_HASH_MAX 128

/* Hashes password into out. Memory 19 MiB and 2 passes, the OWASP minimum for Argon2id, so
 * that a server under a bell-change rush stays within its memory budget. */
int hp_password_hash(char out[HP_PASSWORD_HASH_MAX], const char *password);

/* True when password matches the stored hash. */
bool hp_password_verify(const char *hash, const char *password);

#endif
