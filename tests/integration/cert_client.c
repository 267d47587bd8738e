/* cert_client.c — test helper: offers an OpenSSH certificate with libssh's
 * client, which (unlike OpenSSH's ssh, whose key loader verifies the CA
 * signature) sends a tampered certificate as it is. Used by cert_login.sh to
 * check the gateway's own refusal of flipped signature / key id bytes.
 *
 *   cert-client PORT USER KEY CERT     exit 0 authenticated, 1 refused, 2 error
 */
#include <stdio.h>
#include <stdlib.h>
#include <libssh/libssh.h>

int main(int argc, char **argv)
{
	ssh_session s;
	ssh_key priv = NULL, cert = NULL;
	int port, rc = 2, r;

	if (argc != 5) {
		fprintf(stderr, "usage: cert-client PORT USER KEY CERT\n");
		return 2;
	}
	port = (int)strtol(argv[1], NULL, 10);
	if ((s = ssh_new()) == NULL)
		return 2;
	ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
	ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(s, SSH_OPTIONS_USER, argv[2]);
	if (ssh_connect(s) != SSH_OK) {
		fprintf(stderr, "connect: %s\n", ssh_get_error(s));
		goto out;
	}
	if (ssh_pki_import_privkey_file(argv[3], NULL, NULL, NULL, &priv) != SSH_OK ||
	    ssh_pki_import_cert_file(argv[4], &cert) != SSH_OK ||
	    ssh_pki_copy_cert_to_privkey(cert, priv) != SSH_OK) {
		fprintf(stderr, "cannot load key or certificate\n");
		goto out;
	}
	r = ssh_userauth_publickey(s, NULL, priv);
	rc = r == SSH_AUTH_SUCCESS ? 0 : r == SSH_AUTH_DENIED || r == SSH_AUTH_PARTIAL ? 1 : 2;
	if (rc == 2)
		fprintf(stderr, "auth: %s\n", ssh_get_error(s));
out:
	ssh_key_free(cert);
	ssh_key_free(priv);
	ssh_disconnect(s);
	ssh_free(s);
	return rc;
}
