/*
 * auth_verify.h: password verification with libxcrypt.
 *
 * Runs in mftpd-auth only, after it has dropped to the pre-auth user.
 */
#ifndef MFTP_AUTH_VERIFY_H
#define MFTP_AUTH_VERIFY_H

/*
 * Returns 1 if secret matches the crypt(3) hash, else 0.  hash may be
 * NULL (unknown user) or locked ('!' prefix): then a dummy hash of the
 * default method and cost is verified instead and 0 returned, so every
 * answer costs one full hash computation and an unknown user cannot be
 * told from a wrong password by its timing.  The dummy is verified too
 * after a hash crypt(3) cannot use ("x", "NP") or one of another method
 * or cost (DES, MD5, an older yescrypt cost), which would otherwise
 * answer in their own, shorter, time.
 */
int auth_verify(const char *hash, const char *secret);

#endif
