/*
 * hostkey.h - an ssh server's host key against known_hosts files, as
 * OpenSSH keeps them (hostkey.c).
 */
#ifndef INBOX_HOSTKEY_H
#define INBOX_HOSTKEY_H

#include <stddef.h>

/*
 * 0 when key (the server's public key blob, as ssh sends it) is listed
 * for host on port in one of the NULL-terminated files and revoked in
 * none; otherwise -1 (class 2) saying which: unknown, another key (it
 * changed, or someone is in between), or revoked.  A missing file is an
 * empty one.
 */
int hostkey_known(const char *host, int port, const unsigned char *key,
    size_t len, const char *const *files);

/* The port of an ssh URL: ssh://[user@]host[:port]/path, else 22. */
int hostkey_port(const char *url);

#endif
