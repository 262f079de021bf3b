/* CURVE keys and socket options shared by assistd and its clients. Keys are
 * exchanged as Z85 text (40 characters for 32 bytes), as `assistctl keygen`
 * prints them. */
#ifndef ASSIST_CURVE_H
#define ASSIST_CURVE_H

#include <stdbool.h>
#include <stdint.h>

#define CURVE_KEY_BYTES 32
#define CURVE_Z85_LEN 40
#define CURVE_ZAP_DOMAIN "assist"

/* Decode a 40-character Z85 key; false when z85 is not one. */
bool curve_key_decode(const char *z85, uint8_t key[CURVE_KEY_BYTES]);
/* Whether endpoint goes over a network (anything but ipc://), so needs CURVE. */
bool curve_endpoint_networked(const char *endpoint);
/* Make sock a CURVE server with secret_z85, authenticated by the ZAP handler
 * of domain CURVE_ZAP_DOMAIN (enforced: no handler, nobody gets in). Applies
 * to the binds that follow. 0 or -errno. */
__attribute__((warn_unused_result)) int curve_server_setup(void *sock, const char *secret_z85);
/* Make sock a CURVE client of the server whose public key is server_z85.
 * Applies to the connects that follow. 0 or -errno (-EINVAL: a bad key). */
__attribute__((warn_unused_result)) int curve_client_setup(void *sock, const char *server_z85,
							   const char *public_z85,
							   const char *secret_z85);

#endif
