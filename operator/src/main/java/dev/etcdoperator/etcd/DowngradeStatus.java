package dev.etcdoperator.etcd;

import java.net.URI;
import java.util.Optional;

/**
 * What a member says about a downgrade (etcd 3.6+; older members know none of it).
 *
 * @param version the etcd release the member runs
 * @param storageVersion the schema version of its data ("3.6.0"), which etcd migrates down to the target once a
 *     downgrade is enabled; empty before 3.6
 * @param downgradeEnabled whether a downgrade is enabled in the cluster
 * @param downgradeTarget the version it is enabled to, when it is
 */
public record DowngradeStatus(URI endpoint, String version, Optional<String> storageVersion,
    boolean downgradeEnabled, Optional<String> downgradeTarget) {}
