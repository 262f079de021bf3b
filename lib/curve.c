#include "curve.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
/* A DRAFT option in libzmq 4.3's header, served by the library: without it
 * a CURVE client is let in whenever no ZAP handler answers. */
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

bool curve_key_decode(const char *z85, uint8_t key[CURVE_KEY_BYTES])
{
	return z85 != NULL && strlen(z85) == CURVE_Z85_LEN && zmq_z85_decode(key, z85) != NULL;
}

bool curve_endpoint_networked(const char *endpoint)
{
	return strncmp(endpoint, "ipc://", 6) != 0;
}

static int set_opt(void *sock, int opt, const void *value, size_t len)
{
	return zmq_setsockopt(sock, opt, value, len) == 0 ? 0 : -errno;
}

int curve_server_setup(void *sock, const char *secret_z85)
{
	uint8_t secret[CURVE_KEY_BYTES];
	int one = 1, rc;

	if (!curve_key_decode(secret_z85, secret))
		return -EINVAL;
	if ((rc = set_opt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one))) < 0 ||
	    (rc = set_opt(sock, ZMQ_CURVE_SECRETKEY, secret, sizeof(secret))) < 0 ||
	    (rc = set_opt(sock, ZMQ_ZAP_DOMAIN, CURVE_ZAP_DOMAIN, strlen(CURVE_ZAP_DOMAIN))) < 0)
		return rc;
	return set_opt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof(one));
}

int curve_client_setup(void *sock, const char *server_z85, const char *public_z85,
		       const char *secret_z85)
{
	uint8_t server[CURVE_KEY_BYTES], public[CURVE_KEY_BYTES], secret[CURVE_KEY_BYTES];
	int rc;

	if (!curve_key_decode(server_z85, server) || !curve_key_decode(public_z85, public) ||
	    !curve_key_decode(secret_z85, secret))
		return -EINVAL;
	if ((rc = set_opt(sock, ZMQ_CURVE_SERVERKEY, server, sizeof(server))) < 0 ||
	    (rc = set_opt(sock, ZMQ_CURVE_PUBLICKEY, public, sizeof(public))) < 0)
		return rc;
	return set_opt(sock, ZMQ_CURVE_SECRETKEY, secret, sizeof(secret));
}
