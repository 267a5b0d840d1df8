package dev.etcdoperator.etcd;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one client certificate and key, whatever the server asks for (the JDK's own key managers send none when
 * the server's list of acceptable issuers does not name the certificate's, and the server's refusal then says less).
 *
 * <p>Handed a key instead, Netty would build a PKCS#12 key store for it, and PKCS#12 protects the key with PBKDF2
 * (10,000 rounds of HMAC-SHA256 to store it and as many to read it back): at a restart with 100 clusters that was a
 * fifth of the operator's CPU while it took them up.
 */
public final class ClientKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "client";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  public ClientKeyManager(PrivateKey key, List<X509Certificate> chain) {
    this.key = key;
    this.chain = chain.toArray(X509Certificate[]::new);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
